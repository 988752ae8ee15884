import { expect, test, type Page } from '@playwright/test';
import { startInspectorServer, type InspectorServer } from '../inspector/server/index.js';
import { FixtureAgent } from '../inspector/server/attach.test-util.js';
import { openTab, snap } from './fixtures/ui-helpers.js';

/**
 * Hub mode when the target's backend dies and comes back: the header says
 * offline and why (the socket to the hub itself stays up), uptime stops,
 * actions turn off and say why, a running action's trace stops waiting; the
 * restarted backend is run 2 and its findings are not counted twice.
 */
test.describe.configure({ mode: 'serial' });

let hub: InspectorServer;
const agents: FixtureAgent[] = [];

function backend(): FixtureAgent {
  const agent = new FixtureAgent({ HUB_URL: hub.hubUrl, AGENT_NAME: 'hub-backend' });
  agents.push(agent);
  return agent;
}

test.beforeAll(async () => {
  hub = await startInspectorServer({ port: 0, logger: { warn: () => {}, error: () => {} } });
});

test.afterAll(async () => {
  await Promise.all(agents.map((a) => a.kill()));
  await hub?.close();
});

const linkState = (page: Page) => page.getByRole('status', { name: 'Link state' });
const badge = async (page: Page) => Number((await page.getByRole('tab', { name: /^Findings/ }).textContent())!.replace(/\D/g, '') || 0);

/** A teardown that cannot finish (its client never answers our FIN): a stuck verdict and a stuck-teardown finding. */
async function stuckTeardown(page: Page, agent: FixtureAgent, conn: string): Promise<void> {
  await agent.command('stuck 1');
  await page.getByRole('grid', { name: 'Connections' }).getByRole('button', { name: `Disconnect ${conn}` }).click();
  // The newest card: a trace of the previous run's c1 may still be open beside it.
  await expect(page.getByRole('article', { name: `Trace disconnect ${conn}` }).last().getByRole('status', { name: 'Verdict' })).toHaveText(/^stuck: /, { timeout: 10_000 });
}

test('a dead target reads offline with the reason, stops its clock and its actions; its restart does not double the findings', async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  const first = backend();
  await first.ready();
  await page.goto(hub.uiUrl);
  await expect(linkState(page)).toHaveText(/^live/);
  await openTab(page, 'Connections');
  await stuckTeardown(page, first, 'c1');
  await expect.poll(() => badge(page), { timeout: 15_000 }).toBeGreaterThan(0);

  // Another teardown is running when the backend dies.
  await first.command('stuck 1');
  const grid = page.getByRole('grid', { name: 'Connections' });
  await grid.getByRole('button', { name: 'Disconnect c2' }).click();
  await expect(page.getByRole('article', { name: 'Trace disconnect c2' })).toBeVisible();
  const firstRun = await badge(page);
  await first.kill();

  await expect(linkState(page)).toHaveText(/^offline.*disconnected from the hub at \d\d:\d\d:\d\d/);
  await expect(page.getByRole('navigation', { name: 'Targets' }).getByRole('button', { name: /hub-backend/ })).toContainText('offline');
  await expect(page.getByRole('article', { name: 'Trace disconnect c2' }).getByRole('status', { name: 'Verdict' })).toHaveText(/^no verdict: /);
  const close = grid.getByRole('button', { name: 'Close c2' });
  await expect(close).toBeDisabled();
  await expect(close).toHaveAttribute('title', /not connected \(offline\)/);
  const uptime = page.getByLabel('Agent identity').getByText(/^(up|ran) /);
  await expect(uptime).toHaveText(/^ran /);
  const stopped = await uptime.textContent();
  await page.waitForTimeout(1500);
  await expect(uptime).toHaveText(stopped!);
  await snap(page, testInfo, 'hub-offline');

  // The backend restarts and gets stuck the same way: run 2; the badge counts run 2's findings only.
  const second = backend();
  await second.ready();
  await expect(linkState(page)).toHaveText(/^live/, { timeout: 15_000 });
  await expect(page.getByLabel('Agent identity')).toContainText('run 2');
  await stuckTeardown(page, second, 'c1');
  await openTab(page, 'Findings');
  const list = page.getByRole('list', { name: 'Findings' });
  const secondRun = list.getByRole('listitem').filter({ hasText: 'run 2' }).filter({ hasNotText: 'ended' });
  await expect(secondRun.first()).toBeVisible({ timeout: 10_000 });
  await expect(list.getByRole('listitem').filter({ hasText: 'run 1 ended: its process is gone' })).toHaveCount(firstRun);
  expect(await badge(page)).toBe(await secondRun.count());
  await snap(page, testInfo, 'hub-restarted-findings');
});
