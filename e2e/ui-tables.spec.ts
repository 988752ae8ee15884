import { expect, test, type Locator, type Page } from '@playwright/test';
import type { RunningDemo } from '../demo/run.js';
import { collectConsoleProblems, openTab, snap, startDemo } from './fixtures/ui-helpers.js';

/**
 * The tables against the demo's reload leak (real backend and app
 * processes) at 1280×800: a selected row keeps its actions in reach, the
 * header stays aligned, values fit, columns sort, resize and filter, rows
 * copy as JSON, Clear and "peer idle" tell the abandoned connections apart.
 */
test.describe.configure({ mode: 'serial' });

let demo: RunningDemo;

test.beforeAll(async () => {
  demo = await startDemo('reload-leak');
});

test.afterAll(async () => {
  await demo?.stop();
});

async function openConnections(page: Page): Promise<Locator> {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(demo.url);
  await openTab(page, 'Connections');
  const grid = page.getByRole('grid', { name: 'Connections' });
  // The app's five sessions, c1–c5 (the agent's own inspector link is another server's).
  await expect(grid.getByRole('row').filter({ hasText: /unix/ })).toHaveCount(5, { timeout: 20_000 });
  return grid;
}

const row = (grid: Locator, id: string) => grid.getByRole('row').filter({ has: grid.page().getByRole('gridcell', { name: id, exact: true }) });

async function columnIndex(grid: Locator, name: string): Promise<number> {
  const names = await grid.getByRole('columnheader').allTextContents();
  const index = names.findIndex((n) => n.replace(/[▲▼]/g, '').trim() === name);
  expect(index, `column ${name} in ${names.join(', ')}`).toBeGreaterThanOrEqual(0);
  return index;
}

function bytes(text: string): number {
  const [value, unit] = text.trim().split(/\s+/);
  return Number(value) * ({ B: 1, KiB: 1024, MiB: 1024 * 1024 }[unit as 'B'] ?? NaN);
}

function ms(text: string): number {
  const [value, unit] = text.trim().split(/\s+/);
  return Number(value) * ({ ms: 1, s: 1000, min: 60_000 }[unit as 'ms'] ?? NaN);
}

test('at 1280 px a selected row keeps Disconnect and Close in reach, aligned with its header, values whole', async ({ page }, testInfo) => {
  const problems = collectConsoleProblems(page);
  const grid = await openConnections(page);
  await row(grid, 'c1').getByRole('gridcell').first().click();
  await expect(page.getByRole('complementary', { name: 'Connection details' })).toBeVisible();
  for (const name of ['Disconnect c1', 'Close c1']) {
    const button = grid.getByRole('button', { name });
    await expect(button).toBeInViewport({ ratio: 1 });
    // Nothing covers it: a click would land on it.
    await button.click({ trial: true });
  }
  await snap(page, testInfo, 'connections-1280-selected');

  // Scrolled sideways, every header cell stays over its column.
  await grid.evaluate((el) => (el.scrollLeft = el.scrollWidth));
  const bytesOut = await columnIndex(grid, 'bytes out');
  const header = await grid.getByRole('columnheader').nth(bytesOut).boundingBox();
  const cell = await row(grid, 'c3').getByRole('gridcell').nth(bytesOut).boundingBox();
  expect(header && cell && Math.abs(header.x - cell.x)).toBeLessThan(1);
  expect(header!.width).toBeCloseTo(cell!.width, 0);
  await grid.evaluate((el) => (el.scrollLeft = 0));

  // Bytes fit their cells; the empty client column does not take the room.
  for (const column of ['bytes in', 'bytes out']) {
    const index = await columnIndex(grid, column);
    const cut = await grid.getByRole('row').filter({ hasText: /unix/ }).evaluateAll(
      (rows, i) => rows.map((r) => r.querySelectorAll('[role=gridcell]')[i] as HTMLElement).filter((c) => c.scrollWidth > c.clientWidth).map((c) => c.textContent),
      index,
    );
    expect(cut, `${column} cut off`).toEqual([]);
  }
  const client = await grid.getByRole('columnheader', { name: 'client' }).boundingBox();
  expect(client!.width).toBeLessThan(90);
  // Every cell carries its full value for hover.
  const titles = await row(grid, 'c2').getByRole('gridcell').evaluateAll((cells) => cells.slice(0, -1).every((c) => c.getAttribute('title') === c.textContent));
  expect(titles).toBe(true);
  expect(problems).toEqual([]);
});

test('columns sort both ways, resize from the keyboard, and the filter narrows the rows', async ({ page }) => {
  const grid = await openConnections(page);
  const bytesOut = await columnIndex(grid, 'bytes out');
  const header = grid.getByRole('columnheader', { name: 'bytes out' });
  // Order and values read in one turn of the page: a locator's evaluateAll
  // finds the rows first and reads them in a second round trip, and the
  // live byte counts may re-sort the rows in between.
  const values = async () =>
    (
      await grid.evaluate(
        (el, i) =>
          [...el.querySelectorAll('[role=row]')].filter((r) => r.textContent!.includes('unix')).map((r) => r.querySelectorAll('[role=gridcell]')[i]!.textContent!),
        bytesOut,
      )
    ).map(bytes);
  await header.getByRole('button').click();
  await expect(header).toHaveAttribute('aria-sort', 'ascending');
  const up = await values();
  expect(up).toHaveLength(5);
  expect(up).toEqual([...up].sort((a, b) => a - b));
  await header.getByRole('button').click();
  await expect(header).toHaveAttribute('aria-sort', 'descending');
  const down = await values();
  expect(down).toEqual([...down].sort((a, b) => b - a));

  const clientHeader = grid.getByRole('columnheader', { name: 'client' });
  const before = (await clientHeader.boundingBox())!.width;
  await clientHeader.getByRole('button').focus();
  await page.keyboard.press('Alt+ArrowRight');
  await page.keyboard.press('Alt+ArrowRight');
  await expect.poll(async () => (await clientHeader.boundingBox())!.width).toBeCloseTo(before + 32, 0);

  await page.getByRole('searchbox', { name: 'Filter connections' }).fill('c3');
  await expect(grid.getByRole('row').filter({ hasText: /unix/ })).toHaveCount(1);
  await expect(page.getByRole('status', { name: 'Connections count' })).toContainText('1 of');
});

test('a row, or several picked with Ctrl-click, copy as JSON', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const grid = await openConnections(page);
  await row(grid, 'c2').getByRole('gridcell').first().click();
  await grid.focus();
  await page.keyboard.press('Control+c');
  await expect(page.getByRole('status', { name: 'Connections count' })).toContainText('Copied 1 row as JSON');
  const one = JSON.parse(await page.evaluate(() => navigator.clipboard.readText())) as { id: string; run: number; state: string; bytesIn: number };
  expect(one).toMatchObject({ id: 'c2', run: 1, state: 'open' });
  expect(typeof one.bytesIn).toBe('number');

  await row(grid, 'c4').getByRole('gridcell').first().click({ modifiers: ['Control'] });
  await page.getByRole('button', { name: 'Copy as JSON (2)' }).click();
  await expect(page.getByRole('status', { name: 'Connections count' })).toContainText('Copied 2 rows as JSON');
  const two = JSON.parse(await page.evaluate(() => navigator.clipboard.readText())) as { id: string }[];
  expect(two.map((c) => c.id)).toEqual(['c2', 'c4']);
});

test('"peer idle" counts only what the peer sent: the abandoned sessions read idle, the live one does not', async ({ page }) => {
  const grid = await openConnections(page);
  const idle = await columnIndex(grid, 'peer idle');
  // The backend keeps writing into c1–c4 (their subscriptions): that is not the peer talking.
  await expect
    .poll(async () => ms((await row(grid, 'c1').getByRole('gridcell').nth(idle).textContent())!), { timeout: 15_000 })
    .toBeGreaterThan(2000);
  const live = ms((await row(grid, 'c5').getByRole('gridcell').nth(idle).textContent())!);
  const abandoned = ms((await row(grid, 'c1').getByRole('gridcell').nth(idle).textContent())!);
  expect(live).toBeLessThan(1500);
  expect(abandoned - live).toBeGreaterThan(1000);
});

test('Clear hides what ended before now in every view; All time brings it back', async ({ page }) => {
  const grid = await openConnections(page);
  await grid.getByRole('button', { name: 'Close c1' }).click();
  await expect(row(grid, 'c1')).toContainText('closed');
  await page.getByRole('toolbar', { name: 'Connections tools' }).getByRole('button', { name: 'Clear' }).click();
  await expect(page.getByRole('region', { name: 'Time window' })).toContainText('(cleared)');
  await expect(row(grid, 'c1')).toHaveCount(0);
  await expect(row(grid, 'c2')).toHaveCount(1);
  await openTab(page, 'Timeline');
  await expect(page.getByRole('list', { name: 'Connection lanes' }).getByRole('button', { name: /^c1 / })).toHaveCount(0);
  await page.getByRole('region', { name: 'Time window' }).getByRole('button', { name: 'All time' }).click();
  await expect(page.getByRole('list', { name: 'Connection lanes' }).getByRole('button', { name: /^c1 / })).toHaveCount(1);
});

test('the Events header stays on top while a long log scrolls', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(demo.url);
  await openTab(page, 'Events');
  const grid = page.getByRole('grid', { name: 'Events' });
  await expect.poll(() => grid.evaluate((el) => el.scrollHeight > el.clientHeight * 2)).toBe(true);
  await page.getByLabel('follow tail').uncheck();
  const header = grid.getByRole('columnheader', { name: 'seq' });
  const top = (await header.boundingBox())!.y;
  await grid.evaluate((el) => (el.scrollTop = el.scrollHeight / 2));
  await expect.poll(async () => (await header.boundingBox())!.y).toBe(top);
  await expect(header).toBeInViewport();
});
