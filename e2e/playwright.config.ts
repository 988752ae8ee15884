import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumExecutable } from './fixtures/chromium.js';

export default defineConfig({
  testDir: '.',
  testMatch: '**/*.spec.ts',
  outputDir: '../test-results',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  workers: process.env.CI ? 1 : 2,
  retries: 0,
  reporter: process.env.CI ? [['list']] : [['list'], ['html', { open: 'never', outputFolder: '../playwright-report' }]],
  use: {
    headless: true,
    screenshot: 'only-on-failure',
    // A failed test keeps its trace. In CI only its action log: the DOM
    // snapshots and screencast of live pages cost 15-20 % of the longest
    // spec files' time, the action log nothing measurable.
    trace: process.env.CI ? { mode: 'retain-on-failure', snapshots: false, screenshots: false } : 'retain-on-failure',
    launchOptions: {
      // Real Chromium: BRIDGESCOPE_CHROMIUM, else the system one, else Playwright's own.
      executablePath: chromiumExecutable(),
      args: CHROMIUM_ARGS,
    },
  },
});
