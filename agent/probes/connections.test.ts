import { spawn } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { closed, connect, listen, onCleanup, startProbes, strip, waitFor } from './harness.test-util.js';

const builtins = [
  { name: 'disconnect', source: 'builtin' },
  { name: 'close', source: 'builtin' },
];

describe('automatic connections', () => {
  it('sees a TCP server created after the probes, and its connection before the app does', async () => {
    const h = startProbes();
    let seenByApp: string[] = [];
    const server = net.createServer((socket) => {
      seenByApp = h.events().map((e) => e.type);
      socket.on('data', (d) => socket.write(d));
    });
    await listen(server);
    const client = await connect(server);
    const clientPort = client.localPort;
    const echoed = new Promise<void>((r) => client.once('data', () => r()));
    client.write('hello');
    await echoed;
    client.end();
    await closed(client);
    const conn = await waitFor(() => h.ofType('conn.close')[0], 'conn.close');

    expect(seenByApp).toContain('conn.open');
    const port = (server.address() as net.AddressInfo).port;
    expect(strip(h.events())).toEqual([
      { type: 'server.listen', server: 's1', transport: 'tcp', address: `127.0.0.1:${port}` },
      { type: 'conn.open', conn: 'c1', server: 's1', transport: 'tcp', peer: `127.0.0.1:${clientPort}`, actions: builtins },
      { type: 'conn.peer-end', conn: 'c1' },
      { type: 'conn.local-end', conn: 'c1' },
      { type: 'conn.io', conn: 'c1', bytesIn: 5, bytesOut: 5, lastActivity: expect.any(Number), lastIn: expect.any(Number) },
      { type: 'conn.close', conn: 'c1', cause: 'peer-end' },
    ]);
    expect(conn.conn).toBe('c1');
  });

  it('sees a Unix-domain server created after the probes', async () => {
    const h = startProbes();
    const server = await listen(net.createServer((s) => s.end('bye')), 'unix');
    const client = await connect(server);
    client.resume();
    await closed(client);
    await waitFor(() => h.ofType('conn.close')[0], 'conn.close');
    expect(strip(h.events()).slice(0, 2)).toEqual([
      { type: 'server.listen', server: 's1', transport: 'unix', address: server.address() },
      { type: 'conn.open', conn: 'c1', server: 's1', transport: 'unix', actions: builtins },
    ]);
    expect(h.ofType('conn.close')[0]).toMatchObject({ conn: 'c1', cause: 'local-end' });
  });

  it.each(['tcp', 'unix'] as const)('sees connections of a %s server that was listening before the probes', async (kind) => {
    const server = await listen(net.createServer((s) => s.end('hi')), kind);
    const h = startProbes();
    const client = await connect(server);
    client.resume();
    await closed(client);
    await waitFor(() => h.ofType('conn.close')[0], 'conn.close');
    const address = server.address();
    expect(h.ofType('server.listen')).toMatchObject([
      {
        server: 's1',
        transport: kind,
        address: typeof address === 'string' ? address : `127.0.0.1:${address!.port}`,
      },
    ]);
    expect(h.ofType('conn.open')).toMatchObject([{ conn: 'c1', server: 's1', transport: kind }]);
    expect(h.ofType('conn.close')).toMatchObject([{ conn: 'c1', cause: 'local-end' }]);
  });

  it('publishes server.close when the server closes', async () => {
    const h = startProbes();
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    await new Promise<void>((r) => server.close(() => r()));
    expect(strip(h.events()).map((e) => e.type)).toEqual(['server.listen', 'server.close']);
  });

  it('hooks nothing with autoInstrument false', async () => {
    const h = startProbes({ autoInstrument: false });
    const server = await listen(net.createServer((s) => s.end()));
    const client = await connect(server);
    client.resume();
    await closed(client);
    expect(h.events()).toEqual([]);
  });

  it('stops publishing after close() and tracks no new servers', async () => {
    const h = startProbes();
    const server = await listen(net.createServer((s) => s.on('data', () => s.end())));
    const client = await connect(server);
    await waitFor(() => h.ofType('conn.open')[0], 'conn.open');
    h.probes.close();
    const before = h.events().length;
    client.write('x');
    client.resume();
    await closed(client);
    const late = await listen(net.createServer((s) => s.end()));
    const other = await connect(late);
    other.resume();
    await closed(other);
    expect(h.events().length).toBe(before);
  });
});

describe('close causes', () => {
  async function scenario(onConnection: (socket: net.Socket) => void, onClient: (client: net.Socket) => void = () => {}) {
    const h = startProbes();
    const server = await listen(net.createServer(onConnection));
    const client = await connect(server);
    client.resume();
    onClient(client);
    await closed(client);
    const close = await waitFor(() => h.ofType('conn.close')[0], 'conn.close');
    return { h, close };
  }

  it('peer-end: the client ended first', async () => {
    const { h, close } = await scenario(() => {}, (c) => c.end());
    expect(close).toMatchObject({ cause: 'peer-end' });
    expect(h.events().map((e) => e.type).filter((t) => t.startsWith('conn.'))).toEqual([
      'conn.open',
      'conn.peer-end',
      'conn.local-end',
      'conn.close',
    ]);
  });

  it('local-end: the server ended first', async () => {
    const { h, close } = await scenario((s) => s.end());
    expect(close).toMatchObject({ cause: 'local-end' });
    expect(h.events().map((e) => e.type).filter((t) => t.startsWith('conn.'))).toEqual([
      'conn.open',
      'conn.local-end',
      'conn.peer-end',
      'conn.close',
    ]);
  });

  it('destroy: the server destroyed the socket', async () => {
    const { close } = await scenario((s) => s.destroy());
    expect(close).toMatchObject({ cause: 'destroy' });
    expect(close).not.toHaveProperty('error');
  });

  it('error: the peer reset the connection', async () => {
    const { h, close } = await scenario(
      (s) => s.on('error', () => {}),
      (c) => c.resetAndDestroy(),
    );
    expect(h.ofType('conn.error')).toMatchObject([{ conn: 'c1', code: 'ECONNRESET' }]);
    expect(close).toMatchObject({ cause: 'error', error: 'ECONNRESET' });
  });

  it('half-open: the peer ended and the server never does', async () => {
    const h = startProbes();
    const server = await listen(net.createServer({ allowHalfOpen: true }, () => {}));
    const client = await connect(server);
    client.end();
    await waitFor(() => h.ofType('conn.peer-end')[0], 'peer-end');
    // Give the server side every chance to close: it never does.
    await new Promise((r) => setTimeout(r, 50));
    expect(h.ofType('conn.close')).toEqual([]);
    expect(h.ofType('conn.local-end')).toEqual([]);
  });
});

describe('writes after close', () => {
  type Outcome = { returned: boolean; errors: string[] };

  /** The same backend, run uninstrumented and instrumented: the app must see the same thing. */
  async function compare(backend: (socket: net.Socket, done: (o: Outcome) => void) => void, clientSide: (c: net.Socket) => void) {
    const run = async (): Promise<Outcome> => {
      let outcome!: Promise<Outcome>;
      const server = await listen(
        net.createServer((socket) => {
          outcome = new Promise((resolve) => backend(socket, resolve));
        }),
      );
      const client = await connect(server);
      client.resume();
      clientSide(client);
      await waitFor(() => outcome, 'connection');
      return outcome;
    };
    const plain = await run();
    const h = startProbes();
    const instrumented = await run();
    return { plain, instrumented, h };
  }

  it('records writes after the peer ended and after Node destroyed the socket, returning what Node returns', async () => {
    const { plain, instrumented, h } = await compare(
      (socket, done) => {
        const errors: string[] = [];
        socket.on('error', (e: NodeJS.ErrnoException) => errors.push(e.code ?? e.message));
        socket.on('end', () => {
          // Still accepted: Node's automatic end() runs on the next tick.
          const first = socket.write('late');
          setImmediate(() => {
            // By now Node ended and destroyed our side: the write goes nowhere.
            const second = socket.write('later');
            setImmediate(() => done({ returned: first && !second, errors }));
          });
        });
      },
      (c) => c.end(),
    );
    expect(plain).toEqual({ returned: true, errors: [] });
    expect(instrumented).toEqual(plain);
    const records = h.ofType('conn.write-after-close');
    expect(records).toMatchObject([
      { conn: 'c1', state: 'peer-ended', bytes: 4 },
      { conn: 'c1', state: 'closed', bytes: 5 },
    ]);
    expect(records[0]!.stack?.[0]).toContain('connections.test.ts');
  });

  it('does not change whether the app crashes: a write after end() with no error listener still does', async () => {
    const run = (mode: string) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const fixture = fileURLToPath(new URL('./fixtures/write-after-end-app.ts', import.meta.url));
        const child = spawn(process.execPath, ['--import', 'tsx', fixture, mode], { stdio: 'pipe' });
        onCleanup(() => child.kill());
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
    const [plain, instrumented] = await Promise.all([run('plain'), run('instrumented')]);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toContain('ERR_STREAM_WRITE_AFTER_END');
    expect(instrumented.code).toBe(plain.code);
    expect(instrumented.stderr).toContain("Unhandled 'error' event");
    expect(instrumented.stderr).toContain('ERR_STREAM_WRITE_AFTER_END');
    expect(JSON.parse(instrumented.stdout)).toEqual([
      'server.listen',
      'conn.open',
      'conn.write-after-close:local-ended',
      'conn.error',
    ]);
  });

  it('records a write after our own end() and keeps its error', async () => {
    const { plain, instrumented, h } = await compare(
      (socket, done) => {
        const errors: string[] = [];
        socket.on('error', (e: NodeJS.ErrnoException) => errors.push(e.code ?? e.message));
        socket.end();
        const returned = socket.write('late!');
        setImmediate(() => done({ returned, errors }));
      },
      () => {},
    );
    expect(plain.errors).toEqual(['ERR_STREAM_WRITE_AFTER_END']);
    expect(instrumented).toEqual(plain);
    expect(h.ofType('conn.write-after-close')).toMatchObject([{ conn: 'c1', state: 'local-ended', bytes: 5 }]);
  });

  it('records a write to a destroyed socket and keeps its return value', async () => {
    const { plain, instrumented, h } = await compare(
      (socket, done) => {
        const errors: string[] = [];
        socket.on('error', (e: NodeJS.ErrnoException) => errors.push(e.code ?? e.message));
        socket.destroy();
        const returned = socket.write('x');
        setImmediate(() => done({ returned, errors }));
      },
      () => {},
    );
    expect(instrumented).toEqual(plain);
    expect(h.ofType('conn.write-after-close')).toMatchObject([{ conn: 'c1', state: 'closed', bytes: 1 }]);
  });
});

describe('coalesced I/O', () => {
  it('publishes one conn.io per interval, never one per chunk', async () => {
    const h = startProbes({ ioInterval: 60_000 });
    const server = await listen(net.createServer((s) => s.resume()));
    const client = await connect(server);
    for (let i = 0; i < 50; i++) {
      client.write('0123456789');
      await new Promise((r) => setImmediate(r));
    }
    client.end();
    await closed(client);
    await waitFor(() => h.ofType('conn.close')[0], 'conn.close');
    // The interval never elapsed: the only update is the final one before close.
    const io = h.ofType('conn.io');
    expect(io).toHaveLength(1);
    expect(io[0]).toMatchObject({ conn: 'c1', bytesIn: 500, bytesOut: 0 });
    expect(h.events().indexOf(io[0]!)).toBe(h.events().findIndex((e) => e.type === 'conn.close') - 1);
  });

  it('publishes totals while the connection stays open', async () => {
    const h = startProbes({ ioInterval: 20 });
    const server = await listen(net.createServer((s) => s.on('data', (d) => s.write(d))));
    const client = await connect(server);
    client.write('abc');
    const io = await waitFor(() => h.ofType('conn.io').find((e) => e.bytesOut === 3), 'conn.io');
    expect(io).toMatchObject({ conn: 'c1', bytesIn: 3, bytesOut: 3 });
    expect(h.ofType('conn.close')).toEqual([]);
  });

  it('keeps lastIn at the last read while the backend goes on writing to a silent peer', async () => {
    const h = startProbes({ ioInterval: 10 });
    const server = await listen(
      net.createServer((s) =>
        s.once('data', () => {
          // The manager keeps emitting into a peer that no longer talks.
          const timer = setInterval(() => s.write('tick'), 5);
          s.on('close', () => clearInterval(timer));
        }),
      ),
    );
    const client = await connect(server);
    client.write('subscribe');
    const io = await waitFor(() => h.ofType('conn.io').find((e) => e.bytesOut >= 20), 'conn.io');
    const firstRead = h.ofType('conn.io')[0]!.lastIn!;
    expect(firstRead).toBeGreaterThan(0);
    expect(io.lastIn).toBe(firstRead);
    expect(io.lastActivity).toBeGreaterThan(io.lastIn!);
    client.destroy();
  });
});

describe('socket hooks', () => {
  it('puts net.Socket.prototype back as it was once the last probes close', async () => {
    const before = Object.getOwnPropertyNames(net.Socket.prototype).sort();
    const end = net.Socket.prototype.end;
    const first = startProbes();
    const second = startProbes();
    const server = await listen(net.createServer((s) => s.end()));
    const client = await connect(server);
    client.resume();
    await closed(client);
    expect(net.Socket.prototype.end).not.toBe(end);
    first.probes.close();
    expect(net.Socket.prototype.end).not.toBe(end);
    second.probes.close();
    expect(net.Socket.prototype.end).toBe(end);
    expect(Object.getOwnPropertyNames(net.Socket.prototype).sort()).toEqual(before);
  });

  it('lets a second agent in the process observe the same socket', async () => {
    const first = startProbes();
    const second = startProbes();
    const server = await listen(net.createServer((s) => s.on('data', (d) => s.end(d))));
    const client = await connect(server);
    client.resume();
    client.write('ping');
    await closed(client);
    for (const h of [first, second]) {
      const close = await waitFor(() => h.ofType('conn.close')[0], 'conn.close');
      expect(close.cause).toBe('local-end');
      expect(h.ofType('conn.io').at(-1)).toMatchObject({ bytesIn: 4, bytesOut: 4 });
    }
  });
});
