import { EventEmitter } from 'node:events';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { closed, connect, connOf, listen, startProbes, waitFor } from './harness.test-util.js';

/** A MessagePort-like port over a socket: frames newline-delimited 'data' into 'message' events. */
class FramedPort extends EventEmitter {
  private buffered = '';
  constructor(readonly socket: net.Socket) {
    super();
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffered += chunk;
      let newline: number;
      while ((newline = this.buffered.indexOf('\n')) >= 0) {
        const line = this.buffered.slice(0, newline);
        this.buffered = this.buffered.slice(newline + 1);
        this.emit('message', line);
      }
    });
  }
  postMessage(line: string): void {
    this.socket.write(`${line}\n`);
  }
}

const noop = () => {};

describe('listener attribution', () => {
  it('attributes each listener to the connection whose work added it, across two concurrent connections', async () => {
    const h = startProbes();
    const manager = new EventEmitter();
    h.probes.watchEmitter(manager, { name: 'manager' });
    const table = h.probes.handleTable('rooms');

    const server = await listen(
      net.createServer((socket) => {
        const port = new FramedPort(socket);
        port.on('message', async (line: string) => {
          const [kind] = line.split(':');
          if (kind === 'sync') manager.on(line, noop);
          if (kind === 'await') {
            await Promise.resolve();
            await new Promise((r) => setImmediate(r));
            manager.on(line, noop);
          }
          if (kind === 'timer') setTimeout(() => manager.on(line, noop), 5);
          if (kind === 'room') table.store({ line }, { type: 'room' });
        });
      }),
    );
    const a = await connect(server);
    const b = await connect(server);
    for (const kind of ['await', 'timer', 'sync', 'room']) {
      a.write(`${kind}:A\n`);
      b.write(`${kind}:B\n`);
    }
    await waitFor(() => h.ofType('listener.add').length === 6 && h.ofType('handle.store').length === 2, 'all subscriptions');

    const connA = connOf(h, a);
    const connB = connOf(h, b);
    expect(connA).toMatch(/^c\d+$/);
    expect(connB).toMatch(/^c\d+$/);
    expect(connA).not.toBe(connB);
    const owners = Object.fromEntries(h.ofType('listener.add').map((e) => [e.event, e.owner]));
    expect(owners).toEqual({
      'await:A': connA,
      'timer:A': connA,
      'sync:A': connA,
      'await:B': connB,
      'timer:B': connB,
      'sync:B': connB,
    });
    const rooms = h.ofType('handle.store').map((e) => [e.owner, e.handleType]);
    expect(rooms.sort()).toEqual([
      [connA, 'room'],
      [connB, 'room'],
    ].sort());
  });

  it("with attribution 'sync', attributes what the dispatch does synchronously and nothing after an await or a timer", async () => {
    const h = startProbes({ attribution: 'sync' });
    const manager = new EventEmitter();
    h.probes.watchEmitter(manager, { name: 'manager' });
    const server = await listen(
      net.createServer((socket) => {
        manager.on('on-connect', noop);
        new FramedPort(socket).on('message', async (line: string) => {
          manager.on(`${line}:sync`, noop);
          h.probes.runAs(socket, () => manager.on(`${line}:runAs`, noop));
          setTimeout(() => manager.on(`${line}:timer`, noop), 1);
          await Promise.resolve();
          manager.on(`${line}:await`, noop);
        });
      }),
    );
    const client = await connect(server);
    client.write('m\n');
    await waitFor(() => h.ofType('listener.add').length === 5, 'all subscriptions');
    const conn = connOf(h, client);
    const owners = Object.fromEntries(h.ofType('listener.add').map((e) => [e.event, e.owner]));
    expect(owners).toEqual({ 'on-connect': conn, 'm:sync': conn, 'm:runAs': conn, 'm:await': null, 'm:timer': null });
    // The agent says it could not tell, once for this connection (not once per listener).
    const lost = h.ofType('attribution.lost');
    expect(lost).toHaveLength(1);
    expect(lost[0]).toMatchObject({ conn, reason: expect.stringContaining("attribution is 'sync'") });
    expect(['m:await', 'm:timer'].map((event) => h.ofType('listener.add').find((e) => e.event === event)!.listener)).toContain(lost[0]!.subject);
  });

  it("with attribution 'async' nothing is reported lost, and listeners added before any connection work are nobody's without a report", async () => {
    const h = startProbes({ attribution: 'sync' });
    const manager = new EventEmitter();
    h.probes.watchEmitter(manager, { name: 'manager' });
    manager.on('startup', noop);
    const async = startProbes();
    const other = new EventEmitter();
    async.probes.watchEmitter(other, { name: 'other' });
    const server = await listen(net.createServer(() => setTimeout(() => other.on('later', noop), 1)));
    await connect(server);
    await waitFor(() => async.ofType('listener.add').length === 1, 'subscription');
    expect(h.ofType('attribution.lost')).toEqual([]);
    expect(async.ofType('attribution.lost')).toEqual([]);
  });

  it('follows runAs in and out within one synchronous turn', () => {
    const h = startProbes();
    const manager = new EventEmitter();
    h.probes.watchEmitter(manager, { name: 'manager' });
    const first = h.probes.trackConnection({});
    const second = h.probes.trackConnection({});
    manager.on('before', noop);
    h.probes.runAs(first, () => {
      manager.on('first', noop);
      h.probes.runAs(second, () => manager.on('nested', noop));
      manager.on('first-again', noop);
    });
    manager.on('after', noop);
    const owners = Object.fromEntries(h.ofType('listener.add').map((e) => [e.event, e.owner]));
    expect(owners).toEqual({ before: null, first, nested: second, 'first-again': first, after: null });
  });

  it('attributes subscriptions made in the app’s own connection listener', async () => {
    const h = startProbes();
    const manager = new EventEmitter();
    h.probes.watchEmitter(manager, { name: 'manager' });
    const server = await listen(net.createServer(() => manager.on('update', noop)));
    const client = await connect(server);
    await waitFor(() => h.ofType('listener.add')[0], 'listener.add');
    expect(h.ofType('listener.add')[0]!.owner).toBe(connOf(h, client));
  });
});

describe('the reload leak', () => {
  /** A backend subscribing every connection to a singleton manager; `cleanup` decides whether it unsubscribes on close. */
  async function backend(cleanup: boolean) {
    const h = startProbes();
    const manager = new EventEmitter();
    h.probes.watchEmitter(manager, { name: 'manager' });
    const server = await listen(
      net.createServer((socket) => {
        const onUpdate = () => socket.write('update\n');
        manager.on('update', onUpdate);
        socket.on('error', noop);
        socket.on('close', () => {
          if (cleanup) manager.off('update', onUpdate);
        });
      }),
    );
    return { h, manager, server };
  }

  it('a client reconnecting without closing leaves each old session’s listener attached, with its own owner', async () => {
    const { h, manager, server } = await backend(true);
    const sessions: net.Socket[] = [];
    for (let reload = 0; reload < 3; reload++) {
      sessions.push(await connect(server));
      await waitFor(() => h.ofType('listener.add').length === reload + 1, 'subscription');
    }
    expect(manager.listenerCount('update')).toBe(3);
    const owners = h.ofType('listener.add').map((e) => e.owner);
    expect(owners).toEqual(sessions.map((s) => connOf(h, s)));
    expect(new Set(owners).size).toBe(3);
    expect(h.ofType('listener.remove')).toEqual([]);
    expect(h.ofType('conn.close')).toEqual([]);
  });

  it('a client that closes before reconnecting gets its listener removed after its connection closed', async () => {
    const { h, manager, server } = await backend(true);
    for (let reload = 0; reload < 3; reload++) {
      const session = await connect(server);
      await waitFor(() => h.ofType('listener.add').length === reload + 1, 'subscription');
      if (reload < 2) {
        session.end();
        await closed(session);
        await waitFor(() => h.ofType('listener.remove').length === reload + 1, 'unsubscription');
      }
    }
    expect(manager.listenerCount('update')).toBe(1);
    const adds = h.ofType('listener.add');
    const removes = h.ofType('listener.remove');
    expect(removes.map((e) => [e.listener, e.how])).toEqual([
      [adds[0]!.listener, 'remove'],
      [adds[1]!.listener, 'remove'],
    ]);
    for (const [i, remove] of removes.entries()) {
      const close = h.ofType('conn.close').find((e) => e.conn === adds[i]!.owner);
      expect(close!.seq).toBeLessThan(remove.seq);
    }
  });

  it('without cleanup, a properly closed connection’s listener stays attached (an orphan)', async () => {
    const { h, manager, server } = await backend(false);
    const session = await connect(server);
    await waitFor(() => h.ofType('listener.add')[0], 'subscription');
    session.end();
    await closed(session);
    await waitFor(() => h.ofType('conn.close')[0], 'conn.close');
    expect(manager.listenerCount('update')).toBe(1);
    expect(h.ofType('listener.remove')).toEqual([]);
    expect(h.ofType('listener.add')[0]!.owner).toBe(h.ofType('conn.close')[0]!.conn);
  });
});
