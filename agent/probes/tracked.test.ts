import { EventEmitter } from 'node:events';
import net from 'node:net';
import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { closed, connect, listen, onCleanup, startProbes, strip, waitFor } from './harness.test-util.js';

/** A MessagePort-like transport: postMessage out, 'message' events in, 'close' when done. */
class FakePort extends EventEmitter {
  sent: unknown[] = [];
  postMessage(message: unknown): void {
    this.sent.push(message);
  }
  close(): void {
    this.emit('close');
  }
}

/** The same, built on EventTarget. */
class TargetPort extends EventTarget {
  postMessage(_message: unknown): void {}
  close(): void {
    this.dispatchEvent(new Event('close'));
  }
}

describe('trackConnection', () => {
  it('tracks a socket the app made, with label, client, stack and the socket lifecycle', async () => {
    const h = startProbes({ autoInstrument: false });
    const server = await listen(net.createServer((s) => s.on('data', () => s.end('bye'))));
    const client = await connect(server);
    const id = h.probes.trackConnection(client, { label: 'rn-bridge', client: 'ios-app' });
    client.write('hello');
    client.resume();
    await closed(client);
    await waitFor(() => h.ofType('conn.close')[0], 'conn.close');

    expect(id).toBe('c1');
    const [open] = h.ofType('conn.open');
    expect(open).toMatchObject({
      conn: 'c1',
      server: null,
      transport: 'tcp',
      label: 'rn-bridge',
      client: 'ios-app',
      peer: `127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    });
    expect(open!.stack?.[0]).toMatch(/^at .*tracked\.test\.ts:\d+:\d+\)?$/);
    expect(strip(h.events()).slice(1).map((e) => e.type)).toEqual(['conn.peer-end', 'conn.local-end', 'conn.io', 'conn.close']);
    expect(h.ofType('conn.io')[0]).toMatchObject({ bytesOut: 5, bytesIn: 3 });
    expect(h.ofType('conn.io')[0]).not.toHaveProperty('msgsIn');
    expect(h.ofType('conn.close')[0]).toMatchObject({ cause: 'peer-end' });
  });

  it('returns the same id when a target is tracked twice', () => {
    const h = startProbes();
    const port = new FakePort();
    expect(h.probes.trackConnection(port)).toBe('c1');
    expect(h.probes.trackConnection(port)).toBe('c1');
    expect(h.ofType('conn.open')).toHaveLength(1);
  });

  it('counts a MessagePort-like emitter’s messages and hooks its close without visible listeners', () => {
    const h = startProbes({ ioInterval: 60_000 });
    const port = new FakePort();
    const id = h.probes.trackConnection(port, { transport: 'pipe', peer: 'worker-1' });
    port.emit('message', 'ping');
    port.emit('message', { big: true });
    port.postMessage('pong');
    expect(port.sent).toEqual(['pong']);
    expect(port.eventNames()).toEqual([]);
    port.close();
    port.postMessage('into the void');

    expect(strip(h.events())).toEqual([
      {
        type: 'conn.open',
        conn: id,
        server: null,
        transport: 'pipe',
        peer: 'worker-1',
        actions: [
          { name: 'disconnect', source: 'builtin' },
          { name: 'close', source: 'builtin' },
        ],
        stack: expect.any(Array),
      },
      { type: 'conn.io', conn: id, bytesIn: 4, bytesOut: 4, msgsIn: 2, msgsOut: 1, lastActivity: expect.any(Number), lastIn: expect.any(Number) },
      { type: 'conn.close', conn: id, cause: 'unknown' },
      { type: 'conn.write-after-close', conn: id, state: 'closed', bytes: 13, stack: expect.any(Array) },
    ]);
  });

  it('hooks an EventTarget’s close through dispatchEvent', () => {
    const h = startProbes();
    const port = new TargetPort();
    const id = h.probes.trackConnection(port);
    port.dispatchEvent(new MessageEvent('message', { data: 'hi' }));
    port.close();
    expect(h.ofType('conn.close')).toMatchObject([{ conn: id, cause: 'unknown' }]);
    expect(h.ofType('conn.io')).toMatchObject([{ conn: id, msgsIn: 1, bytesIn: 2 }]);
  });

  it('sees a real MessagePort close', async () => {
    const h = startProbes();
    const { port1, port2 } = new MessageChannel();
    onCleanup(() => port1.close());
    const id = h.probes.trackConnection(port1, { label: 'worker' });
    port2.close();
    await waitFor(() => h.ofType('conn.close')[0], 'conn.close');
    expect(h.ofType('conn.close')).toMatchObject([{ conn: id }]);
  });

  it('closes a custom object on connectionClosed(ref) by object or id; unknown refs are ignored', () => {
    const h = startProbes();
    const a = { name: 'a' };
    const b = { name: 'b' };
    const idA = h.probes.trackConnection(a);
    const idB = h.probes.trackConnection(b);
    h.probes.connectionClosed(a);
    h.probes.connectionClosed(idB);
    h.probes.connectionClosed(idB);
    h.probes.connectionClosed('c999');
    h.probes.connectionClosed({});
    expect(h.ofType('conn.close').map((e) => e.conn)).toEqual([idA, idB]);
  });
});

describe('runAs', () => {
  it('returns fn’s result and makes the connection the owner, by id or object', () => {
    const h = startProbes();
    const port = new FakePort();
    const id = h.probes.trackConnection(port);
    const manager = new EventEmitter();
    h.probes.watchEmitter(manager, { name: 'manager' });
    expect(h.probes.runAs(port, () => manager.on('a', () => {}) && 42)).toBe(42);
    h.probes.runAs(id, () => manager.on('b', () => {}));
    h.probes.runAs(id, () => h.probes.runAs('nope', () => manager.on('c', () => {})));
    manager.on('d', () => {});
    expect(h.ofType('listener.add').map((e) => [e.event, e.owner])).toEqual([
      ['a', id],
      ['b', id],
      ['c', null],
      ['d', null],
    ]);
  });

  it('propagates fn’s exception unchanged', () => {
    const h = startProbes();
    const boom = new Error('boom');
    expect(() =>
      h.probes.runAs('c1', () => {
        throw boom;
      }),
    ).toThrow(boom);
  });
});
