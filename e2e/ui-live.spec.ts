import type { Socket } from 'node:net';
import { expect, test } from '@playwright/test';
import type { InspectorServer } from '../inspector/server/index.js';
import { connectClient, startUiBackend, type UiBackend } from './fixtures/ui-backend.js';
import { agentPage, openTab, snap, startUi } from './fixtures/ui-helpers.js';

/**
 * The UI against a real backend with the agent embedded: live counts, the
 * per-session table, leak findings, teardown actions with traces, and a
 * recording that reopens offline with the same findings.
 */
test.describe.configure({ mode: 'serial' });

let backend: UiBackend;
let ui: InspectorServer;
const clients: Socket[] = [];

test.beforeAll(async () => {
  backend = await startUiBackend();
  ui = await startUi();
});

test.afterAll(async () => {
  for (const c of clients) c.destroy();
  await ui?.close();
  await backend?.close();
});

async function client(options: { halfOpen?: boolean } = {}): Promise<Socket> {
  const socket = await connectClient(backend.serverPort, options);
  clients.push(socket);
  return socket;
}

test('counts and the per-session table update live; a reload leak shows its findings', async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.goto(agentPage(ui, backend.url));
  await expect(page.getByRole('status', { name: 'Link state' })).toHaveText(/live/);
  await expect(page.getByLabel('Agent identity')).toContainText('ui-e2e-backend');

  // A client connects, then reconnects properly (closing its old socket).
  const first = await client();
  const sessions = page.getByRole('grid', { name: 'Sessions' });
  await expect(sessions.getByRole('row')).toHaveCount(2);
  await expect(page.getByTestId('count-connections')).toHaveText('1');
  first.end();
  await client();
  await expect(sessions.getByRole('row')).toHaveCount(3);
  await expect(sessions.getByRole('row').nth(2)).toContainText('reload 2');
  await expect(page.getByTestId('count-connections')).toHaveText('1');

  // Now it reloads without closing: every old session's subscriptions stay.
  await client();
  await client();
  await client();
  await expect(sessions.getByRole('row')).toHaveCount(6);
  await expect(page.getByTestId('count-connections')).toHaveText('4');
  const last = sessions.getByRole('row').nth(5);
  await expect(last).toContainText('reload 5');
  await expect(last.getByRole('gridcell').nth(4)).toHaveText('4');
  await expect(last.getByRole('gridcell').nth(5)).toHaveText('12');
  await snap(page, testInfo, 'overview');

  await openTab(page, 'Findings');
  const findings = page.getByRole('list', { name: 'Findings' });
  await expect(findings.getByRole('listitem', { name: /^listener-growth:/ }).first()).toBeVisible();
  await expect(findings.getByRole('listitem', { name: /^connection-growth:/ }).first()).toBeVisible();
  await snap(page, testInfo, 'findings');

  // Evidence jumps to the Events view with that event selected.
  await findings.getByRole('listitem', { name: /^listener-growth:/ }).first().getByRole('button', { name: /^Show event/ }).first().click();
  await expect(page.getByRole('tab', { name: 'Events' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('complementary', { name: 'Event details' })).toBeVisible();
  await snap(page, testInfo, 'events');

  await openTab(page, 'Timeline');
  await expect(page.getByRole('list', { name: 'Connection lanes' }).getByRole('listitem')).toHaveCount(5);
  await snap(page, testInfo, 'timeline');
  await openTab(page, 'Listeners');
  await expect(page.getByRole('grid', { name: 'Listeners' })).toContainText('alive');
  await snap(page, testInfo, 'listeners');
  await openTab(page, 'Handles');
  await expect(page.getByRole('grid', { name: 'Handle tables' })).toContainText('rooms/room');
  await snap(page, testInfo, 'handles');
});

test('Disconnect and Close run from the UI with verdicts and teardown traces', async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 1400, height: 900 });
  for (const c of clients.splice(0)) c.destroy();
  await page.goto(agentPage(ui, backend.url));
  await openTab(page, 'Connections');
  const table = page.getByRole('grid', { name: 'Connections' });
  // Everything from the first test is closed: no teardown buttons left.
  await expect(table.getByRole('button', { name: /^Disconnect c\d+$/ })).toHaveCount(0);

  // A client that never answers our FIN: a graceful disconnect cannot finish.
  await client({ halfOpen: true });
  const disconnect = table.getByRole('button', { name: /^Disconnect c\d+$/ });
  await expect(disconnect).toHaveCount(1);
  const stuckConn = (await disconnect.getAttribute('aria-label'))!.split(' ')[1]!;
  await disconnect.click();
  const traces = page.getByRole('region', { name: 'Teardown traces' });
  const stuck = traces.getByRole('article', { name: `Trace disconnect ${stuckConn}` });
  await expect(stuck.getByRole('status', { name: 'Verdict' })).toHaveText(/^stuck: .*3 listeners and 1 handle remain/);
  await expect(stuck.getByRole('list')).toContainText('FIN sent');

  // Close tears the same connection down at once: clean, its listeners and room go with it.
  await table.getByRole('button', { name: `Close ${stuckConn}` }).click();
  const closed = traces.getByRole('article', { name: `Trace close ${stuckConn}` });
  await expect(closed.getByRole('status', { name: 'Verdict' })).toHaveText('clean');
  await expect(closed.getByRole('list')).toContainText(`${stuckConn} closed`);
  await expect(closed).toContainText('3 listeners removed, 1 handle dropped');

  // A well-behaved client: disconnect is clean too.
  await client();
  const goodButton = table.getByRole('button', { name: /^Disconnect c\d+$/ });
  await expect(goodButton).toHaveCount(1);
  const goodConn = (await goodButton.getAttribute('aria-label'))!.split(' ')[1]!;
  await goodButton.click();
  const good = traces.getByRole('article', { name: `Trace disconnect ${goodConn}` });
  await expect(good.getByRole('status', { name: 'Verdict' })).toHaveText('clean');
  await expect(good.getByRole('list')).toContainText('peer EOF received');
  await expect(traces.getByRole('article')).toHaveCount(3);
  await snap(page, testInfo, 'connections-traces');
});

test('a recording opens offline with the same findings', async ({ page, browser }, testInfo) => {
  await page.goto(agentPage(ui, backend.url));
  await openTab(page, 'Findings');
  const liveFindings = page.getByRole('list', { name: 'Findings' }).getByRole('listitem');
  await expect(liveFindings.first()).toBeVisible();
  const live = (await liveFindings.evaluateAll((items) => items.map((i) => i.getAttribute('aria-label')))).sort();

  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Save recording' }).click();
  const file = testInfo.outputPath('session.ndjson');
  await (await downloading).saveAs(file);

  // A fresh page with no agent: open the file.
  const offline = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await offline.goto(`http://127.0.0.1:${ui.port}/`);
  await expect(offline.getByRole('textbox', { name: 'Agent URL' })).toBeVisible();
  await offline.getByLabel('Open recording file').setInputFiles(file);
  await expect(offline.getByRole('status', { name: 'Link state' })).toHaveText(/recording/);
  await openTab(offline, 'Findings');
  const offlineFindings = offline.getByRole('list', { name: 'Findings' }).getByRole('listitem');
  await expect(offlineFindings).toHaveCount(live.length);
  const replayed = (await offlineFindings.evaluateAll((items) => items.map((i) => i.getAttribute('aria-label')))).sort();
  expect(replayed).toEqual(live);
  await snap(offline, testInfo, 'recording-offline');
  await offline.close();

  // Opened on the live page, the file replaces the live view: the agent is not
  // reconnected into it, so the link stays "recording" and the findings match.
  await page.getByLabel('Open recording file').setInputFiles(file);
  await expect(page.getByRole('status', { name: 'Link state' })).toHaveText(/recording/);
  await page.waitForTimeout(1500);
  await expect(page.getByRole('status', { name: 'Link state' })).toHaveText(/recording/);
  await openTab(page, 'Findings');
  await expect(liveFindings).toHaveCount(live.length);
});
