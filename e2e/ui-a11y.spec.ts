import { expect, test, type Page } from '@playwright/test';
import type { RunningDemo } from '../demo/run.js';
import { openTab, startDemo } from './fixtures/ui-helpers.js';
import { axe } from './fixtures/axe.js';

/**
 * Accessibility of a live agent (the demo's `all` scenario, real
 * processes): axe (WCAG 2.1 A and AA) finds nothing critical or serious in
 * any view, with details, traces, the Actions menu or a window open; the
 * controls axe cannot judge are reachable and operable from the keyboard.
 * The other states: ui-a11y-states.spec.ts.
 */
test.describe.configure({ mode: 'serial' });

let demo: RunningDemo;

test.beforeAll(async () => {
  demo = await startDemo('all');
});

test.afterAll(async () => {
  await demo?.stop();
});

async function live(page: Page): Promise<void> {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(demo.url);
  await expect(page.getByRole('grid', { name: 'Sessions' }).getByRole('row').nth(5)).toBeVisible({ timeout: 20_000 });
  await expect(page.getByRole('tab', { name: /^Findings/ })).toContainText(/\d/);
}

test('a live agent: the Overview and the Actions menu', async ({ page }) => {
  await live(page);
  const found = await axe(page, 'overview');
  await page.getByText('Actions (', { exact: false }).click();
  await expect(page.getByRole('group', { name: 'Agent actions' })).toBeVisible();
  found.push(...(await axe(page, 'actions menu')));
  await page.keyboard.press('Escape');
  await expect(page.getByRole('group', { name: 'Agent actions' })).toBeHidden();
  expect(found).toEqual([]);
});

test('a live agent: the Timeline and Connections with details and a trace', async ({ page }) => {
  await live(page);
  await openTab(page, 'Timeline');
  await page.getByRole('list', { name: 'Connection lanes' }).getByRole('button').first().click();
  const found = await axe(page, 'timeline with details');
  await openTab(page, 'Connections');
  const grid = page.getByRole('grid', { name: 'Connections' });
  await grid.getByRole('row').nth(1).click();
  await grid.getByRole('button', { name: /^Close c\d+$/ }).first().click();
  await expect(page.getByRole('region', { name: 'Teardown traces' })).toBeVisible();
  found.push(...(await axe(page, 'connections with details and a trace')));
  expect(found).toEqual([]);
});

test('a live agent: Listeners and Handles with details', async ({ page }) => {
  await live(page);
  await openTab(page, 'Listeners');
  await page.getByRole('grid', { name: 'Listeners' }).getByRole('row').nth(1).click();
  const found = await axe(page, 'listeners with details');
  await openTab(page, 'Handles');
  await page.getByRole('grid', { name: 'Handles' }).getByRole('row').nth(1).click();
  found.push(...(await axe(page, 'handles with details')));
  expect(found).toEqual([]);
});

test('a live agent: Findings, Events with details and an empty filter, a window', async ({ page }) => {
  await live(page);
  await openTab(page, 'Findings');
  const found = await axe(page, 'findings');
  await openTab(page, 'Events');
  await page.getByRole('grid', { name: 'Events' }).getByRole('row').nth(3).click();
  found.push(...(await axe(page, 'events with details')));
  await page.getByRole('searchbox', { name: 'Filter events' }).fill('no event reads like this');
  found.push(...(await axe(page, 'events, nothing matches')));
  await openTab(page, 'Overview');
  await page.getByRole('slider', { name: 'Window start' }).focus();
  await page.keyboard.press('Shift+ArrowRight');
  found.push(...(await axe(page, 'overview with a window')));
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
