import { expect, test, type Page } from '@playwright/test';
import { startInspectorServer, type InspectorServer } from '../inspector/server/index.js';
import { FixtureAgent, RecordingSocket, waitFor } from '../inspector/server/attach.test-util.js';
import { snap } from './fixtures/ui-helpers.js';

/**
 * `bridgescope serve` as a user meets it: two backends dial the hub from
 * their own processes, both appear in the UI's target list, and one that is
 * killed and restarted continues its timeline with a restart marker.
 */
test.describe.configure({ mode: 'serial' });

let hub: InspectorServer;
const agents: FixtureAgent[] = [];

function start(name: string, client?: string): FixtureAgent {
  const agent = new FixtureAgent({ HUB_URL: hub.hubUrl, AGENT_NAME: name, ...(client ? { AGENT_CLIENT: client } : {}) });
  agents.push(agent);
  return agent;
}

/** Waits until the hub holds `count` marks of a target, so a kill cannot lose them. */
async function hubHasMarks(key: string, count: number): Promise<void> {
  const ws = new RecordingSocket(`ws://127.0.0.1:${hub.port}/target/${encodeURIComponent(key)}?token=${hub.token}`);
  try {
    await waitFor(
      () => ws.messages.flatMap((m) => (m.type === 'batch' ? (m.events as Array<{ type: string }>) : [])).filter((e) => e.type === 'mark').length >= count,
      `${count} marks of ${key} at the hub`,
    );
  } finally {
    ws.close();
  }
}

test.beforeAll(async () => {
  hub = await startInspectorServer({ port: 0, logger: { warn: () => {}, error: () => {} } });
});

test.afterAll(async () => {
  await Promise.all(agents.map((a) => a.kill()));
  await hub?.close();
});

/** The page runs under the server's strict Content-Security-Policy: nothing of the UI may be blocked by it. */
function cspViolations(page: Page): string[] {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) violations.push(message.text());
  });
  return violations;
}

test('both dialling backends show up in the target list', async ({ page }, testInfo) => {
  const violations = cspViolations(page);
  const alpha = start('alpha');
  const beta = start('beta', 'ios');
  await Promise.all([alpha.ready(), beta.ready()]);
  await alpha.command('connect 2');

  await page.goto(hub.uiUrl);
  const targets = page.getByRole('navigation', { name: 'Targets' }).getByRole('list');
  await expect(targets.getByRole('button', { name: /alpha.*\(live\)/ })).toBeVisible();
  await expect(targets.getByRole('button', { name: /beta · ios.*\(live\)/ })).toBeVisible();
  await expect(targets.getByRole('listitem')).toHaveCount(2);
  await targets.getByRole('button', { name: /beta/ }).click();
  await expect(page.getByLabel('Agent identity')).toContainText('beta');
  await targets.getByRole('button', { name: /alpha/ }).click();
  await expect(page.getByLabel('Agent identity')).toContainText('alpha');
  await snap(page, testInfo, 'attach-targets');
  expect(violations).toEqual([]);
});

test('a restarted backend continues its history with a restart marker', async ({ page }, testInfo) => {
  const [alpha] = agents;
  const violations = cspViolations(page);
  await alpha!.command('mark before-restart');
  await hubHasMarks('alpha', 1);

  await page.goto(hub.uiUrl);
  const targets = page.getByRole('navigation', { name: 'Targets' }).getByRole('list');
  await targets.getByRole('button', { name: /alpha/ }).click();
  const identity = page.getByLabel('Agent identity');
  await expect(identity).toContainText('alpha');

  await alpha!.kill();
  await expect(targets.getByRole('button', { name: /alpha.*\(offline\)/ })).toBeVisible();

  const again = start('alpha');
  await again.ready();
  await again.command('connect 1');
  await expect(targets.getByRole('button', { name: /alpha.*\(live\)/ })).toBeVisible();
  await expect(targets.getByRole('listitem')).toHaveCount(2);
  await expect(identity).toContainText('run 2');

  await page.getByRole('tab', { name: /^Timeline/ }).click();
  await expect(page.getByRole('tabpanel').getByText('restart', { exact: true }).first()).toBeVisible();
  await snap(page, testInfo, 'attach-restart');
  expect(violations).toEqual([]);
});

test('a second live process of a name is listed apart, visibly, and does not take the first one over', async ({ page }) => {
  await page.goto(hub.uiUrl);
  const targets = page.getByRole('navigation', { name: 'Targets' }).getByRole('list');
  await expect(targets.getByRole('button', { name: /beta · ios.*\(live\)/ })).toBeVisible();
  const twin = start('beta', 'ios');
  await twin.ready();
  await expect(targets.getByRole('button', { name: /beta · ios #2 \(live\) another process of this name/ })).toBeVisible();
  await expect(targets.getByRole('button', { name: /^.?\s*beta · ios \(live\)$/ })).toBeVisible();
  await expect(targets.getByRole('listitem')).toHaveCount(3);
});
