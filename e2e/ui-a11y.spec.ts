import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import type { RunningDemo } from '../demo/run.js';
import { startInspectorServer, type InspectorServer } from '../inspector/server/index.js';
import { agentPage, blankPage, openTab, startDemo, startUi } from './fixtures/ui-helpers.js';
import { startUiBackend, type UiBackend } from './fixtures/ui-backend.js';
import { startFutureAgent } from './fixtures/ui-fake-agent.js';
import { reloadLeakLines, writeRecording } from './fixtures/ui-recordings.js';

/**
 * Accessibility: axe (WCAG 2.1 A and AA) finds nothing critical or serious
 * in any view or state, and the controls axe cannot judge are reachable and
 * operable from the keyboard.
 */
test.describe.configure({ mode: 'serial' });

let demo: RunningDemo;
let ui: InspectorServer;

test.beforeAll(async () => {
  demo = await startDemo('all');
  ui = await startUi();
});

test.afterAll(async () => {
  await demo?.stop();
  await ui?.close();
});

/** Critical and serious violations, one line each (rule, impact, where). */
async function axe(page: Page, state: string): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return result.violations
    .filter((v) => v.impact === 'critical' || v.impact === 'serious')
    .flatMap((v) => v.nodes.map((n) => `${state}: ${v.id} (${v.impact}) ${n.target.join(' ')}: ${n.failureSummary?.split('\n')[1]?.trim() ?? ''}`));
}

async function live(page: Page): Promise<void> {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(demo.url);
  await expect(page.getByRole('grid', { name: 'Sessions' }).getByRole('row').nth(5)).toBeVisible({ timeout: 20_000 });
  await expect(page.getByRole('tab', { name: /^Findings/ })).toContainText(/\d/);
}

test('every view of a live agent, with details, traces and the menu open', async ({ page }) => {
  await live(page);
  const found: string[] = [];
  found.push(...(await axe(page, 'overview')));

  await page.getByText('Actions (', { exact: false }).click();
  await expect(page.getByRole('group', { name: 'Agent actions' })).toBeVisible();
  found.push(...(await axe(page, 'actions menu')));
  await page.keyboard.press('Escape');
  await expect(page.getByRole('group', { name: 'Agent actions' })).toBeHidden();

  await openTab(page, 'Timeline');
  await page.getByRole('list', { name: 'Connection lanes' }).getByRole('button').first().click();
  found.push(...(await axe(page, 'timeline with details')));

  await openTab(page, 'Connections');
  const grid = page.getByRole('grid', { name: 'Connections' });
  await grid.getByRole('row').nth(1).click();
  await grid.getByRole('button', { name: /^Close c\d+$/ }).first().click();
  await expect(page.getByRole('region', { name: 'Teardown traces' })).toBeVisible();
  found.push(...(await axe(page, 'connections with details and a trace')));

  await openTab(page, 'Listeners');
  await page.getByRole('grid', { name: 'Listeners' }).getByRole('row').nth(1).click();
  found.push(...(await axe(page, 'listeners with details')));

  await openTab(page, 'Handles');
  await page.getByRole('grid', { name: 'Handles' }).getByRole('row').nth(1).click();
  found.push(...(await axe(page, 'handles with details')));

  await openTab(page, 'Findings');
  found.push(...(await axe(page, 'findings')));

  await openTab(page, 'Events');
  await page.getByRole('grid', { name: 'Events' }).getByRole('row').nth(3).click();
  found.push(...(await axe(page, 'events with details')));

  // A window set and an empty table.
  await page.getByRole('searchbox', { name: 'Filter events' }).fill('no event reads like this');
  await openTab(page, 'Overview');
  const start = page.getByRole('slider', { name: 'Window start' });
  await start.focus();
  await page.keyboard.press('Shift+ArrowRight');
  found.push(...(await axe(page, 'overview with a window')));
  expect(found).toEqual([]);
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
  await page.getByLabel('Open recording file').setInputFiles({ name: 'broken.ndjson', mimeType: 'application/x-ndjson', buffer: Buffer.from(`${(await import('node:fs')).readFileSync(broken, 'utf8')}{"type":`) });
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

test('keyboard: timeline lanes and table rows are reachable, Escape closes menus and panels, names are unique', async ({ page }) => {
  await live(page);
  // The Overview's buttons each say what they open.
  const names = await page.getByRole('tabpanel').getByRole('button').evaluateAll((buttons) => buttons.map((b) => b.getAttribute('aria-label') ?? b.textContent!.trim()));
  expect(names.length).toBeGreaterThan(2);
  expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);

  // Timeline: one Tab stop for the lanes, arrows move between them, Enter selects.
  await openTab(page, 'Timeline');
  const lanes = page.getByRole('list', { name: 'Connection lanes' }).getByRole('button');
  await page.getByRole('button', { name: 'Pan later' }).focus();
  await page.keyboard.press('Tab');
  await expect(lanes.first()).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(lanes.nth(1)).toBeFocused();
  await page.keyboard.press('Enter');
  const details = page.getByRole('complementary', { name: 'Connection details' });
  await expect(details).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(details).toBeHidden();

  // Connections: the filter, the table, a row's buttons, by Tab alone.
  await openTab(page, 'Connections');
  await page.getByRole('tab', { name: 'Connections' }).focus();
  const reached = new Set<string>();
  for (let i = 0; i < 40 && ![...reached].some((r) => /^button Disconnect c\d+$/.test(r)); i++) {
    await page.keyboard.press('Tab');
    reached.add(await page.evaluate(() => `${document.activeElement?.getAttribute('role') ?? document.activeElement?.tagName.toLowerCase()} ${document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.textContent?.trim()}`));
  }
  expect([...reached]).toEqual(expect.arrayContaining(['input Filter connections', 'grid Connections', expect.stringMatching(/^button Disconnect c\d+$/)]));

  // The first ArrowDown lands on row 1; Enter opens it; Escape closes it.
  const grid = page.getByRole('grid', { name: 'Connections' });
  const first = (await grid.getByRole('row').nth(1).getByRole('gridcell').first().textContent())!;
  await grid.focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('complementary', { name: 'Connection details' }).getByRole('heading')).toHaveText(`Connection ${first}`);
  await page.keyboard.press('Escape');
  await expect(page.getByRole('complementary', { name: 'Connection details' })).toBeHidden();
});
