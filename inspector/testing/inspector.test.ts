import { EventEmitter } from 'node:events';
import { once } from 'node:events';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAgent } from '../../agent/index.js';
import type { Agent } from '../../agent/types.js';
import type { ConnectionModel, Model } from '../../shared/analysis/types.js';
import type { EventInput } from '../../shared/protocol.js';
import { FakeAgent } from '../client/fake-agent.test-util.js';
import { parseRecording } from '../client/recording.js';
import { Target } from '../client/target.js';
import { connectInspector, type Inspector } from './index.js';

/** Short grace periods keep settle() quick; the agent's own analysis is not what we test. */
const analysis = { orphanGrace: 150, handleGrace: 150, halfOpenGrace: 150 };

let agent: Agent;
let manager: EventEmitter;
let servers: Server[];
let clients: Socket[];
/** Client addresses, as the agent reports them as `peer` (kept after the socket closes). */
let peers: Set<string>;
let inspectors: Inspector[];

beforeEach(async () => {
  servers = [];
  clients = [];
  peers = new Set();
  inspectors = [];
  agent = createAgent({ port: 0, name: 'testing-backend', logger: false, actionTimeout: 400 });
  await agent.ready;
  manager = new EventEmitter();
  agent.watchEmitter(manager, { name: 'manager' });
});

afterEach(async () => {
  await Promise.all(inspectors.map((i) => i.close()));
  for (const client of clients) client.destroy();
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  await agent.close();
});

async function attach(url = agent.url): Promise<Inspector> {
  const inspector = await connectInspector(url, { analysis });
  inspectors.push(inspector);
  return inspector;
}

/** A bridge backend: each connection subscribes to the manager; `cleanup` says whether it unsubscribes on close. */
async function startBackend(cleanup: boolean): Promise<number> {
  const server = createServer((socket) => {
    const forward = (): void => {
      if (!socket.destroyed) socket.write('update\n');
    };
    manager.on('update', forward);
    if (cleanup) socket.on('close', () => manager.off('update', forward));
    socket.on('error', () => undefined);
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

async function dial(port: number, options: { allowHalfOpen?: boolean } = {}): Promise<Socket> {
  const client = connect({ port, host: '127.0.0.1', allowHalfOpen: options.allowHalfOpen ?? false });
  client.on('error', () => undefined);
  clients.push(client);
  await once(client, 'connect');
  peers.add(`127.0.0.1:${client.localPort}`);
  return client;
}

/**
 * The backend's connections, found by the client's address: the model also
 * holds the agent's own inspector connections when the agent observes its
 * own WebSocket server.
 */
const backend = (model: Model): ConnectionModel[] => model.connections.filter((c) => c.peer !== undefined && peers.has(c.peer));
const openBackend = (model: Model): ConnectionModel[] => backend(model).filter((c) => c.state !== 'closed');

describe('settle() under steady traffic', () => {
  it('resolves once the findings are stable, though lifecycle events never stop', async () => {
    const leaky = await startBackend(false);
    const churn = await startBackend(true);
    const inspector = await attach();
    // Two sessions of a client that closes properly, on a backend that forgets to unsubscribe them.
    for (let i = 0; i < 2; i++) {
      const client = await dial(leaky);
      await inspector.waitFor((s) => s.listeners.filter((l) => l.removedSeq === undefined).length === i + 1);
      client.end();
      await once(client, 'close');
    }
    // Meanwhile a correct backend serves a steady stream of short connections (each subscribes and
    // unsubscribes): connections open and close, listeners come and go, for as long as settle() runs.
    let stop = false;
    const traffic = (async () => {
      while (!stop) {
        const client = await dial(churn);
        await new Promise((resolve) => setTimeout(resolve, 20));
        client.end();
        await once(client, 'close');
      }
    })();
    try {
      await inspector.settle();
      expect(inspector.findings().map((f) => f.rule).sort()).toEqual(['listener-growth', 'orphan-listener', 'orphan-listener']);
    } finally {
      stop = true;
      await traffic;
    }
  });
});

describe('connectInspector against a real agent', () => {
  it("sees a TCP server's connections and the listeners each one adds, with their owner", async () => {
    const port = await startBackend(true);
    const inspector = await attach();
    expect(inspector.hello.agent.name).toBe('testing-backend');
    await dial(port);
    await dial(port);

    const model = await inspector.waitFor((s) => openBackend(s).length === 2 && s.listeners.filter((l) => l.removedSeq === undefined).length === 2);
    const owners = model.listeners.map((l) => l.owner).sort();
    expect(owners).toEqual(backend(model).map((c) => c.id).sort());
    expect(model.listeners.every((l) => l.emitterName === 'manager' && l.event === 'update')).toBe(true);
    expect(inspector.counts().listeners).toEqual({ manager: 2 });
  });

  it('runs actions and resolves with their verdicts: close is clean, disconnect on a peer that never ends is stuck', async () => {
    const port = await startBackend(true);
    const inspector = await attach();
    await dial(port, { allowHalfOpen: true });
    const [stubborn] = openBackend(await inspector.waitFor((s) => openBackend(s).length === 1));

    const stuck = await inspector.act(stubborn!.id, 'disconnect', { timeout: 300 });
    expect(stuck.verdict).toBe('stuck');
    const clean = await inspector.act(stubborn!.id, 'close');
    expect(clean).toMatchObject({ verdict: 'clean', listenersRemoved: 1 });
    // act() resolves once the settle event is in the model too.
    expect(inspector.state().actions.map((a) => [a.name, a.verdict])).toEqual([
      ['disconnect', 'stuck'],
      ['close', 'clean'],
    ]);
    await expect(inspector.act('no-such-connection', 'close')).rejects.toMatchObject({ code: 'UNKNOWN_CONNECTION' });
  });

  it('reports a backend that forgets its cleanup, and its recording replays to the same findings', async () => {
    const port = await startBackend(false);
    const inspector = await attach();
    const client = await dial(port);
    await inspector.waitFor((s) => s.listeners.length === 1);
    client.end();
    await inspector.waitFor((s) => backend(s).length === 1 && openBackend(s).length === 0);
    await inspector.settle();

    expect(inspector.findings().map((f) => f.rule)).toEqual(['orphan-listener']);
    expect(() => inspector.expectNoLeaks()).toThrow(/orphan-listener/);
    expect(() => inspector.expectNoLeaks({ ignore: ['orphan-listener'] })).not.toThrow();
    let report = '';
    try {
      inspector.expectNoLeaks();
    } catch (error) {
      report = (error as Error).message;
    }
    const [finding] = inspector.findings();
    expect(report).toContain(`${finding!.severity.padEnd(7)} orphan-listener  ${finding!.title}`);
    expect(report).toContain(finding!.message);
    expect(report).toContain(`subjects: ${finding!.subjects.join(', ')}`);

    const parsed = parseRecording(inspector.record());
    expect(parsed.errors).toEqual([]);
    const replay = new Target({ analysis });
    replay.ingestRecording(parsed.lines);
    expect(replay.current()!.findings({ includeResolved: true })).toEqual(inspector.findings({ includeResolved: true }));
  });

  it('cycles(): a reload that abandons its socket grows, one that closes first stays bounded', async () => {
    const port = await startBackend(true);
    const inspector = await attach();
    const leaky = await inspector.cycles(4, async () => {
      await dial(port); // the old socket is abandoned, never closed
    });
    expect(leaky.counts.map((c) => c.listeners.manager)).toEqual([1, 2, 3, 4]);
    const base = leaky.counts[0]!.connections - 1; // the agent's own inspector connections, if it counts them
    expect(leaky.counts.map((c) => c.connections - base)).toEqual([1, 2, 3, 4]);
    expect(leaky.bounded).toEqual({ connections: false, listeners: { manager: false }, handles: {} });
    expect(inspector.state().marks.map((m) => m.label)).toEqual(['cycle:0', 'cycle:1', 'cycle:2', 'cycle:3']);

    for (const client of clients) client.destroy();
    await inspector.waitFor((s) => openBackend(s).length === 0);

    let previous: Socket | undefined;
    const fixed = await inspector.cycles(4, async () => {
      if (previous) {
        previous.end();
        await once(previous, 'close');
      }
      previous = await dial(port);
    });
    expect(fixed.counts.map((c) => c.listeners.manager)).toEqual([1, 1, 1, 1]);
    expect(fixed.counts.map((c) => c.connections - base)).toEqual([1, 1, 1, 1]);
    expect(fixed.bounded).toEqual({ connections: true, listeners: { manager: true }, handles: {} });
  });

  it('mark() puts a mark in the model, waitFor() times out with TIMEOUT', async () => {
    const inspector = await attach();
    await inspector.mark('before-reload');
    expect(inspector.state().marks.map((m) => m.label)).toEqual(['before-reload']);
    await expect(inspector.waitFor(() => false, { timeout: 100 })).rejects.toMatchObject({ code: 'TIMEOUT' });
  });
});

describe('connectInspector errors', () => {
  it('rejects with UNREACHABLE when nothing listens, UNAUTHORIZED for a wrong token, BAD_URL for a bad URL', async () => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const freePort = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));

    await expect(connectInspector(`ws://127.0.0.1:${freePort}/?token=x`)).rejects.toMatchObject({
      code: 'UNREACHABLE',
      message: expect.stringContaining('ECONNREFUSED'),
    });
    await expect(connectInspector(agent.url.replace(/token=[^&]+/, 'token=wrong'))).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(connectInspector('http//nope')).rejects.toMatchObject({ code: 'BAD_URL' });
  });

  it('skips and counts a malformed event and applies the rest', async () => {
    const fake = await FakeAgent.start();
    const inspector = await connectInspector(fake.url);
    try {
      fake.publish({ type: 'conn.open', conn: 'c1', server: null, transport: 'tcp', actions: [] });
      fake.publish({ type: 'listener.add', listener: 'l1', emitter: 'e1', event: {}, owner: 'c1', once: false } as unknown as EventInput);
      await inspector.mark('after');
      expect(inspector.malformed).toEqual({ count: 1, latest: '"listener.add" event seq 2: event must be a string, not an object' });
      expect(inspector.state().connections.map((c) => c.id)).toEqual(['c1']);
      expect(inspector.state().listeners).toEqual([]);
    } finally {
      await inspector.close();
      await fake.close();
    }
  });

  it('rejects with VERSION_MISMATCH for an agent of another protocol version', async () => {
    const fake = await FakeAgent.start({ protocol: 2 });
    try {
      await expect(connectInspector(fake.url)).rejects.toMatchObject({
        code: 'VERSION_MISMATCH',
        message: expect.stringContaining('protocol 2'),
      });
    } finally {
      await fake.close();
    }
  });
});
