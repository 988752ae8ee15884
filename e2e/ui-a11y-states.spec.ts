import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { startInspectorServer, type InspectorServer } from '../inspector/server/index.js';
import { agentPage, blankPage, startUi } from './fixtures/ui-helpers.js';
import { startUiBackend, type UiBackend } from './fixtures/ui-backend.js';
import { startFutureAgent } from './fixtures/ui-fake-agent.js';
import { reloadLeakLines, writeRecording } from './fixtures/ui-recordings.js';
import { axe } from './fixtures/axe.js';

/**
 * Accessibility of every state but a live agent's views (ui-a11y.spec.ts):
 * axe (WCAG 2.1 A and AA) finds nothing critical or serious on the connect
 * page, a waiting hub, a recording, a broken one, a refused token, another
 * protocol, a readonly agent and a lost one.
 */
test.describe.configure({ mode: 'serial' });

let ui: InspectorServer;

test.beforeAll(async () => {
  ui = await startUi();
});

test.afterAll(async () => {
  await ui?.close();
});

test('the connect page, its error and its recent targets; a hub waiting for agents', async ({ page, context }) => {
  await page.goto(blankPage(ui));
  const found = await axe(page, 'connect page');
  await page.getByRole('textbox', { name: 'Agent URL' }).fill('http://example.com/');
  await page.getByRole('button', { name: 'Connect' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  found.push(...(await axe(page, 'connect error')));
  await page.evaluate(() => localStorage.setItem('bridgescope.recent', JSON.stringify([{ address: 'ws://127.0.0.1:9230/', name: 'demo-backend', at: Date.now() - 60_000 }])));
  await page.reload();
  await expect(page.getByRole('list', { name: 'Recent targets' })).toBeVisible();
  found.push(...(await axe(page, 'recent targets')));

  const hub = await context.newPage();
  await hub.goto(ui.uiUrl);
  await expect(hub.getByRole('heading', { name: 'Waiting for an agent to dial in' })).toBeVisible();
  found.push(...(await axe(hub, 'hub waiting')));
  await hub.close();
  expect(found).toEqual([]);
});

test('a recording, a broken one, a refused token, another protocol, a readonly agent, a lost agent', async ({ page }) => {
  const found: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'bridgescope-a11y-'));
  const served = await startInspectorServer({ port: 0, open: writeRecording(join(dir, 'leak.ndjson'), reloadLeakLines(6, 500)), logger: { warn: () => {}, error: () => {} } });
  try {
    await page.goto(served.uiUrl);
    await expect(page.getByRole('status', { name: 'Link state' })).toHaveText(/^recording/);
    found.push(...(await axe(page, 'recording')));
  } finally {
    await served.close();
  }

  const broken = writeRecording(join(dir, 'broken.ndjson'), reloadLeakLines(2, 500));
  await page.goto(blankPage(ui));
  await page.getByLabel('Open recording file').setInputFiles({ name: 'broken.ndjson', mimeType: 'application/x-ndjson', buffer: Buffer.from(`${readFileSync(broken, 'utf8')}{"type":`) });
  await expect(page.getByRole('list', { name: 'Recording errors' })).toBeVisible();
  found.push(...(await axe(page, 'broken recording')));

  const backend: UiBackend = await startUiBackend({ readonly: true });
  try {
    await page.goto(agentPage(ui, backend.url.replace(/token=[^&]+/, 'token=wrong')));
    await expect(page.getByRole('status', { name: 'Link state' })).toHaveText(/^token refused/);
    found.push(...(await axe(page, 'token refused')));

    await page.goto(agentPage(ui, backend.url));
    await expect(page.getByRole('status', { name: 'Link state' })).toHaveText(/readonly/);
    found.push(...(await axe(page, 'readonly agent')));

    await backend.close();
    await expect(page.getByRole('status', { name: 'Link state' })).toHaveText(/^reconnecting/);
    found.push(...(await axe(page, 'reconnecting')));
  } finally {
    await backend.close().catch(() => {});
  }

  const future = await startFutureAgent();
  try {
    await page.goto(agentPage(ui, future.url));
    await expect(page.getByRole('status', { name: 'Link state' })).toHaveText(/^version mismatch/);
    found.push(...(await axe(page, 'version mismatch')));
  } finally {
    await future.close();
  }
  expect(found).toEqual([]);
});

