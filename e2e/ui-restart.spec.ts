import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import type { InspectorServer } from '../inspector/server/index.js';
import { connectClient } from './fixtures/ui-backend.js';
import { agentPage, openTab, snap, startUi } from './fixtures/ui-helpers.js';

/**
 * The backend process restarts (same port and token, new instance): the UI
 * reconnects by itself, keeps the first run's history, and marks the restart.
 */
const backendScript = fileURLToPath(new URL('./fixtures/ui-backend-process.ts', import.meta.url));
const TOKEN = 'ui-restart-token';

let ui: InspectorServer;
let child: ChildProcess | undefined;
const clients: Socket[] = [];

interface Ready {
  url: string;
  serverPort: number;
  instance: string;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

function startBackend(port: number): Promise<Ready> {
  const proc = spawn(process.execPath, ['--import', 'tsx', backendScript], {
    env: { ...process.env, AGENT_PORT: String(port), BRIDGESCOPE_TOKEN: TOKEN },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  child = proc;
  return new Promise((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`backend exited early (${code})`)));
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      const message = JSON.parse(line) as Ready & { type: string };
      if (message.type === 'ready') resolve(message);
    });
  });
}

function stopBackend(): Promise<void> {
  const proc = child;
  child = undefined;
  if (!proc || proc.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    proc.once('exit', () => resolve());
    proc.kill('SIGKILL');
  });
}

test.beforeAll(async () => {
  ui = await startUi();
});

test.afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await stopBackend();
});

test.afterAll(async () => {
  await ui?.close();
});

test('the backend restarts: the UI reconnects, keeps history and marks the restart', async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 1400, height: 900 });
  const port = await freePort();
  const first = await startBackend(port);
  await page.goto(agentPage(ui, first.url));
  await expect(page.getByRole('status', { name: 'Link state' })).toHaveText(/live/);
  clients.push(await connectClient(first.serverPort));
  await expect(page.getByTestId('count-connections')).toHaveText('1');

  // The process dies: the UI says so and keeps retrying.
  await stopBackend();
  await expect(page.getByRole('status', { name: 'Link state' })).toHaveText(/reconnecting/);
  await expect(page.getByRole('alert')).toContainText('Reconnecting in');

  const second = await startBackend(port);
  expect(second.instance).not.toBe(first.instance);
  await expect(page.getByRole('status', { name: 'Link state' })).toHaveText(/live/, { timeout: 15_000 });
  await expect(page.getByLabel('Agent identity')).toContainText('run 2');
  clients.push(await connectClient(second.serverPort));

  await openTab(page, 'Connections');
  const table = page.getByRole('grid', { name: 'Connections' });
  // Run 1's connection is still listed, gone with its process; run 2's is live.
  await expect(table.getByRole('row', { name: /#1 c1/ })).toContainText('gone (restart)');
  await expect(table.getByRole('row', { name: /#2 c1/ })).toContainText('open');

  await openTab(page, 'Timeline');
  await expect(page.getByRole('list', { name: 'Connection lanes' }).getByRole('listitem')).toHaveCount(2);
  await expect(page.locator('.timeline')).toContainText('restart');
  await snap(page, testInfo, 'timeline-restart');
  await openTab(page, 'Overview');
  await expect(page.getByRole('figure', { name: 'Connections and listeners over time' })).toContainText('restart');
  await snap(page, testInfo, 'overview-restart');
});

test('a restart does not double the findings, and what the dead process held reads gone, not open', async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  const port = await freePort();
  const first = await startBackend(port);
  await page.goto(agentPage(ui, first.url));
  // Three sessions that never close: the leak's findings, in run 1.
  for (let i = 0; i < 3; i++) clients.push(await connectClient(first.serverPort));
  const badge = async () => Number((await page.getByRole('tab', { name: /^Findings/ }).textContent())!.replace(/\D/g, '') || 0);
  await expect.poll(badge, { timeout: 15_000 }).toBeGreaterThan(0);
  const findings = await badge();

  await stopBackend();
  const second = await startBackend(port);
  await expect(page.getByLabel('Agent identity')).toContainText('run 2', { timeout: 15_000 });
  for (let i = 0; i < 3; i++) clients.push(await connectClient(second.serverPort));
  await openTab(page, 'Findings');
  const list = page.getByRole('list', { name: 'Findings' });
  await expect(list.getByRole('listitem').filter({ hasText: 'run 2' }).filter({ hasNotText: 'ended' })).toHaveCount(findings, { timeout: 15_000 });
  expect(await badge()).toBe(findings);
  await expect(list.getByRole('listitem').filter({ hasText: 'run 1 ended: its process is gone' })).toHaveCount(findings);
  await expect(page.getByRole('status', { name: 'Finding count' })).toHaveText(`${findings} open · 0 resolved · ${findings} from ended runs`);

  await openTab(page, 'Connections');
  const grid = page.getByRole('grid', { name: 'Connections' });
  const column = (await grid.getByRole('columnheader').allTextContents()).indexOf('state');
  const state = (name: RegExp) => grid.getByRole('row', { name }).getByRole('gridcell').nth(column);
  await expect(state(/#1 c1/)).toHaveText('gone (restart)');
  // Open (its client moved on: abandoned).
  await expect(state(/#2 c1/)).toHaveText(/^open/);
  const look = (cell: ReturnType<typeof state>) => cell.evaluate((el) => ({ colour: getComputedStyle(el.firstElementChild!).color, cut: el.scrollWidth > el.clientWidth }));
  const gone = await look(state(/#1 c1/));
  const open = await look(state(/#2 c1/));
  expect(gone.colour).not.toBe(open.colour);
  expect(gone.cut).toBe(false);
  await snap(page, testInfo, 'restart-findings');
});
