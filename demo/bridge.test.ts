/**
 * The bridge backend and client roles over real Unix sockets, without the
 * agent (an in-memory handle table stands in for agent.handleTable).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HandleError } from '../agent/errors.js';
import type { HandleId } from '../shared/protocol.js';
import type { HandleTable, StoreOptions } from '../agent/types.js';
import { Bridge } from './bridge.js';
import { BridgeClient } from './bridge-client.js';
import { runHandleRace, runReloadingApp } from './client-roles.js';
import { encodeFrame } from './framing.js';
import { BridgeManager, MANAGER_EVENTS } from './manager.js';
import { SocketPort } from './port.js';
import { RoomService, type Room, type Track } from './rooms.js';
import type { BackendMode } from './scenarios.js';

class MemoryHandleTable<T> implements HandleTable<T> {
  readonly name = 'rooms';
  private next = 1;
  private readonly live = new Map<HandleId, { value: T; parent?: HandleId }>();
  readonly staleAccesses: HandleId[] = [];
  /** Every value ever stored, live or not. */
  readonly stored: T[] = [];

  get size(): number {
    return this.live.size;
  }
  store(value: T, options?: StoreOptions): HandleId {
    const id = this.next++;
    this.stored.push(value);
    this.live.set(id, { value, parent: options?.parent });
    return id;
  }
  retrieve(id: HandleId): T {
    const entry = this.live.get(id);
    if (!entry) {
      this.staleAccesses.push(id);
      throw new HandleError(Number(id) < this.next ? 'HANDLE_DROPPED' : 'HANDLE_NOT_FOUND', this.name, id);
    }
    return entry.value;
  }
  take(id: HandleId): T {
    const value = this.retrieve(id);
    this.live.delete(id);
    return value;
  }
  drop(id: HandleId): boolean {
    if (!this.live.delete(id)) return false;
    for (const [child, entry] of [...this.live]) if (entry.parent === id) this.drop(child);
    return true;
  }
  has(id: HandleId): boolean {
    return this.live.has(id);
  }
}

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const listenerTotal = (manager: BridgeManager): number => MANAGER_EVENTS.reduce((n, e) => n + manager.listenerCount(e), 0);

describe('demo bridge over a Unix socket', () => {
  let dir: string;
  let server: Server;
  let sockets: Set<Socket>;
  let manager: BridgeManager;
  let table: MemoryHandleTable<Room | Track>;
  let bridge: Bridge;
  let mode: BackendMode;
  let abort: AbortController;
  const clients: BridgeClient[] = [];
  let logs: string[];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bridgescope-demo-test-'));
    mode = { cleanup: true, rooms: 'fixed' };
    manager = new BridgeManager();
    table = new MemoryHandleTable();
    logs = [];
    const rooms = new RoomService(table, { mode: () => mode.rooms, taskDelay: 50 });
    bridge = new Bridge({ manager, rooms, mode: () => mode, log: (m) => logs.push(m) });
    sockets = new Set();
    server = createServer((socket) => {
      sockets.add(socket);
      bridge.serve(socket);
    });
    await new Promise<void>((resolve) => server.listen(join(dir, 'bridge.sock'), resolve));
    abort = new AbortController();
  });

  afterEach(async () => {
    abort.abort();
    manager.stop();
    for (const client of clients.splice(0)) client.socket.destroy();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  const endpoint = () => ({ path: join(dir, 'bridge.sock') });
  const connect = async () => {
    const client = await BridgeClient.connect(endpoint());
    clients.push(client);
    return client;
  };

  it('answers calls and forwards the events a client subscribed to, until it unsubscribes', async () => {
    const client = await connect();
    expect(await client.request('ping')).toBe('pong');
    expect(await client.request('call', { method: 'getStatus' })).toEqual({ state: 'idle', volume: 50, peers: 0 });
    const pushes: [string, unknown][] = [];
    client.on('push', (event, data) => pushes.push([event, data]));
    await client.request('subscribe', { event: 'volumeChanged' });
    expect(manager.listenerCount('volumeChanged')).toBe(1);
    await client.request('call', { method: 'setVolume', args: [70] });
    await until(() => pushes.length === 1, 'the volumeChanged push');
    expect(pushes[0]).toEqual(['volumeChanged', { volume: 70 }]);
    await client.request('unsubscribe', { event: 'volumeChanged' });
    expect(manager.listenerCount('volumeChanged')).toBe(0);
    await expect(client.request('subscribe', { event: 'nope' })).rejects.toMatchObject({ code: 'UNKNOWN_EVENT' });
    await expect(client.request('call', { method: 'format' })).rejects.toMatchObject({ code: 'UNKNOWN_METHOD' });
  });

  it('removes a connection’s subscriptions and rooms when it closes (cleanup mode)', async () => {
    const client = await connect();
    for (const event of MANAGER_EVENTS) await client.request('subscribe', { event });
    await client.request('connect', { room: 'a' });
    expect(listenerTotal(manager)).toBe(3);
    expect(table.size).toBe(3);
    await client.shutdownThenClose();
    await until(() => listenerTotal(manager) === 0 && table.size === 0, 'cleanup');
    expect(bridge.sessions.size).toBe(0);
  });

  it('leaky reloads leave every abandoned session subscribed; fixed reloads stay flat', async () => {
    const leaky = runReloadingApp({ endpoint: endpoint(), signal: abort.signal }, { teardown: 'leaky', reloadEvery: 30, reloads: 4, restartDelay: 5 });
    await until(() => bridge.openSessions === 5 && listenerTotal(manager) === 15, '5 sessions with 15 listeners');
    abort.abort();
    await leaky;
    await until(() => bridge.openSessions === 0 && listenerTotal(manager) === 0, 'the killed app’s sessions to be cleaned up');

    abort = new AbortController();
    const seen: number[] = [];
    bridge.serve = ((serve) => (socket: Socket) => {
      seen.push(bridge.openSessions);
      return serve(socket);
    })(bridge.serve.bind(bridge));
    const fixed = runReloadingApp({ endpoint: endpoint(), signal: abort.signal }, { teardown: 'fixed', reloadEvery: 30, reloads: 4 });
    await until(() => seen.length === 5, 'five fixed sessions');
    abort.abort();
    await fixed;
    // Each new session found no other session still open.
    expect(seen).toEqual([0, 0, 0, 0, 0]);
  });

  it('without cleanup, closed connections keep their listeners and the manager keeps writing to them without crashing', async () => {
    mode = { cleanup: false, rooms: 'fixed' };
    const client = await connect();
    for (const event of MANAGER_EVENTS) await client.request('subscribe', { event });
    await client.shutdownThenClose();
    await until(() => bridge.openSessions === 0, 'the session to close');
    expect(listenerTotal(manager)).toBe(3);
    const [session] = bridge.sessions;
    for (let i = 0; i < 6; i++) manager.step();
    expect(session.socket.destroyed).toBe(true);
    // The backend still serves new clients.
    const next = await connect();
    expect(await next.request('ping')).toBe('pong');
    expect(bridge.cleanupClosed()).toBe(1);
    expect(listenerTotal(manager)).toBe(0);
  });

  it('buggy disconnect finds the room dropped by the client and reports HANDLE_DROPPED', async () => {
    mode = { cleanup: true, rooms: 'buggy' };
    const errors: unknown[] = [];
    const client = await connect();
    client.on('push', (event, data) => event === 'error' && errors.push(data));
    const { handle } = (await client.request('connect', { room: 'r' })) as { handle: number };
    expect(await client.request('disconnect', { handle })).toEqual({ ok: true });
    expect(await client.request('dispose', { handle })).toEqual({ dropped: true });
    await until(() => errors.length === 1, 'the task error');
    expect(errors[0]).toMatchObject({ code: 'HANDLE_DROPPED', handle });
    expect(table.staleAccesses).toEqual([handle]);
    expect(table.size).toBe(0);
  });

  it('fixed disconnect resolves the room before its task: the race is harmless', async () => {
    const abortRace = new AbortController();
    const race = runHandleRace({ endpoint: endpoint(), signal: abortRace.signal }, { cycles: 3, every: 5 });
    const rooms = () => table.stored.filter((value): value is Room => 'tracks' in value);
    await until(
      () => rooms().length === 3 && rooms().every((room) => room.state === 'disconnected') && table.size === 0,
      'three rooms disconnected by their tasks and disposed',
    );
    abortRace.abort();
    await race;
    expect(table.staleAccesses).toEqual([]);
    expect(logs.filter((l) => l.includes('task'))).toEqual([]);
    // Disconnecting a handle that is already gone fails at once, in the reply.
    const client = await connect();
    await expect(client.request('disconnect', { handle: 1 })).rejects.toMatchObject({ code: 'HANDLE_DROPPED' });
  });

  it('drops posts to a peer that stopped reading instead of buffering without bound', async () => {
    const client = await connect();
    await client.request('ping');
    client.stopReading();
    const [session] = bridge.sessions;
    const big = 'x'.repeat(16 * 1024);
    for (let i = 0; i < 400; i++) session.port.postMessage({ event: 'stateChanged', data: big });
    expect(session.port.dropped).toBeGreaterThan(0);
    expect(session.socket.writableLength).toBeLessThan(256 * 1024 + 20 * 1024);
  });

  it('destroys a connection that sends an oversized frame', async () => {
    const client = await connect();
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    const header = Buffer.alloc(4);
    header.writeUInt32BE(64 * 1024 * 1024);
    client.socket.write(header);
    await closed;
    expect(logs.some((l) => l.includes('bad frame'))).toBe(true);
  });
});

describe('SocketPort', () => {
  it('keeps posting after its socket closed unless the app closed the port', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bridgescope-port-test-'));
    const path = join(dir, 'p.sock');
    let serverSide: Socket | undefined;
    const server = createServer((s) => (serverSide = s));
    await new Promise<void>((resolve) => server.listen(path, resolve));
    try {
      const client = await BridgeClient.connect({ path });
      await until(() => serverSide !== undefined, 'accept');
      const socket = serverSide as Socket;
      socket.on('error', () => undefined);
      const port = new SocketPort(socket);
      let closes = 0;
      port.on('close', () => closes++);
      client.socket.destroy();
      await until(() => closes === 1, 'port close event');
      // Wrapped only now: net.Socket replaces its own `write` when the peer ends.
      const writes: number[] = [];
      const write = socket.write.bind(socket);
      socket.write = ((chunk: Buffer) => {
        writes.push(chunk.length);
        return write(chunk);
      }) as typeof socket.write;
      port.postMessage({ late: true });
      expect(writes).toEqual([encodeFrame({ late: true }).length]);
      port.close();
      port.postMessage({ later: true });
      expect(writes).toHaveLength(1);
      expect(closes).toBe(1);
    } finally {
      await new Promise((resolve) => server.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
