import type { ConnectionRecord } from './connection.js';
import type { ProbeContext } from './context.js';

/** Per open socket, what one sample costs (two native counter reads), in ms: sizes the gap between sweeps before a `conn.open`. */
const SAMPLE_COST_MS = 0.0075;

/**
 * `conn.io`: at most one per connection per `ioInterval`, from one shared
 * unref'd timer that runs while some connection is open or has unpublished
 * I/O. Two sources:
 *
 * - a socket's own byte counters (`bytesRead`, `bytesWritten`), sampled for
 *   every open socket on each tick. Nothing runs per chunk, and bytes that
 *   Node's HTTP/1 and HTTP/2 parsers consume natively, which never raise
 *   `'data'`, count like any others. A socket is also swept right before a
 *   `conn.open` is published (at most once per a gap that grows with the
 *   number of open sockets), so a read that happened before a new connection
 *   opened is published before that connection's open;
 * - for other targets, what their hooks counted since the last sample.
 *
 * Either way I/O is stamped with the time of the sample that saw it, so the
 * hot path never reads the clock.
 */
export class ConnectionIo {
  private readonly sockets = new Set<ConnectionRecord>();
  private readonly dirty = new Set<ConnectionRecord>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Agent time of the last sweep over the sockets. */
  private lastSweep = Number.NEGATIVE_INFINITY;

  constructor(private readonly ctx: ProbeContext) {}

  /** Starts sampling an open socket's counters. */
  sample(record: ConnectionRecord): void {
    this.sockets.add(record);
    this.arm();
  }

  /** A message or chunk a counted target read (`bytes` 0 when it has none). */
  noteIn(record: ConnectionRecord, bytes: number): void {
    record.bytesIn += bytes;
    record.msgsIn = (record.msgsIn ?? 0) + 1;
    record.readSince = true;
    this.touch(record);
  }

  /**
   * The peer was active though no bytes were counted here (work run as its
   * session, a message delivered natively): its next `conn.io` counts it as a read.
   */
  noteRead(record: ConnectionRecord): void {
    record.readSince = true;
    if (!record.byteSource) this.touch(record);
  }

  noteOut(record: ConnectionRecord, bytes: number): void {
    record.bytesOut += bytes;
    record.msgsOut = (record.msgsOut ?? 0) + 1;
    this.touch(record);
  }

  /** Publishes reads older than a connection about to open, so the open is stamped after them. */
  beforeOpen(): void {
    const sockets = this.sockets.size;
    if (sockets + this.dirty.size === 0) return;
    if (sockets > 0 && this.ctx.sink.recent() - this.lastSweep < sockets * SAMPLE_COST_MS) return;
    this.sweep();
  }

  /** The connection closed: its final totals, right before its `conn.close`. */
  closing(record: ConnectionRecord): void {
    if (this.sockets.delete(record)) this.sampleOne(record, this.stamp());
    else if (this.dirty.delete(record)) this.publish(record, this.stamp());
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const record of this.dirty) record.ioDirty = false;
    this.dirty.clear();
    this.sockets.clear();
  }

  private touch(record: ConnectionRecord): void {
    if (record.ioDirty) return;
    record.ioDirty = true;
    this.dirty.add(record);
    this.arm();
  }

  private arm(): void {
    if (this.timer) return;
    this.timer = setTimeout(this.tick, this.ctx.options.ioInterval);
    this.timer.unref?.();
  }

  private readonly tick = (): void => {
    this.timer = undefined;
    this.ctx.guard('publishing conn.io failed', () => this.sweep());
    if (this.sockets.size > 0) this.arm();
  };

  /** Publishes every connection's I/O since the last sweep, stamped with this sweep's time. */
  private sweep(): void {
    const stamp = this.stamp();
    this.lastSweep = stamp;
    if (this.dirty.size > 0) {
      const due = [...this.dirty];
      this.dirty.clear();
      for (const record of due) this.publish(record, stamp);
    }
    for (const record of this.sockets) this.sampleOne(record, stamp);
  }

  /**
   * I/O is stamped just before the sample that saw it (it happened before
   * that sample began): never before the read, and always before a
   * `conn.open` published after the sample.
   */
  private stamp(): number {
    return Math.max(0, this.ctx.sink.now() - 0.001);
  }

  private sampleOne(record: ConnectionRecord, stamp: number): void {
    const source = record.byteSource!;
    const bytesIn = source.bytesRead;
    const bytesOut = source.bytesWritten;
    if (bytesIn === record.bytesIn && bytesOut === record.bytesOut && !record.readSince) return;
    if (bytesIn !== record.bytesIn) record.readSince = true;
    record.bytesIn = bytesIn;
    record.bytesOut = bytesOut;
    this.publish(record, stamp);
  }

  private publish(record: ConnectionRecord, stamp: number): void {
    record.ioDirty = false;
    record.lastActivity = stamp;
    if (record.readSince) record.lastIn = stamp;
    record.readSince = false;
    this.ctx.sink.publish({
      type: 'conn.io',
      conn: record.id,
      bytesIn: record.bytesIn,
      bytesOut: record.bytesOut,
      ...(record.msgsIn !== undefined && { msgsIn: record.msgsIn }),
      ...(record.msgsOut !== undefined && { msgsOut: record.msgsOut }),
      lastActivity: record.lastActivity,
      lastIn: record.lastIn,
    });
  }
}
