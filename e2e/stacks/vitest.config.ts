import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The conformance suite of real stacks (docs/stacks.md): its own run in
 * `npm test` (`npm run test:stacks`), left out of `npm run test:fast`. Each
 * file spawns a few server and client processes of its own, so two files at
 * a time keep the machine's two cores busy without oversubscribing them.
 */
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['e2e/stacks/**/*.test.ts'],
    environment: 'node',
    testTimeout: 90_000,
    hookTimeout: 30_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
