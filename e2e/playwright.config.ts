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
    // A failed test keeps its trace. In CI without the DOM snapshots (the
    // action log and screencast stay): recording them on live pages cost
    // 15-20 % of the longest spec files' time.
    trace: process.env.CI ? { mode: 'retain-on-failure', snapshots: false } : 'retain-on-failure',
    launchOptions: {
      // Real Chromium: BRIDGESCOPE_CHROMIUM, else the system one, else Playwright's own.
      executablePath: chromiumExecutable(),
      args: CHROMIUM_ARGS,
    },
  },
});
