import type { ConnectionRecord } from './connection.js';
import type { ProbeContext } from './context.js';

/**
 * Turns per-chunk I/O into at most one `conn.io` per connection per interval,
 * from one shared unref'd timer that runs only while some connection has
 * unpublished I/O. Per chunk it only adds and reads the clock's `recent`
 * time (exact for the first chunk of an interval; after that as fresh as the
 * agent's last event, and never later than the real time).
 */
export class IoCoalescer {
  private readonly dirty = new Set<ConnectionRecord>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly ctx: ProbeContext) {}

  /** A chunk read (`noteIn` also counts its bytes, for targets that do not). */
  noteRead(record: ConnectionRecord): void {
    record.msgsIn++;
    this.touch(record);
    record.lastIn = record.lastActivity;
  }

  noteIn(record: ConnectionRecord, bytes: number): void {
    record.bytesIn += bytes;
    this.noteRead(record);
  }

  noteWrite(record: ConnectionRecord): void {
    record.msgsOut++;
    this.touch(record);
  }

  noteOut(record: ConnectionRecord, bytes: number): void {
    record.bytesOut += bytes;
    this.noteWrite(record);
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
    if (record.ioDirty) {
      record.lastActivity = this.ctx.sink.recent();
      return;
    }
    record.lastActivity = this.ctx.sink.now();
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
    if (record.byteSource) {
      record.bytesIn = record.byteSource.bytesRead;
      record.bytesOut = record.byteSource.bytesWritten;
    }
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
