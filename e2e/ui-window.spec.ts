import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import type { RunningDemo } from '../demo/run.js';
import { startInspectorServer, type InspectorServer } from '../inspector/server/index.js';
import { collectConsoleProblems, openTab, snap, startDemo } from './fixtures/ui-helpers.js';
import { reloadLeakLines, writeRecording } from './fixtures/ui-recordings.js';

/**
 * One time window: the brush keeps what you drag, the window bar resets
 * it, the charts read clearly (distinct, evenly spaced times, axis titles,
 * an axis up to now, markers that stay apart), and a link holds the view.
 */
test.describe.configure({ mode: 'serial' });

let demo: RunningDemo;

test.beforeAll(async () => {
  demo = await startDemo('reload-leak');
});

test.afterAll(async () => {
  await demo?.stop();
});

async function openOverview(page: Page): Promise<void> {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(demo.url);
  // The app's five sessions are open (c1–c5).
  await expect(page.getByTestId('count-connections')).toHaveText('5', { timeout: 20_000 });
}

const windowBar = (page: Page) => page.getByRole('region', { name: 'Time window' });
const value = async (slider: Locator) => Number(await slider.getAttribute('aria-valuenow'));

async function drag(page: Page, from: { x: number; y: number }, toX: number): Promise<void> {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move((from.x + toX) / 2, from.y, { steps: 4 });
  await page.mouse.move(toX, from.y, { steps: 4 });
  await page.mouse.up();
}

test('live, the brush handles are sliders announced as clock times, and nothing logs an error', async ({ page }) => {
  const problems = collectConsoleProblems(page);
  await openOverview(page);
  const start = page.getByRole('slider', { name: 'Window start' });
  const end = page.getByRole('slider', { name: 'Window end' });
  const min = Number(await start.getAttribute('aria-valuemin'));
  await start.focus();
  for (let i = 0; i < 5; i++) await page.keyboard.press('Shift+ArrowRight');
  await expect(windowBar(page)).toContainText('Window');
  expect(await value(start)).toBeGreaterThan(min);
  await expect(start).toHaveAttribute('aria-valuetext', /^\d\d:\d\d:\d\d\.\d{3}$/);
  const box = (await end.boundingBox())!;
  await drag(page, { x: box.x + box.width / 2, y: box.y + box.height / 2 }, box.x - 100);
  await expect(end).not.toHaveAttribute('aria-valuetext', /now/);
  await page.waitForTimeout(1500);
  expect(problems).toEqual([]);
});

test('charts: distinct, evenly spaced times with axis titles, up to now', async ({ page }) => {
  await openOverview(page);
  const figure = page.getByRole('figure', { name: 'Connections and listeners over time' });
  await expect(figure.getByText(/^local time \(h:min(:s)?(\.ms)?\)$/)).toBeVisible();
  await expect(figure.getByText('open (count)')).toBeVisible();
  // The leak stops growing after reload 5; the axis keeps going to now.
  const lastOpened = (await page.getByRole('grid', { name: 'Sessions' }).getByRole('row', { name: /reload 5/ }).getByRole('gridcell').nth(3).textContent())!;
  await page.waitForTimeout(4000);
  const TICKS = '.recharts-xAxis-tick-labels text';
  const ticks = figure.locator(TICKS);
  await expect.poll(async () => (await ticks.allTextContents()).at(-1)! > lastOpened.slice(0, 8)).toBe(true);
  // Labels and their centres (digits differ in width) read in one turn of
  // the page: the axis moves with the clock, and a locator's evaluateAll
  // reads nodes found in an earlier round trip.
  const tickLabels = await figure.evaluate(
    (el, selector) => [...el.querySelectorAll(selector)].map((n) => ({ text: n.textContent!, x: n.getBoundingClientRect().x + n.getBoundingClientRect().width / 2 })),
    TICKS,
  );
  const labels = tickLabels.map((t) => t.text);
  expect(new Set(labels).size).toBe(labels.length);
  const xs = tickLabels.map((t) => t.x);
  const gaps = xs.slice(1).map((x, i) => x - xs[i]!);
  for (const gap of gaps) expect(Math.abs(gap - gaps[0]!)).toBeLessThan(1.5);
  const seconds = (clock: string) => clock.split(':').reduce((n, part) => n * 60 + Number(part), 0);
  expect(seconds(labels.at(-1)!) - seconds(lastOpened.slice(0, 8))).toBeGreaterThanOrEqual(2);
});

test.describe('a long recording', () => {
  let hub: InspectorServer;
  test.beforeAll(async () => {
    const file = writeRecording(join(mkdtempSync(join(tmpdir(), 'bridgescope-e2e-')), 'long.ndjson'), reloadLeakLines(400, 250));
    hub = await startInspectorServer({ port: 0, open: file, logger: { warn: () => {}, error: () => {} } });
  });
  test.afterAll(async () => {
    await hub?.close();
  });

  test('the brush keeps what you drag, moves as a whole, and All time resets it, with no console errors', async ({ page }, testInfo) => {
    const problems = collectConsoleProblems(page);
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(hub.uiUrl);
    const brush = page.getByRole('group', { name: 'Time window brush' });
    const start = brush.getByRole('slider', { name: 'Window start' });
    const end = brush.getByRole('slider', { name: 'Window end' });
    await expect(end).toHaveAttribute('aria-valuetext', /^\d\d:\d\d:\d\d\.\d{3}$/);
    // With no window the handles sit at the two ends of the track.
    const startBox = (await start.boundingBox())!;
    const endBox = (await end.boundingBox())!;
    const track = { x: startBox.x + startBox.width / 2, width: endBox.x - startBox.x };

    // The right handle to the middle: the window ends at the time dropped on, and stays so.
    const min = Number(await end.getAttribute('aria-valuemin'));
    const max = Number(await end.getAttribute('aria-valuemax'));
    const middle = track.x + track.width / 2;
    await drag(page, { x: endBox.x + endBox.width / 2, y: endBox.y + endBox.height / 2 }, middle);
    await expect(windowBar(page)).toContainText('Window');
    const dropped = min + (max - min) / 2;
    const windowEnd = await value(end);
    expect(Math.abs(windowEnd - dropped)).toBeLessThan((max - min) * 0.01);
    await page.waitForTimeout(1000);
    expect(await value(end)).toBe(windowEnd);
    const kept = (await end.boundingBox())!;
    expect(Math.abs(kept.x + kept.width / 2 - middle)).toBeLessThan(3);
    await snap(page, testInfo, 'brush-dragged');

    // The selection dragged later: both edges move, it is still a window.
    const startBefore = await value(start);
    const selectionY = kept.y + kept.height / 2;
    await drag(page, { x: (track.x + kept.x) / 2, y: selectionY }, (track.x + kept.x) / 2 + 60);
    await expect.poll(() => value(start)).toBeGreaterThan(startBefore);
    expect(await value(end)).toBeGreaterThan(windowEnd);
    await expect(windowBar(page)).toContainText('Window');

    await windowBar(page).getByRole('button', { name: 'All time' }).click();
    await expect(windowBar(page)).toContainText('All time.');
    expect(await value(start)).toBe(Number(await start.getAttribute('aria-valuemin')));
    expect(problems).toEqual([]);
  });

  test('keeps its reload markers apart and says how many it could not draw', async ({ page }, testInfo) => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(hub.uiUrl);
    const figure = page.getByRole('figure', { name: 'Connections and listeners over time' });
    await expect(figure).toBeVisible();
    await expect(page.getByText(/^\d+ reloads not drawn, too close to the previous one at this scale/)).toBeVisible();
    const drawn = await figure.locator('.chart-markers line').count();
    expect(drawn).toBeGreaterThan(20);
    expect(drawn).toBeLessThan(300);
    await snap(page, testInfo, 'long-recording');
  });

  test('a link reopens the same view of a recording: tab, selection and window', async ({ page, browser }) => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(hub.uiUrl);
    const start = page.getByRole('slider', { name: 'Window start' });
    await start.focus();
    for (let i = 0; i < 3; i++) await page.keyboard.press('Shift+ArrowRight');
    await openTab(page, 'Connections');
    await page.getByRole('searchbox', { name: 'Filter connections' }).fill('c350');
    await page.getByRole('grid', { name: 'Connections' }).getByRole('gridcell', { name: 'c350', exact: true }).click();
    await expect(page).toHaveURL(/#connections&select=connection:1:c350&window=\d+-\d+$/);
    const windowText = await windowBar(page).textContent();

    const again = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await again.goto(page.url());
    await expect(again.getByRole('tab', { name: 'Connections' })).toHaveAttribute('aria-selected', 'true');
    await expect(again.getByRole('complementary', { name: 'Connection details' }).getByRole('heading', { name: 'Connection c350' })).toBeVisible();
    await expect(again.getByRole('grid', { name: 'Connections' }).getByRole('row', { selected: true })).toBeInViewport();
    await expect(windowBar(again)).toHaveText(windowText!);
    await again.close();
  });
});

test("a finding's copied link reopens it on a live agent, and a pasted link switches to its view", async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await openOverview(page);
  await openTab(page, 'Findings');
  await page.getByRole('button', { name: /^Copy a link to connection-growth:/ }).click();
  await expect(page).toHaveURL(/#findings&select=finding:1:connection-growth/);
  const link = await page.evaluate(() => navigator.clipboard.readText());
  expect(link).toBe(page.url());

  const again = await context.newPage();
  await again.setViewportSize({ width: 1280, height: 800 });
  await again.goto(link);
  const finding = again.getByRole('list', { name: 'Findings' }).getByRole('listitem', { name: /^connection-growth:/ });
  await expect(finding).toHaveAttribute('aria-current', 'true');
  await expect(finding).toBeFocused();

  // The same page, another link: it follows.
  await again.evaluate(() => (location.hash = '#listeners&select=listener:1:l2'));
  await expect(again.getByRole('tab', { name: 'Listeners' })).toHaveAttribute('aria-selected', 'true');
  await expect(again.getByRole('complementary', { name: 'Listener details' })).toContainText('Listener l2');
  await again.close();
});
