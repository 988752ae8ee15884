import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { Dialer } from './dial.js';
import { Client, fakeCore, publishMarks, silent, waitFor, type FakeCore } from './harness.test-util.js';
import { Pump } from '../../shared/node/protocol-server/pump.js';
import { SessionSet } from './sessions.js';

/** A bare WebSocket server playing the hub: records each agent link as a Client. */
class FakeHub {
  readonly links: Client[] = [];
  readonly urls: string[] = [];
  private constructor(readonly wss: WebSocketServer) {
    wss.on('connection', (ws, req) => {
      this.urls.push(req.url ?? '');
      this.links.push(new Client(ws));
    });
  }

  static async start(port = 0, refuse = false): Promise<FakeHub> {
    const wss = new WebSocketServer({ port, host: '127.0.0.1', ...(refuse ? { verifyClient: (_info: unknown, cb: (ok: boolean, code?: number) => void) => cb(false, 401) } : {}) });
    await new Promise<void>((resolve, reject) => {
      wss.once('listening', resolve);
      wss.once('error', reject);
    });
    return new FakeHub(wss);
  }

  get port(): number {
    return (this.wss.address() as AddressInfo).port;
  }

  /** Kill it: every link dropped without a close handshake, then the port released. */
  async kill(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

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

async function hub(port = 0, refuse = false): Promise<FakeHub> {
  const h = await FakeHub.start(port, refuse);
  cleanups.push(() => h.kill());
  return h;
}

describe('dial mode', () => {
  it('sends hello, waits for subscribe, then streams; after a hub restart it resumes without loss', async () => {
    const first = await hub();
    const agent = dialStack(`ws://127.0.0.1:${first.port}/agent?token=PAIRING`);
    publishMarks(agent.core, 3, 'early');
    await waitFor(() => first.links.length === 1, 'the agent to dial in');
    expect(first.urls[0]).toBe('/agent?token=PAIRING');
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
  });

  it('reports a refused pairing token as UNAUTHORIZED and keeps retrying', async () => {
    const refusing = await hub(0, true);
    const agent = dialStack(`ws://127.0.0.1:${refusing.port}/?token=WRONG`, { maxDelay: 150 });
    await waitFor(() => agent.errors.length >= 2, 'two refusals');
    expect(agent.errors[0]!.code).toBe('UNAUTHORIZED');
    expect(agent.errors[0]!.message).toMatch(/refused the pairing token \(HTTP 401\)/);
    expect(agent.errors[0]!.message).not.toContain('WRONG');
  });

  it('keeps retrying while nothing listens, and connects once the hub appears', async () => {
    const probe = await FakeHub.start();
    const port = probe.port;
    await probe.kill();
    const agent = dialStack(`ws://127.0.0.1:${port}/`);
    await new Promise((r) => setTimeout(r, 300));
    const late = await hub(port);
    await waitFor(() => late.links.length === 1, 'the agent to connect', 10_000);
    expect(agent.errors).toEqual([]);
  });
});
