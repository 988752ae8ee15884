import type { ConnectionRecord } from './connection.js';
import type { ProbeContext } from './context.js';

/**
 * Turns per-chunk I/O into at most one `conn.io` per connection per interval,
 * from one shared unref'd timer that runs only while some connection has
 * unpublished I/O.
 */
export class IoCoalescer {
  private readonly dirty = new Set<ConnectionRecord>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly ctx: ProbeContext) {}

  noteIn(record: ConnectionRecord, bytes: number): void {
    record.bytesIn += bytes;
    record.msgsIn++;
    this.touch(record);
    record.lastIn = record.lastActivity;
  }

  noteOut(record: ConnectionRecord, bytes: number): void {
    record.bytesOut += bytes;
    record.msgsOut++;
    this.touch(record);
  }

  /** Publishes a connection's pending totals now (before its close, so they are final). */
  flush(record: ConnectionRecord): void {
    if (!record.ioDirty) return;
    this.dirty.delete(record);
    this.publish(record);
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const record of this.dirty) record.ioDirty = false;
    this.dirty.clear();
  }

  private touch(record: ConnectionRecord): void {
    record.lastActivity = this.ctx.sink.now();
    if (record.ioDirty) return;
    record.ioDirty = true;
    this.dirty.add(record);
    if (this.timer) return;
    this.timer = setTimeout(this.tick, this.ctx.options.ioInterval);
    this.timer.unref?.();
  }

  private readonly tick = (): void => {
    this.timer = undefined;
    const due = [...this.dirty];
    this.dirty.clear();
    for (const record of due) this.ctx.guard('publishing conn.io failed', () => this.publish(record));
  };

  private publish(record: ConnectionRecord): void {
    record.ioDirty = false;
    this.ctx.sink.publish({
      type: 'conn.io',
      conn: record.id,
      bytesIn: record.bytesIn,
      bytesOut: record.bytesOut,
      msgsIn: record.msgsIn,
      msgsOut: record.msgsOut,
      lastActivity: record.lastActivity,
      lastIn: record.lastIn,
    });
  }
}
