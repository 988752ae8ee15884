/**
 * Browser-side security, in a real Chromium: what a web page from another
 * origin can do to an agent and to the hub on this machine.
 *
 * The attacker page is served from `http://attacker.localhost:PORT`. Chromium
 * resolves every `*.localhost` name to loopback without asking DNS, so the
 * page really reaches the agent's and the hub's loopback ports, exactly like
 * a hostile site after DNS rebinding or a page on another local dev server —
 * but its Origin (and a rebinding Host) is not a loopback literal or
 * `localhost` itself, which is what the agent and hub must refuse. The same
 * page served from `http://127.0.0.1:PORT` is the positive control: it proves
 * the probes work, so a refusal is a refusal and not a broken test.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test, type Page } from '@playwright/test';
import { createAgent, type Agent } from '../agent/index.js';
import { startInspectorServer, type InspectorServer } from '../inspector/server/index.js';
import { startCli } from '../inspector/server/attach.test-util.js';

test.describe.configure({ mode: 'serial' });

const AGENT_TOKEN = 'agent-secret-0f9e8d7c6b5a';
const HUB_TOKEN = 'hub-secret-1a2b3c4d5e6f';

let agent: Agent;
let hub: InspectorServer;
let attacker: Server;
let attackerPort: number;

/** The attacker's page: opens WebSockets on request and reports what happened. */
const ATTACKER_PAGE = `<!doctype html><meta charset="utf-8"><title>attacker</title><script>
window.probe = (url, authToken) => new Promise((resolve) => {
  const result = { url, opened: false, messages: [], code: null };
  let ws;
  try { ws = new WebSocket(url); } catch (e) { result.code = 'throw'; return resolve(result); }
  ws.onopen = () => {
    result.opened = true;
    if (authToken !== undefined) ws.send(JSON.stringify({ type: 'auth', id: 1, token: authToken }));
    else setTimeout(() => ws.close(), 300);
  };
  ws.onmessage = (e) => { result.messages.push(String(e.data).slice(0, 200)); };
  ws.onclose = (e) => { result.code = e.code; resolve(result); };
});
</script><p>nothing to see</p>`;

test.beforeAll(async () => {
  agent = createAgent({ port: 0, token: AGENT_TOKEN, logger: false, autoInstrument: false, name: 'security-e2e' });
  await agent.ready;
  hub = await startInspectorServer({ port: 0, token: HUB_TOKEN, logger: { warn: () => {}, error: () => {} } });
  attacker = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(ATTACKER_PAGE);
  });
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  attackerPort = (attacker.address() as AddressInfo).port;
});

test.afterAll(async () => {
  await agent?.close();
  await hub?.close();
  await new Promise((resolve) => attacker?.close(resolve));
});

interface ProbeResult {
  url: string;
  opened: boolean;
  messages: string[];
  code: number | string | null;
}

function probe(page: Page, url: string, authToken?: string): Promise<ProbeResult> {
  return page.evaluate(([u, t]) => (window as unknown as { probe(u: string, t?: string): Promise<ProbeResult> }).probe(u!, t), [url, authToken] as const);
}

test('a page from another origin on loopback cannot open a WebSocket to the agent or the hub, with or without a token', async ({ page }) => {
  const agentBase = `ws://127.0.0.1:${agent.port}/`;
  const hubBase = `ws://127.0.0.1:${hub.port}`;

  // Positive control from a loopback origin: the right tokens get in, guessed ones do not.
  await page.goto(`http://127.0.0.1:${attackerPort}/`);
  const control = await probe(page, `${agentBase}?token=${AGENT_TOKEN}`);
  expect(control.opened).toBe(true);
  expect(control.messages[0]).toContain('"type":"hello"');
  expect((await probe(page, `${hubBase}/ui?token=${HUB_TOKEN}`)).opened).toBe(true);
  expect(await probe(page, `${agentBase}?token=guessed`)).toMatchObject({ opened: false, messages: [] });
  expect(await probe(page, `${hubBase}/ui?token=guessed`)).toMatchObject({ opened: false, messages: [] });
  // Without a token on the URL the agent waits for `auth`; a guessed one closes with 4401 and nothing leaks.
  expect(await probe(page, agentBase, 'guessed')).toMatchObject({ opened: true, code: 4401, messages: [expect.stringContaining('UNAUTHORIZED')] });

  // The attacker's origin: nothing opens, whatever the token — even the real one.
  await page.goto(`http://attacker.localhost:${attackerPort}/`);
  expect(await page.evaluate(() => location.origin)).toBe(`http://attacker.localhost:${attackerPort}`);
  const attempts = [
    await probe(page, agentBase, AGENT_TOKEN),
    await probe(page, `${agentBase}?token=guessed`),
    await probe(page, `${agentBase}?token=${AGENT_TOKEN}`),
    await probe(page, `ws://localhost:${agent.port}/?token=${AGENT_TOKEN}`),
    await probe(page, `${hubBase}/ui`),
    await probe(page, `${hubBase}/ui?token=guessed`),
    await probe(page, `${hubBase}/ui?token=${HUB_TOKEN}`),
    await probe(page, `${hubBase}/target/x?token=${HUB_TOKEN}`),
    await probe(page, `${hubBase}/agent?token=${HUB_TOKEN}`),
  ];
  for (const attempt of attempts) expect(attempt, attempt.url).toMatchObject({ opened: false, messages: [] });
  // Reading the agent's /status is refused too (no CORS grant for that origin).
  const status = await page.evaluate((url) => fetch(url).then((r) => `status ${r.status}`, () => 'blocked'), `http://127.0.0.1:${agent.port}/status?token=${AGENT_TOKEN}`);
  expect(status).toBe('blocked');
  expect(agent.inspectors).toBe(0);
});

test('a rebinding-style Host header is refused by the agent and by the hub', async ({ page }) => {
  // `rebind.localhost` reaches 127.0.0.1, as a rebound public name would, and carries its own name in Host.
  const agentStatus = await page.goto(`http://rebind.localhost:${agent.port}/status?token=${AGENT_TOKEN}`);
  expect(agentStatus?.status()).toBe(403);
  expect(await agentStatus?.text()).toBe('Forbidden host');
  const hubPage = await page.goto(`http://rebind.localhost:${hub.port}/?token=${HUB_TOKEN}`);
  expect(hubPage?.status()).toBe(403);
  expect(await hubPage?.text()).not.toContain(HUB_TOKEN);
  // The same requests with a loopback Host are served: the refusal is the Host check.
  expect((await page.goto(`http://127.0.0.1:${agent.port}/status?token=${AGENT_TOKEN}`))?.status()).toBe(200);
  expect((await page.goto(`http://localhost:${hub.port}/?token=${HUB_TOKEN}`))?.status()).toBe(200);
});

test('the inspector UI loads nothing from outside and never sends the token in a Referer', async ({ page }) => {
  const uiOrigin = `http://127.0.0.1:${hub.port}`;
  const requests: { url: string; referer: string | undefined }[] = [];
  const sockets: string[] = [];
  page.on('request', (request) => requests.push({ url: request.url(), referer: request.headers()['referer'] }));
  page.on('websocket', (ws) => sockets.push(ws.url()));

  // Straight to the agent (token in ?agent=), then through the hub (token in the page URL).
  await page.goto(`${uiOrigin}/?agent=${encodeURIComponent(agent.url)}`);
  await expect(page.getByRole('status', { name: 'Link state' })).toHaveText(/live/);
  await page.goto(hub.uiUrl);
  await expect(page.locator('body')).not.toBeEmpty();
  await page.waitForLoadState('networkidle');

  expect(requests.length).toBeGreaterThan(0);
  const agentOrigins = [`http://127.0.0.1:${agent.port}`, `ws://127.0.0.1:${agent.port}`];
  for (const { url } of requests) expect([uiOrigin, ...agentOrigins], url).toContain(new URL(url).origin);
  for (const url of sockets) expect([`ws://127.0.0.1:${hub.port}`, ...agentOrigins], url).toContain(new URL(url).origin);
  expect(sockets.some((url) => url.startsWith(`ws://127.0.0.1:${agent.port}`))).toBe(true);
  // No request carries a token in its Referer (the UI sends Referrer-Policy: no-referrer).
  for (const { url, referer } of requests) {
    expect(referer ?? '', url).not.toContain(AGENT_TOKEN);
    expect(referer ?? '', url).not.toContain(HUB_TOKEN);
  }
  // Nor would a link the user follows to a third party: the policy is on every UI response.
  const response = await page.request.get(`${uiOrigin}/`, { headers: { Host: `127.0.0.1:${hub.port}` } });
  expect(response.headers()['referrer-policy']).toBe('no-referrer');
});

test('an <img> on a foreign page pointing at `//` neither kills `serve` nor `demo`', async ({ page }) => {
  test.setTimeout(120_000);
  const serve = startCli(['serve', '--port', '0', '--token', HUB_TOKEN]);
  const demo = startCli(['demo', '--port', '0']);
  try {
    const hubPort = (await serve.printed(/inspector: http:\/\/127\.0\.0\.1:(\d+)\//))[1];
    const demoUrl = new URL((await demo.printed(/^(http:\/\/127\.0\.0\.1:\d+\/\?agent=\S+)$/m))[1]!);
    const demoAgent = new URL(demoUrl.searchParams.get('agent')!);
    const targets = [`http://127.0.0.1:${hubPort}//`, `http://127.0.0.1:${demoUrl.port}//`, `http://127.0.0.1:${demoAgent.port}//`];

    await page.goto(`http://attacker.localhost:${attackerPort}/`);
    const loads = await page.evaluate(
      (urls) =>
        Promise.all(
          urls.map(
            (src) =>
              new Promise<string>((resolve) => {
                const img = document.createElement('img');
                img.onload = () => resolve('load');
                img.onerror = () => resolve('error');
                img.src = src;
                document.body.append(img);
              }),
          ),
        ),
      targets,
    );
    expect(loads).toEqual(['error', 'error', 'error']);

    // Both are still up and serving.
    expect(serve.alive(), serve.stderr()).toBe(true);
    expect(demo.alive(), demo.stderr()).toBe(true);
    expect((await fetch(`http://127.0.0.1:${hubPort}/status?token=${HUB_TOKEN}`)).status).toBe(200);
    expect((await fetch(demoUrl)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${demoAgent.port}/status?token=${demoAgent.searchParams.get('token')}`)).status).toBe(200);
  } finally {
    await Promise.all([serve.stop(), demo.stop()]);
  }
});
