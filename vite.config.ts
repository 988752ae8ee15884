import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

const repoRoot = fileURLToPath(new URL('.', import.meta.url));

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
  },
});
