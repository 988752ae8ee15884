import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { Dialer } from './dial.js';
import { FakeHub, fakeCore, publishMarks, silent, waitFor, type FakeCore } from './harness.test-util.js';
import { Pump } from '../../shared/node/protocol-server/pump.js';
import { SessionSet } from './sessions.js';

interface DialStack {
  core: FakeCore;
  dialer: Dialer;
  sessions: SessionSet;
  errors: (Error & { code?: string })[];
  close(): Promise<void>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function dialStack(url: string, delays: { minDelay?: number; maxDelay?: number } = {}): DialStack {
  const core = fakeCore();
  const config = { token: 'agent-token', batchSize: 500, flushInterval: 10, sendBudget: 1 << 22, maxMessageSize: 65536, heartbeatInterval: 15_000, authTimeout: 5000 };
  const pump = new Pump(core.log, config, silent);
  const sessions = new SessionSet(core, pump, config, { inspector() {}, inspectorLeft() {} }, silent);
  const errors: (Error & { code?: string })[] = [];
  const dialer = new Dialer({ url, maxMessageSize: 65536, minDelay: 50, maxDelay: 400, ...delays }, sessions, { error: (e) => errors.push(e) }, silent);
  dialer.start();
  const stack = {
    core,
    dialer,
    sessions,
    errors,
    async close() {
      dialer.stop();
      await sessions.closeAll(200);
      pump.close();
    },
  };
  cleanups.push(() => stack.close());
  return stack;
}

async function hub(port = 0, pairingToken = 'PAIRING'): Promise<FakeHub> {
  const h = await FakeHub.start(port, pairingToken);
  cleanups.push(() => h.kill());
  return h;
}

describe('dial mode', () => {
  it('sends hello, waits for subscribe, then streams; after a hub restart it resumes without loss', async () => {
    const first = await hub();
    const agent = dialStack(`ws://127.0.0.1:${first.port}/agent?token=PAIRING`);
    publishMarks(agent.core, 3, 'early');
    await waitFor(() => first.links.length === 1, 'the agent to dial in');
    // The pairing token never travels: the agent dials with a challenge the hub must answer.
    expect(first.urls[0]).toMatch(/^\/agent\?challenge=[A-Za-z0-9_-]{22}$/);
    expect(first.keys).toHaveLength(1);
    const link = first.links[0]!;
    await link.until(() => link.messages.length === 1, 'hello');
    expect(link.messages[0]).toMatchObject({ type: 'hello', lastSeq: 3, agent: { instance: 'inst-1' } });
    // Nothing streams before the hub subscribes.
    await new Promise((r) => setTimeout(r, 100));
    expect(link.messages).toHaveLength(1);
    expect(await link.request({ type: 'subscribe', id: 1 })).toMatchObject({ result: { lastSeq: 3 } });
    publishMarks(agent.core, 4, 'live');
    await link.until(() => link.events().length === 7, 'seven events');
    const lastSeen = link.events().at(-1)!.seq;

    const port = first.port;
    await first.kill();
    publishMarks(agent.core, 6, 'while-the-hub-is-down');
    const second = await hub(port);
    await waitFor(() => second.links.length === 1, 'the agent to reconnect', 10_000);
    const again = second.links[0]!;
    await again.until(() => again.of('hello').length === 1, 'hello again');
    expect(again.of('hello')[0]).toMatchObject({ lastSeq: 13, agent: { instance: 'inst-1' } });
    await again.request({ type: 'subscribe', id: 2, since: lastSeen });
    publishMarks(agent.core, 2, 'after');
    await again.until(() => again.events().length === 8, 'the missed and new events');
    expect(again.events().map((e) => e.seq)).toEqual([8, 9, 10, 11, 12, 13, 14, 15]);
    expect(again.of('gap')).toEqual([]);
    // The same process shows the same instance key on every link: how the hub knows it is not an impostor.
    expect(second.keys).toEqual(first.keys);
  });

  it('sends nothing — no token, no hello, no events — to a server that cannot prove the pairing token', async () => {
    const squatter = await hub(0, 'NOT-THE-PAIRING-TOKEN');
    const agent = dialStack(`ws://127.0.0.1:${squatter.port}/agent?token=PAIRING`, { maxDelay: 150 });
    publishMarks(agent.core, 5, 'secret');
    await waitFor(() => agent.errors.length >= 2, 'two refusals');
    expect(agent.errors[0]!.code).toBe('HUB_UNVERIFIED');
    expect(agent.errors[0]!.message).toMatch(/did not prove it holds the pairing token/);
    for (const link of squatter.links) expect(link.closeCode).toBe(4401);
    expect(squatter.urls.join(' ')).not.toContain('PAIRING');
    expect(squatter.received).toEqual([]);
    expect(squatter.keys).toEqual([]);
  });

  it('reports an HTTP 401 (a hub older than pairing, or no hub) as UNAUTHORIZED without the token, and keeps retrying', async () => {
    const refusing = new WebSocketServer({ port: 0, host: '127.0.0.1', verifyClient: (_info, cb) => cb(false, 401) });
    await new Promise<void>((resolve) => refusing.once('listening', resolve));
    cleanups.push(() => new Promise<void>((resolve) => refusing.close(() => resolve())));
    const agent = dialStack(`ws://127.0.0.1:${(refusing.address() as AddressInfo).port}/?token=WRONG`, { maxDelay: 150 });
    await waitFor(() => agent.errors.length >= 2, 'two refusals');
    expect(agent.errors[0]!.code).toBe('UNAUTHORIZED');
    expect(agent.errors[0]!.message).toMatch(/refused the connection \(HTTP 401\)/);
    expect(agent.errors[0]!.message).not.toContain('WRONG');
  });

  it('says a malformed dial URL once, as INVALID_DIAL_URL, without the token in it', async () => {
    for (const url of ['ws://[not-a-host/agent?token=SECRET-1', 'ftp://127.0.0.1:1/agent?token=SECRET-2', 'ws://127.0.0.1:1/agent']) {
      const agent = dialStack(url);
      expect(agent.errors.map((e) => e.code)).toEqual(['INVALID_DIAL_URL']);
      expect(agent.errors[0]!.message).not.toMatch(/SECRET/);
    }
  });

  it('keeps retrying while nothing listens, and connects once the hub appears', async () => {
    const probe = await FakeHub.start();
    const port = probe.port;
    await probe.kill();
    const agent = dialStack(`ws://127.0.0.1:${port}/?token=PAIRING`);
    await new Promise((r) => setTimeout(r, 300));
    const late = await hub(port);
    await waitFor(() => late.links.length === 1, 'the agent to connect', 10_000);
    expect(agent.errors).toEqual([]);
  });
});
