import type { ActionMap } from '../../types.js';
import type { ConnectionRecord } from '../connection.js';
import { peerOf, type ConnectionRegistry } from '../connections.js';
import type { ProbeContext } from '../context.js';

export interface SessionOptions {
  /** What it speaks: `socket.io`, `http2`, `grpc`. */
  protocol: string;
  /** The connection (tracked object or id) that carries it, if known. */
  carrier?: object | string | null;
  label?: string;
  /** The peer's address; default the carrier's. */
  peer?: string;
  /** Replace the builtin `disconnect` / `close` (a session is not a socket). */
  actions: ActionMap;
}

/**
 * App-level sessions — a socket.io session, an HTTP/2 stream or gRPC call —
 * on top of the connection registry: the framework probes say when one
 * opens, what carries it, when its peer sends something and when it ends,
 * and run its handlers as it, so that it owns what they add. The target
 * object is the app's own (so `runAs(socket)` and `connectionClosed(socket)`
 * work on it too), but the agent hooks nothing on it: the probe observes it.
 */
export class AppSessions {
  /** Carriers each session was seen on, so each `conn.via` is said once. */
  private readonly carriers = new WeakMap<ConnectionRecord, Set<string>>();

  constructor(
    private readonly ctx: ProbeContext,
    private readonly connections: ConnectionRegistry,
  ) {}

  get active(): boolean {
    return this.ctx.active;
  }

  open(target: object, options: SessionOptions): string {
    const known = this.connections.find(target);
    if (known) return known.id;
    const carrier = this.carrierOf(options.carrier);
    const peer = options.peer ?? (carrier ? peerOf(carrier.target) : undefined);
    const id = this.connections.track(target, {
      server: carrier?.server ?? null,
      ...(carrier && { serverTransport: carrier.transport, via: carrier.id }),
      protocol: options.protocol,
      ...(options.label !== undefined && { label: options.label }),
      ...(peer !== undefined && { peer }),
      actions: options.actions,
      observe: false,
    });
    const record = this.connections.find(target);
    if (record && carrier) this.carriers.set(record, new Set([carrier.id]));
    return id;
  }

  /** The session's peer sent something, through `carrier` (a connection whose work is running) when known. */
  inbound(target: object, bytes = 0, carrier: string | null = null): void {
    const record = this.live(target);
    if (!record) return;
    this.connections.io.noteIn(record, bytes);
    if (carrier === null || carrier === record.id) return;
    let seen = this.carriers.get(record);
    if (!seen) this.carriers.set(record, (seen = new Set()));
    if (seen.has(carrier) || !this.connections.openById(carrier)) return;
    seen.add(carrier);
    this.ctx.sink.publish({ type: 'conn.via', conn: record.id, via: carrier });
  }

  /** A tracked connection's peer sent something the probes could not see as a read (a request its parser consumed). */
  heard(target: object): void {
    const record = this.live(target);
    if (record) this.connections.io.noteRead(record);
  }

  /** A tracked connection now speaks another protocol (an HTTP/1 connection upgraded). */
  speaks(target: object, protocol: string): void {
    const record = this.live(target);
    if (record) this.ctx.sink.publish({ type: 'conn.protocol', conn: record.id, protocol });
  }

  outbound(target: object, bytes = 0): void {
    const record = this.live(target);
    if (record) this.connections.io.noteOut(record, bytes);
  }

  /** The peer will send nothing more (its side of a stream ended). */
  peerEnded(target: object): void {
    const record = this.live(target);
    if (!record || record.peerEnded) return;
    record.peerEnded = true;
    record.firstEnd ??= 'peer';
    this.ctx.sink.publish({ type: 'conn.peer-end', conn: record.id });
  }

  /** The session is over: `error` names why when it was torn down (a reset, a transport error). */
  closed(target: object, how: 'peer' | 'local', error?: string): void {
    const record = this.live(target);
    if (!record) return;
    record.firstEnd ??= how;
    if (error !== undefined) record.errorCode = error;
    this.connections.closedByApp(target);
  }

  /** Runs `fn` as the session's work. */
  run<R>(target: object, fn: () => R): R {
    const record = this.connections.find(target);
    if (!record || !this.ctx.active) return fn();
    return this.ctx.owner() === record.id ? fn() : this.ctx.runOwned(record.id, fn);
  }

  /** The connection whose work is running now (a carrier, when called from its dispatch). */
  running(): string | null {
    return this.ctx.owner();
  }

  /** Records bookkeeping failures without ever throwing into the framework. */
  guard(what: string, fn: () => void): void {
    this.ctx.guard(what, fn);
  }

  private live(target: object): ConnectionRecord | undefined {
    if (!this.ctx.active) return undefined;
    const record = this.connections.find(target);
    return record && !record.closed ? record : undefined;
  }

  private carrierOf(ref: object | string | null | undefined): ConnectionRecord | undefined {
    if (ref === undefined || ref === null) return undefined;
    const record = typeof ref === 'string' ? this.connections.openById(ref) : this.connections.find(ref);
    return record && !record.closed ? record : undefined;
  }
}
