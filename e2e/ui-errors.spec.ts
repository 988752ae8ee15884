import { writeFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import type { InspectorServer } from '../inspector/server/index.js';
import { startUiBackend, type UiBackend } from './fixtures/ui-backend.js';
import { startFutureAgent } from './fixtures/ui-fake-agent.js';
import { agentPage, blankPage, snap, startUi } from './fixtures/ui-helpers.js';

/** What the UI says when it cannot show an agent: refused token, other protocol, broken recording. */
let ui: InspectorServer;
let backend: UiBackend;

test.beforeAll(async () => {
  ui = await startUi();
  backend = await startUiBackend();
});

test.afterAll(async () => {
  await ui?.close();
  await backend?.close();
});

test('a wrong token says "token refused" and how to get the right URL', async ({ page }, testInfo) => {
  const wrong = backend.url.replace(/token=[^&]+/, 'token=not-the-token');
  await page.goto(agentPage(ui, wrong));
  await expect(page.getByRole('status', { name: 'Link state' })).toHaveText(/^token refused/);
  await expect(page.getByRole('alert')).toContainText('Token refused');
  await expect(page.getByRole('alert')).toContainText('agent.url');
  await snap(page, testInfo, 'token-refused');
});

test('an agent speaking another protocol version shows both versions', async ({ page }, testInfo) => {
  const future = await startFutureAgent();
  try {
    await page.goto(agentPage(ui, future.url));
    await expect(page.getByRole('status', { name: 'Link state' })).toHaveText(/^version mismatch/);
    await expect(page.getByRole('alert')).toContainText('protocol 99');
    await expect(page.getByRole('alert')).toContainText('protocol 1');
    await snap(page, testInfo, 'version-mismatch');
  } finally {
    await future.close();
  }
});

test('a broken recording shows where it broke and what was loaded', async ({ page }, testInfo) => {
  const file = testInfo.outputPath('broken.ndjson');
  const hello = { type: 'hello', protocol: 1, agent: { name: 'rec', pid: 1, runtime: 'node', startedAt: 1_700_000_000_000, instance: 'i1' }, now: 0, lastSeq: 0, readonly: true, actions: [], bufferSize: 10 };
  const open = { type: 'conn.open', seq: 1, t: 1, conn: 'c1', server: null, transport: 'tcp', actions: [] };
  writeFileSync(file, [JSON.stringify({ format: 'bridgescope-recording', version: 1, createdAt: 0 }), JSON.stringify(hello), JSON.stringify(open), '{"type":"conn.close",', ''].join('\n'));
  await page.goto(blankPage(ui));
  await page.getByLabel('Open recording file').setInputFiles(file);
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('This recording is broken');
  await expect(alert).toContainText('loaded 1 events in 1 run');
  await expect(page.getByRole('list', { name: 'Recording errors' })).toContainText('line 4: not valid JSON');
  await snap(page, testInfo, 'broken-recording');
});
