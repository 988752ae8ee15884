import { writeFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { startInspectorServer, type InspectorServer } from '../inspector/server/index.js';
import { brokenRecording, dialBrokenAgent, serveBrokenAgent } from './fixtures/malformed-agent.js';
import { agentPage, blankPage, openTab, snap, startUi } from './fixtures/ui-helpers.js';

/**
 * Issue 19: one malformed event must not blank the UI. A broken agent's
 * stream (three malformed events among six good ones) reaches the UI every
 * way it can — straight from the agent, through the hub, from a recording
 * file, and from `serve --open` — and each time the bad events are skipped,
 * counted, and everything else is shown.
 */
const quiet = { warn: () => {}, error: () => {} };

/** Collects the page's uncaught errors (what blanked it before). */
function pageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

/** Every view, with the good events in it and no error along the way, then the notice of what was skipped. */
async function expectSkippedAndShown(page: Page, errors: string[]): Promise<void> {
  await openTab(page, 'Connections');
  await expect(page.getByRole('grid', { name: 'Connections' })).toContainText('c1');
  await openTab(page, 'Listeners');
  await expect(page.getByRole('grid', { name: 'Listeners', exact: true })).toContainText('update');
  await openTab(page, 'Events');
  await expect(page.getByRole('status', { name: 'Events count' })).toHaveText(/^6 events/);
  await expect(page.getByRole('grid', { name: 'Events' })).toContainText('after the broken ones');
  await openTab(page, 'Findings');
  await openTab(page, 'Timeline');
  await openTab(page, 'Overview');
  expect(errors).toEqual([]);
  const notice = page.getByRole('status', { name: 'Malformed events' });
  await expect(notice).toContainText('3 malformed events skipped');
  await expect(notice).toContainText('"finding.open" event seq 7: finding must be an object, not null');
}

let ui: InspectorServer;

test.beforeAll(async () => {
  ui = await startUi();
});

test.afterAll(async () => {
  await ui?.close();
});

test('straight from a broken agent', async ({ page }, testInfo) => {
  const errors = pageErrors(page);
  const agent = await serveBrokenAgent();
  try {
    await page.goto(agentPage(ui, agent.url));
    await expectSkippedAndShown(page, errors);
    await snap(page, testInfo, 'malformed-live');
  } finally {
    await agent.close();
  }
});

test('through the hub', async ({ page }) => {
  const errors = pageErrors(page);
  const hub = await startInspectorServer({ port: 0, logger: quiet });
  const agent = await dialBrokenAgent(hub.hubUrl);
  try {
    await page.goto(hub.uiUrl);
    await expectSkippedAndShown(page, errors);
  } finally {
    agent.close();
    await hub.close();
  }
});

test('from a recording file', async ({ page }, testInfo) => {
  const errors = pageErrors(page);
  const file = testInfo.outputPath('broken-agent.ndjson');
  writeFileSync(file, brokenRecording());
  await page.goto(blankPage(ui));
  await page.getByLabel('Open recording file').setInputFiles(file);
  await expectSkippedAndShown(page, errors);
});

test('from serve --open', async ({ page }, testInfo) => {
  const errors = pageErrors(page);
  const file = testInfo.outputPath('broken-agent.ndjson');
  writeFileSync(file, brokenRecording());
  const served = await startInspectorServer({ port: 0, open: file, logger: quiet });
  try {
    await page.goto(served.uiUrl);
    await expectSkippedAndShown(page, errors);
  } finally {
    await served.close();
  }
});
