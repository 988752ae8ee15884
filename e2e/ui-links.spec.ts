import { expect, test, type Page } from '@playwright/test';
import type { RunningDemo } from '../demo/run.js';
import { openTab, snap, startDemo } from './fixtures/ui-helpers.js';

/**
 * Every link lands (owners, finding subjects, session rows, the Overview's
 * findings), and teardown verdicts agree with the rows and the timeline:
 * against the demo's reload leak and its stuck peer (real processes).
 */
test.describe.configure({ mode: 'serial' });

const details = (page: Page, what: string) => page.getByRole('complementary', { name: `${what} details` });

test.describe('the reload leak', () => {
  let demo: RunningDemo;
  test.beforeAll(async () => {
    demo = await startDemo('reload-leak');
  });
  test.afterAll(async () => {
    await demo?.stop();
  });

  async function open(page: Page): Promise<void> {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(demo.url);
    // The app's five sessions are open (c1–c5).
    await expect(page.getByTestId('count-connections')).toHaveText('5', { timeout: 20_000 });
  }

  test("a listener's owner opens that connection", async ({ page }) => {
    await open(page);
    await openTab(page, 'Listeners');
    await page.getByRole('grid', { name: 'Listeners' }).getByRole('gridcell', { name: 'l1', exact: true }).click();
    await details(page, 'Listener').getByRole('button', { name: 'alive c1' }).click();
    await expect(page.getByRole('tab', { name: 'Connections' })).toHaveAttribute('aria-selected', 'true');
    await expect(details(page, 'Connection').getByRole('heading', { name: 'Connection c1' })).toBeVisible();
  });

  test("a finding's subjects open the emitter's listeners and the connection", async ({ page }) => {
    await open(page);
    await openTab(page, 'Findings');
    const growth = page.getByRole('list', { name: 'Findings' }).getByRole('listitem', { name: /^listener-growth:/ }).first();
    await growth.getByRole('button', { name: 'e1', exact: true }).click();
    await expect(page.getByRole('tab', { name: 'Listeners' })).toHaveAttribute('aria-selected', 'true');
    await expect(page.getByRole('group', { name: 'Scope' })).toContainText('Emitter manager (e1) only');
    await expect(page.getByRole('grid', { name: 'Listener groups' }).getByRole('row')).toHaveCount(4);

    await openTab(page, 'Findings');
    await growth.getByRole('button', { name: 'c2', exact: true }).click();
    await expect(details(page, 'Connection').getByRole('heading', { name: 'Connection c2' })).toBeVisible();
  });

  test('a Sessions row opens its connection, by mouse and by keyboard from row 1', async ({ page }) => {
    await open(page);
    const sessions = page.getByRole('grid', { name: 'Sessions' });
    await sessions.getByRole('row', { name: /reload 2/ }).click();
    await expect(page.getByRole('tab', { name: 'Connections' })).toHaveAttribute('aria-selected', 'true');
    await expect(details(page, 'Connection').getByRole('heading', { name: 'Connection c2' })).toBeVisible();
    await expect(page.getByRole('grid', { name: 'Connections' }).getByRole('row', { selected: true })).toContainText('c2');

    await openTab(page, 'Overview');
    await sessions.focus();
    await page.keyboard.press('ArrowDown');
    const active = await sessions.getAttribute('aria-activedescendant');
    await expect(page.locator(`[id="${active}"]`)).toContainText('reload 1');
    await page.keyboard.press('Enter');
    await expect(details(page, 'Connection').getByRole('heading', { name: 'Connection c1' })).toBeVisible();
  });

  test('an Overview finding opens that finding, not the top of the list', async ({ page }, testInfo) => {
    await open(page);
    const summary = page.getByRole('list', { name: 'Open findings summary' });
    const link = summary.getByRole('button', { name: /connection-growth/ });
    await link.click();
    const finding = page.getByRole('list', { name: 'Findings' }).getByRole('listitem', { name: /^connection-growth:/ });
    await expect(finding).toHaveAttribute('aria-current', 'true');
    await expect(finding).toBeFocused();
    await expect(finding).toBeInViewport();
    await snap(page, testInfo, 'finding-linked');
  });

  test('a teardown that wrote after end is not called clean', async ({ page }) => {
    await open(page);
    await openTab(page, 'Connections');
    await page.getByRole('button', { name: 'Disconnect c1' }).click();
    const trace = page.getByRole('article', { name: 'Trace disconnect c1' });
    const verdict = trace.getByRole('status', { name: 'Verdict' });
    await expect(verdict).toHaveText(/^closed, with errors: ERR_STREAM_WRITE_AFTER_END/, { timeout: 10_000 });
    await expect(verdict).not.toHaveText(/^clean$/);
  });
});

test.describe('the stuck peer', () => {
  let demo: RunningDemo;
  test.beforeAll(async () => {
    demo = await startDemo('stuck-peer');
  });
  test.afterAll(async () => {
    await demo?.stop();
  });

  test('a stuck Disconnect names the state the row and the timeline show, and its action subject opens the trace', async ({ page }, testInfo) => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(demo.url);
    await openTab(page, 'Connections');
    const grid = page.getByRole('grid', { name: 'Connections' });
    await grid.getByRole('button', { name: 'Disconnect c1' }).click();
    const verdict = page.getByRole('article', { name: 'Trace disconnect c1' }).getByRole('status', { name: 'Verdict' });
    await expect(verdict).toHaveText(/^stuck: /, { timeout: 10_000 });
    const row = grid.getByRole('row').filter({ has: page.getByRole('gridcell', { name: 'c1', exact: true }) });
    const column = (await grid.getByRole('columnheader').allTextContents()).indexOf('state');
    const state = (await row.getByRole('gridcell').nth(column).textContent())!;
    expect(state).toBe('closing');
    await expect(verdict).toHaveText(new RegExp(`^stuck: ${state},`));
    await openTab(page, 'Timeline');
    await expect(page.getByRole('list', { name: 'Connection lanes' }).getByRole('button', { name: new RegExp(`^c1 ${state},`) })).toBeVisible();
    await snap(page, testInfo, 'stuck-consistent');

    // Its stuck-teardown finding names the action: the link reopens that trace.
    await openTab(page, 'Connections');
    await page.getByRole('button', { name: 'Close trace disconnect c1' }).click();
    await openTab(page, 'Findings');
    const stuck = page.getByRole('list', { name: 'Findings' }).getByRole('listitem', { name: /^stuck-teardown:/ });
    // The finding names the state as the row, the timeline and the verdict do.
    await expect(stuck).toContainText(`the connection was still ${state},`);
    await stuck.getByRole('button', { name: 'a1', exact: true }).click();
    await expect(page.getByRole('tab', { name: 'Connections' })).toHaveAttribute('aria-selected', 'true');
    await expect(page.getByRole('article', { name: 'Trace disconnect c1' })).toBeVisible();
  });
});
