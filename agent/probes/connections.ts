import { Socket } from 'node:net';
import type { ActionInfo, Stack, Transport } from '../../shared/protocol.js';
import type { ActionMap, ConnectionRef, TrackOptions } from '../types.js';
import { closeCause, deadWriteState, newRecord, type ConnectionAction, type ConnectionRecord } from './connection.js';
import type { ProbeContext } from './context.js';
import { byteLengthOf, interpose, type InvokeInner } from './interpose.js';
import { ConnectionIo } from './io.js';
import { useSocketHooks, watchSocket, watchWrites, type SocketObserver } from './socket-watch.js';
import { bracketHost } from '../../shared/host-policy.js';

/** How a connection was found: accepted by an observed server, or registered by the app. */
export interface OpenOptions extends TrackOptions {
  server: string | null;
  /** Transport of the accepting server, when there is one. */
  serverTransport?: Transport;
  stack?: Stack;
  /** An app-level session: the connection that carries it, and what it speaks (agent/probes/frameworks). */
  via?: string;
  protocol?: string;
  /** False when the caller observes the target itself (no hooks on it). */
  observe?: boolean;
}

type Fn = (...args: unknown[]) => unknown;
type Methods = Record<string, unknown>;

/**
 * Every tracked connection: opens them, observes them, and publishes their
 * lifecycle. A net.Socket is observed at no cost per chunk (see
 * {@link SocketLifecycle}); any other target through wrappers on its own
 * methods. Only open connections are held strongly; a closed one stays
 * reachable from its target (WeakMap) so late writes are still attributed.
 */
export class ConnectionRegistry {
  readonly io: ConnectionIo;
  private readonly open = new Map<string, ConnectionRecord>();
  private readonly byTarget = new WeakMap<object, ConnectionRecord>();
  /** Held from the first tracked socket until close(). */
  private releaseHooks: (() => void) | undefined;

  constructor(readonly ctx: ProbeContext) {
    this.io = new ConnectionIo(ctx);
  }

  isTracked(target: object): boolean {
    return this.byTarget.has(target);
  }

  /** An open connection by id. */
  openById(id: string): ConnectionRecord | undefined {
    return this.open.get(id);
  }

  /** The connection a ref names: an open id, or any tracked object (open or closed). */
  find(ref: ConnectionRef): ConnectionRecord | undefined {
    if (typeof ref === 'string') return this.open.get(ref);
    if (typeof ref === 'object' && ref !== null) return this.byTarget.get(ref);
    return undefined;
  }

  /** The owner id `runAs(ref)` should use, or null for a ref that names no connection. */
  ownerFor(ref: ConnectionRef): string | null {
    if (typeof ref !== 'string') return this.find(ref)?.id ?? null;
    if (this.open.has(ref)) return ref;
    // A closed connection's id still names it (its late work is still its own).
    const issued = /^c([1-9]\d*)$/.exec(ref);
    return issued && Number(issued[1]) <= this.ctx.issued('c') ? ref : null;
  }

  /** Starts tracking `target` (idempotent: a tracked target keeps its id). */
  track(target: object, options: OpenOptions): string {
    const known = this.byTarget.get(target);
    if (known) {
      // The open event is already out; app actions still become runnable.
      if (options.actions) addAppActions(known.actions, options.actions);
      return known.id;
    }
    const isSocket = isStreamSocket(target);
    const record = newRecord({
      id: this.ctx.nextId('c'),
      target,
      server: options.server,
      transport: options.transport ?? options.serverTransport ?? detectTransport(target, isSocket),
      isSocket,
      actions: defaultActions(target, isSocket),
    });
    if (options.actions) addAppActions(record.actions, options.actions);
    this.byTarget.set(target, record);
    this.open.set(record.id, record);
    // Reads older than this connection are published before its open.
    this.io.beforeOpen();
    const peer = options.peer ?? peerOf(target);
    const actions: ActionInfo[] = [...record.actions.values()].map((a) => a.info);
    this.ctx.sink.publish({
      type: 'conn.open',
      conn: record.id,
      server: record.server,
      transport: record.transport,
      ...(options.label !== undefined && { label: options.label }),
      ...(options.client !== undefined && { client: options.client }),
      ...(peer !== undefined && { peer }),
      actions,
      ...(options.stack !== undefined && { stack: options.stack }),
      ...(options.via !== undefined && { via: options.via }),
      ...(options.protocol !== undefined && { protocol: options.protocol }),
    });
    if (options.observe !== false) this.instrument(record);
    return record.id;
  }

  /** The app says a connection is gone (`connectionClosed(ref)`); unknown refs are ignored. */
  closedByApp(ref: ConnectionRef): void {
    const record = this.find(ref);
    if (record) this.markClosed(record);
  }

  close(): void {
    this.io.close();
    for (const record of this.open.values()) record.lifecycle?.stop();
    this.releaseHooks?.();
  }

  private markClosed(record: ConnectionRecord): void {
    if (record.closed) return;
    this.io.closing(record);
    record.closed = true;
    this.open.delete(record.id);
    record.lifecycle?.closedNow();
    const cause = closeCause(record);
    this.ctx.sink.publish({
      type: 'conn.close',
      conn: record.id,
      cause,
      ...(cause === 'error' && record.errorCode !== null && { error: record.errorCode }),
    });
    // Waiters (running actions) look after the app's close handlers and the
    // promise jobs they started, so their cleanup counts.
    const waiters = record.closeWaiters.splice(0);
    if (waiters.length > 0) setImmediate(() => waiters.forEach((w) => w()));
  }

  /** A net.Socket through its lifecycle and byte counters, anything else through its own methods. */
  private instrument(record: ConnectionRecord): void {
    if (record.target instanceof Socket) {
      this.releaseHooks ??= useSocketHooks();
      record.lifecycle = new SocketLifecycle(this, record, record.target);
      this.io.sample(record);
      return;
    }
    record.msgsIn = 0;
    record.msgsOut = 0;
    this.interposeAll(record);
  }

  private interposeAll(record: ConnectionRecord): void {
    const { ctx } = this;
    // The wrappers below need their own `this` (the target), so ours is reached through these.
    const onEvent = (type: unknown, arg: unknown) => this.event(record, type, arg);
    const onWrite = (chunk: unknown, encoding: unknown) => this.write(record, chunk, encoding);
    const onEnd = (chunk: unknown, encoding: unknown) => this.ending(record, chunk, encoding);
    const target = record.target as Methods;
    const runOwned = (invoke: InvokeInner, self: unknown, args: unknown[]) =>
      ctx.owner() === record.id ? invoke(self, args) : ctx.runOwned(record.id, () => invoke(self, args));

    // An EventTarget (a MessagePort, a browser-style socket) dispatches through
    // dispatchEvent; anything with EventEmitter semantics through emit.
    const eventTargetOnly = typeof target.dispatchEvent === 'function' && typeof target.rawListeners !== 'function';
    if (eventTargetOnly) {
      interpose(target, 'dispatchEvent', (invoke) => function observedDispatchEvent(this: unknown, ...args: unknown[]) {
        if (!ctx.active) return invoke(this, args);
        const event = args[0] as { type?: unknown; data?: unknown; error?: unknown } | undefined;
        onEvent(event?.type, event?.type === 'error' ? (event.error ?? event) : event?.data);
        return runOwned(invoke, this, args);
      });
    } else {
      interpose(target, 'emit', (invoke) => function observedEmit(this: unknown, ...args: unknown[]) {
        if (!ctx.active) return invoke(this, args);
        onEvent(args[0], args[1]);
        return runOwned(invoke, this, args);
      });
    }
    for (const name of ['write', 'postMessage', 'send']) {
      interpose(target, name, (invoke) => function observedWrite(this: unknown, ...args: unknown[]) {
        onWrite(args[0], args[1]);
        return invoke(this, args);
      });
    }
    interpose(target, 'end', (invoke) => function observedEnd(this: unknown, ...args: unknown[]) {
      onEnd(args[0], args[1]);
      return invoke(this, args);
    });
  }

  /** An event about to reach the connection's listeners. */
  event(record: ConnectionRecord, type: unknown, arg: unknown): void {
    if (this.ctx.active) this.ctx.guard('observing a connection event failed', () => this.observe(record, type, arg));
  }

  write(record: ConnectionRecord, chunk: unknown, encoding: unknown): void {
    if (this.ctx.active) this.ctx.guard('observing a write failed', () => this.observeWrite(record, chunk, encoding));
  }

  /** `end(chunk?)`: the last write, and our side starts ending. */
  ending(record: ConnectionRecord, chunk: unknown, encoding: unknown): void {
    if (!this.ctx.active) return;
    if (chunk !== undefined && chunk !== null && typeof chunk !== 'function') this.write(record, chunk, encoding);
    if (!record.localEnded) {
      record.localEnded = true;
      record.firstEnd ??= 'local';
    }
  }

  private observe(record: ConnectionRecord, type: unknown, arg: unknown): void {
    const { sink } = this.ctx;
    switch (type) {
      case 'data':
      case 'message':
        if (!record.closed) this.io.noteIn(record, byteLengthOf(arg));
        break;
      case 'end':
        if (record.peerEnded || record.closed) break;
        record.peerEnded = true;
        record.firstEnd ??= 'peer';
        sink.publish({ type: 'conn.peer-end', conn: record.id });
        break;
      case 'finish':
        if (record.closed) break;
        record.localEnded = true;
        record.firstEnd ??= 'local';
        sink.publish({ type: 'conn.local-end', conn: record.id });
        break;
      case 'error': {
        const err = (arg ?? {}) as { code?: unknown; name?: unknown; message?: unknown };
        const code = typeof err.code === 'string' ? err.code : typeof err.name === 'string' ? err.name : 'ERROR';
        const message = typeof err.message === 'string' ? err.message : String(arg);
        if (!record.closed) record.errorCode = code;
        sink.publish({ type: 'conn.error', conn: record.id, code, message });
        break;
      }
      case 'close':
        this.markClosed(record);
        break;
      default:
        break;
    }
  }

  private observeWrite(record: ConnectionRecord, chunk: unknown, encoding: unknown): void {
    const bytes = byteLengthOf(chunk, encoding);
    const state = deadWriteState(record);
    if (state === null) {
      // A socket's bytes out come from its own counter.
      if (!record.lifecycle) this.io.noteOut(record, bytes);
      return;
    }
    const stack = this.ctx.captureStack();
    this.ctx.sink.publish({
      type: 'conn.write-after-close',
      conn: record.id,
      state,
      bytes,
      ...(stack !== undefined && { stack }),
    });
  }
}

/**
 * How one tracked net.Socket is observed, with nothing running per chunk:
 * its lifecycle through listeners it fires once each, its bytes from its own
 * counters (sampled by {@link ConnectionIo}), its reads attributed through
 * its I/O handle (set once, here), and its writes only once it has ended or
 * closed, when each one may be a write after close.
 */
class SocketLifecycle implements SocketObserver {
  private readonly unwatch: () => void;
  private unwatchWrites: (() => void) | undefined;
  /** The socket's I/O handle, whose callbacks run as this connection. */
  private readonly handle: object | null;

  constructor(
    private readonly registry: ConnectionRegistry,
    private readonly record: ConnectionRecord,
    private readonly socket: Socket,
  ) {
    record.byteSource = socket;
    this.handle = (socket as { _handle?: object | null })._handle ?? null;
    registry.ctx.ownHandle(record.id, this.handle);
    this.unwatch = watchSocket(socket, this);
  }

  peerEnded(): void {
    this.armWrites();
    this.registry.event(this.record, 'end', undefined);
  }

  finished(): void {
    this.registry.event(this.record, 'finish', undefined);
  }

  errored(error: unknown): void {
    this.registry.event(this.record, 'error', error);
  }

  closed(): void {
    this.armWrites();
    this.registry.event(this.record, 'close', undefined);
  }

  ending(chunk: unknown, encoding: unknown): void {
    this.registry.ending(this.record, chunk, encoding);
    this.armWrites();
  }

  destroying(): void {
    this.armWrites();
  }

  /** The connection closed: the listeners go; write watching stays (a late write is still a finding). */
  closedNow(): void {
    this.unwatch();
    const { ctx } = this.registry;
    // The app's close handlers run in the handle's close callback: it stays the connection's until they did.
    setImmediate(() => ctx.releaseHandle(this.handle));
  }

  /** The agent closed: nothing of it stays on the socket. */
  stop(): void {
    this.unwatch();
    this.unwatchWrites?.();
  }

  private armWrites(): void {
    if (this.unwatchWrites || !this.registry.ctx.active) return;
    const { registry, record } = this;
    this.unwatchWrites = watchWrites(this.socket, (chunk, encoding) => registry.write(record, chunk, encoding));
  }
}

/** A net.Socket or a stream with the same teardown methods. */
function isStreamSocket(target: object): boolean {
  if (target instanceof Socket) return true;
  const t = target as Methods;
  return typeof t.write === 'function' && typeof t.end === 'function' && typeof t.destroy === 'function' && 'writableEnded' in t;
}

function detectTransport(target: object, isSocket: boolean): Transport {
  if (!isSocket) return 'custom';
  const handle = (target as { _handle?: { constructor?: { name?: string } } })._handle;
  if (handle?.constructor?.name === 'Pipe') return process.platform === 'win32' ? 'pipe' : 'unix';
  return 'tcp';
}

/** `host:port` of a socket's peer, where known. */
export function peerOf(target: object): string | undefined {
  const { remoteAddress, remotePort } = target as { remoteAddress?: unknown; remotePort?: unknown };
  if (typeof remoteAddress !== 'string') return undefined;
  const host = bracketHost(remoteAddress);
  return typeof remotePort === 'number' ? `${host}:${remotePort}` : host;
}

function builtin(name: string, run: () => unknown): ConnectionAction {
  return { info: { name, source: 'builtin' }, run };
}

/** `disconnect` asks for a graceful end, `close` tears down now. */
function defaultActions(target: object, isSocket: boolean): Map<string, ConnectionAction> {
  const t = target as Record<string, unknown>;
  const call = (names: string[], action: string) => (): unknown => {
    for (const name of names) {
      const fn = t[name];
      if (typeof fn === 'function') return (fn as Fn).call(target);
    }
    throw new Error(`this connection has no ${names.map((n) => `${n}()`).join(' or ')} for "${action}"`);
  };
  return new Map([
    ['disconnect', builtin('disconnect', call(isSocket ? ['end'] : ['disconnect', 'end'], 'disconnect'))],
    ['close', builtin('close', call(isSocket ? ['destroy'] : ['close', 'destroy'], 'close'))],
  ]);
}

function addAppActions(into: Map<string, ConnectionAction>, actions: ActionMap): void {
  for (const [name, run] of Object.entries(actions)) {
    if (typeof run === 'function') into.set(name, { info: { name, source: 'app' }, run });
  }
}
