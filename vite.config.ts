import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const repoRoot = fileURLToPath(new URL('.', import.meta.url));

/**
 * The files that take longest start first. Vitest orders files by how long
 * they last took, and on a fresh clone, with nothing timed, by size: the
 * one-minute soak, a small file, then started last and ran alone on one of
 * the two workers (unit tests 195–206 s in CI runs on a 2-core machine).
 */
class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const long = (file: TestSpecification) => /(soak|\.load|demo\/scenarios)\.test\.ts$/.test(file.moduleId);
    return [...sorted.filter(long), ...sorted.filter((file) => !long(file))];
  }
}

// The UI lives in inspector/ and builds into dist/ui, which the
// `bridgescope serve` server ships. Unit tests run from the repo root.
export default defineConfig({
  root: fileURLToPath(new URL('./inspector', import.meta.url)),
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist/ui', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
  },
  test: {
    root: repoRoot,
    include: ['shared/**/*.test.ts', 'agent/**/*.test.ts', 'inspector/**/*.test.{ts,tsx}', 'demo/**/*.test.ts', 'bench/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    maxWorkers: 2,
    sequence: { sequencer: LongestFirst },
  },
});
