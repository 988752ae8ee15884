/**
 * The README's screenshots, from the real UI on the built-in demo:
 * `npx tsx e2e/readme-screenshots.ts` (after `npm run build:ui`) writes
 * docs/images/overview.png and docs/images/findings.png.
 */
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumExecutable } from './fixtures/chromium.js';
import { runDemo } from '../demo/run.js';

const images = fileURLToPath(new URL('../docs/images/', import.meta.url));
// The demo as `npm start` runs it: a reload every 1.5 s.
const demo = await runDemo({ port: 0, scenario: 'reload-leak', log: () => {} });
const browser = await chromium.launch({ executablePath: chromiumExecutable(), args: CHROMIUM_ARGS });
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
  await page.goto(demo.url);
  await page.getByRole('grid', { name: 'Sessions' }).getByRole('row', { name: /reload 5/ }).waitFor({ timeout: 30_000 });
  // A few quiet seconds after the last reload, so the chart shows the flat tail up to now.
  await page.waitForTimeout(4000);
  await page.screenshot({ path: `${images}overview.png` });
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.getByRole('tab', { name: /^Findings/ }).click();
  await page.getByRole('list', { name: 'Findings' }).getByRole('listitem').first().waitFor();
  await page.screenshot({ path: `${images}findings.png` });
} finally {
  await browser.close();
  await demo.stop();
}
