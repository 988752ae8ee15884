import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The nearest directory above this file whose package.json is named
 * "bridgescope": the repo in development, the installed package otherwise
 * (this file then lives in dist/shared/node).
 */
export function packageRoot(from: string = dirname(fileURLToPath(import.meta.url))): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'bridgescope') return dir;
      } catch {
        // An unreadable package.json is not ours; keep climbing.
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** Where the built UI lives by default: `<package root>/dist/ui`. */
export function defaultUiDir(): string {
  const root = packageRoot();
  return root ? join(root, 'dist', 'ui') : join(process.cwd(), 'dist', 'ui');
}
