import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('.', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('analysis purity', () => {
  it('no analysis source imports node:* or touches the DOM or a clock', () => {
    const files = sourceFiles(root);
    expect(files.length).toBeGreaterThan(10);
    const offences: string[] = [];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const patterns: [RegExp, string][] = [
        [/from\s+['"]node:|import\(\s*['"]node:|require\(\s*['"]node:/, 'imports node:'],
        [/\bwindow\b/, 'references window'],
        [/\bdocument\b/, 'references document'],
        [/\bDate\.now\b/, 'reads Date.now'],
        [/\bperformance\b/, 'reads performance'],
      ];
      for (const [pattern, what] of patterns) if (pattern.test(text)) offences.push(`${relative(root, file)} ${what}`);
    }
    expect(offences).toEqual([]);
  });
});
