import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import type { RecordingLine } from '../shared/protocol.js';
import type { InspectorServer } from '../inspector/server/index.js';
import { connectClient, startUiBackend, type UiBackend } from './fixtures/ui-backend.js';
import { agentPage, blankPage, collectConsoleProblems, openTab, snap, startUi } from './fixtures/ui-helpers.js';
import { hello, reloadLeakLines, writeRecording } from './fixtures/ui-recordings.js';

/**
 * The small things a new user trips on: empty states, a readonly agent, the
 * download button, the token banner, the connect box, finding order, the
 * favicon, Ctrl+wheel; and recent targets kept without their tokens.
 */
test.describe.configure({ mode: 'serial' });

let ui: InspectorServer;
let backend: UiBackend;
const dir = mkdtempSync(join(tmpdir(), 'bridgescope-details-'));

test.beforeAll(async () => {
  ui = await startUi();
  backend = await startUiBackend({ readonly: true, name: 'readonly-backend' });
});

test.afterAll(async () => {
  await backend?.close();
  await ui?.close();
});

async function openFile(page: Page, name: string, lines: RecordingLine[]): Promise<void> {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(blankPage(ui));
  await page.getByLabel('Open recording file').setInputFiles(writeRecording(join(dir, name), lines));
  await expect(page.getByRole('status', { name: 'Link state' })).toHaveText(/^recording/);
}

test("an empty table's message sits below its header", async ({ page }) => {
  await openFile(page, 'no-handles.ndjson', reloadLeakLines(3, 200));
  await openTab(page, 'Handles');
  for (const name of ['Handle tables', 'Handles']) {
    const grid = page.getByRole('grid', { name });
    const header = (await grid.getByRole('row').first().boundingBox())!;
    const message = grid.getByRole('gridcell');
    await expect(message).toBeVisible();
    const box = (await message.boundingBox())!;
    expect(box.y).toBeGreaterThanOrEqual(header.y + header.height - 0.5);
  }
});

test('findings are listed worst first, whatever order they opened in', async ({ page }) => {
  let seq = 0;
  const e = (t: number, event: Record<string, unknown>) => ({ ...event, seq: ++seq, t }) as unknown as RecordingLine;
  await openFile(page, 'severity.ndjson', [
    hello(),
    e(1, { type: 'handle.table', table: 'rooms', mirror: false }),
    e(2, { type: 'handle.store', table: 'rooms', handle: 1, handleType: 'room', owner: null }),
    e(3, { type: 'handle.drop', table: 'rooms', handle: 1, ok: true, owner: null }),
    // A warning first (double drop), an error later (use after drop).
    e(4, { type: 'handle.drop', table: 'rooms', handle: 1, ok: false, owner: null }),
    e(500, { type: 'handle.retrieve', table: 'rooms', handle: 1, ok: false, owner: null }),
    { type: 'now', now: 1000 } as RecordingLine,
  ]);
  await openTab(page, 'Findings');
  const items = page.getByRole('list', { name: 'Findings' }).getByRole('listitem');
  await expect(items).toHaveCount(2);
  await expect(items.nth(0)).toHaveAccessibleName(/^stale-handle:/);
  await expect(items.nth(1)).toHaveAccessibleName(/^double-drop:/);
});

test("degraded detection shows in the header, and a finding's creation stack is one click away", async ({ page }) => {
  let seq = 0;
  const e = (t: number, event: Record<string, unknown>) => ({ ...event, seq: ++seq, t }) as unknown as RecordingLine;
  await openFile(page, 'degraded.ndjson', [
    hello(),
    e(1, { type: 'emitter.watch', emitter: 'e1', name: 'manager', kind: 'EventEmitter' }),
    e(2, { type: 'conn.open', conn: 'c1', server: 's1', transport: 'tcp', actions: [] }),
    e(3, { type: 'listener.add', listener: 'l1', emitter: 'e1', event: 'update', owner: 'c1', once: false, stack: ['at subscribe (app/bridge.ts:12:3)', 'at onMessage (app/bridge.ts:40:7)'] }),
    e(4, { type: 'listener.add', listener: 'l2', emitter: 'e1', event: 'status', owner: null, once: false }),
    e(5, { type: 'attribution.lost', conn: 'c1', subject: 'l2', reason: 'created after an await' }),
    e(10, { type: 'conn.close', conn: 'c1', cause: 'peer-end' }),
    { type: 'now', now: 3000 } as RecordingLine,
  ]);
  await page.getByRole('button', { name: 'detection degraded' }).click();
  await expect(page.getByRole('list', { name: 'Findings' }).getByRole('listitem', { name: /^unattributed:/ })).toHaveAttribute('aria-current', 'true');
  const orphan = page.getByRole('list', { name: 'Findings' }).getByRole('listitem', { name: /^orphan-listener:/ });
  const stack = orphan.getByText('at onMessage (app/bridge.ts:40:7)');
  await expect(stack).toBeHidden();
  await orphan.getByText('Creation stack (2 frames)').click();
  await expect(stack).toBeVisible();
});

test('a readonly agent says why its actions are off', async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(agentPage(ui, backend.url));
  const client = await connectClient(backend.serverPort);
  try {
    const state = page.getByRole('status', { name: 'Link state' });
    await expect(state).toHaveText(/^live/);
    await expect(state).toContainText('readonly');
    await expect(state).toContainText('runs no actions');
    await openTab(page, 'Connections');
    const disconnect = page.getByRole('button', { name: /^Disconnect c\d+$/ });
    await expect(disconnect).toBeDisabled();
    await expect(disconnect).toHaveAttribute('title', /readonly: true/);
    await snap(page, testInfo, 'readonly');
  } finally {
    client.destroy();
  }
});

test('Save recording is a download, not a toggle', async ({ page }) => {
  await page.goto(agentPage(ui, backend.url));
  const save = page.getByRole('button', { name: 'Save recording' });
  await expect(save).toBeEnabled();
  await expect(save).not.toHaveAttribute('aria-pressed', /.*/);
  const downloading = page.waitForEvent('download');
  await save.click();
  expect((await downloading).suggestedFilename()).toMatch(/^bridgescope-readonly-backend-.*\.ndjson$/);
  await expect(save).toHaveAccessibleName('Save recording');
});

test('the token-refused banner reads as one paragraph', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(agentPage(ui, backend.url.replace(/token=[^&]+/, 'token=wrong')));
  const banner = page.getByRole('alert');
  await expect(banner).toContainText('Token refused.');
  const lines = await banner.evaluate((el) => {
    const style = getComputedStyle(el);
    return Math.round((el.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom)) / parseFloat(style.lineHeight));
  });
  expect(lines).toBeLessThanOrEqual(2);
});

test('the connect box refuses a web address and says what to paste', async ({ page }) => {
  await page.goto(blankPage(ui));
  const box = page.getByRole('textbox', { name: 'Agent URL' });
  await box.fill(`http://127.0.0.1:${ui.port}/`);
  await page.getByRole('button', { name: 'Connect' }).click();
  await expect(page.getByRole('alert')).toContainText("Paste the agent's ws:// URL");
  await expect(box).toHaveAttribute('aria-invalid', 'true');
  expect(new URL(page.url()).search).toBe('');
  await expect(page.getByRole('status', { name: 'Link state' })).toHaveText(/^no agent/);
});

test('the page loads with no 404 (favicon included), and Ctrl+wheel zooms the timeline without console errors', async ({ page }) => {
  const missing: string[] = [];
  page.on('response', (response) => {
    if (response.status() === 404) missing.push(response.url());
  });
  const problems = collectConsoleProblems(page);
  const client = await connectClient(backend.serverPort);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(agentPage(ui, backend.url));
  await expect(page.getByRole('status', { name: 'Link state' })).toHaveText(/^live/);
  await openTab(page, 'Timeline');
  const lanes = page.getByRole('list', { name: 'Connection lanes' });
  await expect(lanes).toBeVisible();
  const box = (await lanes.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.7, box.y + 10);
  await page.keyboard.down('Control');
  await page.mouse.wheel(0, -200);
  await page.keyboard.up('Control');
  await expect(page.getByRole('region', { name: 'Time window' })).toContainText('Window');
  await page.waitForTimeout(500);
  client.destroy();
  expect(missing).toEqual([]);
  expect(problems).toEqual([]);
});

test('recent targets keep the address and name, never the token', async ({ page }) => {
  const token = new URL(backend.url).searchParams.get('token')!;
  await page.goto(blankPage(ui));
  // What an older version stored: the full URL, token included.
  await page.evaluate((url) => localStorage.setItem('bridgescope.recent', JSON.stringify([url])), backend.url.replace(token, 'old-secret'));
  await page.goto(agentPage(ui, backend.url));
  await expect(page.getByRole('status', { name: 'Link state' })).toHaveText(/^live/);
  await expect.poll(() => page.evaluate(() => localStorage.getItem('bridgescope.recent'))).toContain('readonly-backend');
  const stored = (await page.evaluate(() => localStorage.getItem('bridgescope.recent')))!;
  expect(stored).not.toContain(token);
  expect(stored).not.toContain('old-secret');

  await page.goto(blankPage(ui));
  const address = backend.url.replace(/\?.*$/, '');
  const recent = page.getByRole('list', { name: 'Recent targets' }).getByRole('button');
  await expect(recent).toHaveCount(1);
  await expect(recent).toHaveText(`readonly-backend · ${address}`);
  await recent.click();
  await expect(page.getByRole('textbox', { name: 'Agent URL' })).toHaveValue(`${address}?token=`);
  await expect(page.getByRole('textbox', { name: 'Agent URL' })).toBeFocused();
});
