import http from 'node:http';
import http2 from 'node:http2';
import type net from 'node:net';
import { describe, expect, it } from 'vitest';
import { listen, onCleanup, startProbes, waitFor, type Harness } from './harness.test-util.js';

/** Keeps a steady trickle of requests, one at a time, until `done` (at most 10 s). */
async function trickle(done: () => boolean, request: () => Promise<void>): Promise<number> {
  const end = Date.now() + 10_000;
  let sent = 0;
  while (!done() && Date.now() < end) {
    await request();
    sent++;
    await new Promise((r) => setTimeout(r, 5));
  }
  return sent;
}

/** Distinct lastIn values the connection's conn.io carried after `after`. */
function readsSeenAfter(h: Harness, after: number): number {
  return new Set(h.ofType('conn.io').filter((e) => e.lastIn! > after).map((e) => e.lastIn)).size;
}

/** conn.io of the one connection, and proof that its reads kept being seen. */
function expectBusy(h: Harness, serverSocket: net.Socket, middle: number): void {
  // The connection itself, not the HTTP/2 streams it carries (each a session of its own).
  const opens = h.ofType('conn.open').filter((e) => e.via === undefined);
  expect(opens).toHaveLength(1);
  const io = h.ofType('conn.io').filter((e) => e.conn === opens[0]!.conn);
  // Reads after the middle of the traffic were seen (lastIn moved on), and the totals are the socket's own.
  expect(io.some((e) => e.lastIn! > middle)).toBe(true);
  const lastIns = io.map((e) => e.lastIn!);
  expect(new Set(lastIns).size).toBeGreaterThanOrEqual(3);
  expect([...lastIns].sort((a, b) => a - b)).toEqual(lastIns);
  expect(io.at(-1)!.bytesIn).toBe(serverSocket.bytesRead);
}

describe('reads that Node parses natively', () => {
  it('a busy node:http keep-alive socket is never idle: its reads move lastIn though it raises no data event', async () => {
    const h = startProbes({ ioInterval: 20 });
    let serverSocket!: net.Socket;
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.end('ok'));
    });
    server.on('connection', (socket: net.Socket) => {
      serverSocket = socket;
    });
    await listen(server);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    onCleanup(() => agent.destroy());
    const { port } = server.address() as net.AddressInfo;
    const get = () =>
      new Promise<void>((resolve, reject) => {
        http.get({ port, host: '127.0.0.1', agent, path: '/status' }, (res) => res.resume().on('end', resolve)).on('error', reject);
      });

    let middle = 0;
    const sent = await trickle(
      () => middle > 0 && readsSeenAfter(h, middle) >= 3,
      async () => {
        await get();
        if (middle === 0 && h.ofType('conn.io').length > 0) middle = h.sink.now();
      },
    );
    await waitFor(() => h.ofType('conn.io').at(-1)?.bytesIn === serverSocket.bytesRead || undefined, 'the last reads sampled');

    expect(sent).toBeGreaterThan(3);
    // node:http's parser read the socket's handle itself: no 'data' event carried these bytes.
    expect((serverSocket as unknown as { _handle: { _consumed?: boolean } })._handle._consumed).toBe(true);
    expect(middle).toBeGreaterThan(0);
    expectBusy(h, serverSocket, middle);
  });

  it('a busy node:http2 session socket is never idle either', async () => {
    const h = startProbes({ ioInterval: 20 });
    let serverSocket!: net.Socket;
    const server = http2.createServer();
    server.on('connection', (socket: net.Socket) => (serverSocket = socket));
    server.on('stream', (stream) => {
      stream.respond({ ':status': 200 });
      stream.end('ok');
    });
    await listen(server as unknown as net.Server);
    const { port } = server.address() as net.AddressInfo;
    const session = http2.connect(`http://127.0.0.1:${port}`);
    onCleanup(() => session.close());
    const get = () =>
      new Promise<void>((resolve, reject) => {
        const req = session.request({ ':path': '/status' });
        req.on('error', reject);
        req.resume().on('end', resolve);
        req.end();
      });

    let middle = 0;
    await trickle(
      () => middle > 0 && readsSeenAfter(h, middle) >= 3,
      async () => {
        await get();
        if (middle === 0 && h.ofType('conn.io').length > 0) middle = h.sink.now();
      },
    );
    await waitFor(() => h.ofType('conn.io').at(-1)?.bytesIn === serverSocket.bytesRead || undefined, 'the last reads sampled');
    expect(middle).toBeGreaterThan(0);
    expectBusy(h, serverSocket, middle);
  });
});
