import { copyCounts } from './records.js';
import type { CountsPoint, CountsSnapshot } from './types.js';

/**
 * Counts over time for the charts, bounded: when full, every other point is
 * dropped and from then on only every second change is kept (the newest
 * point always reflects the latest counts).
 */
export class CountsSeries {
  private stride = 1;
  private changes = 0;
  /** The last point is a placeholder that the next change overwrites. */
  private tailOpen = false;
  /**
   * The placeholder's latest time and counts are not written yet: most
   * changes are overwritten by the next, so the copy waits until its group
   * of changes closes or someone reads the points ({@link sync}).
   */
  private pending: CountsSnapshot | undefined;
  private pendingSeq = 0;
  private pendingT = 0;

  constructor(
    readonly points: CountsPoint[],
    private readonly limit: number,
  ) {}

  record(seq: number, t: number, counts: CountsSnapshot): void {
    const overwrite = this.tailOpen;
    this.changes++;
    this.tailOpen = this.changes % this.stride !== 0;
    if (overwrite) {
      this.pending = counts;
      this.pendingSeq = seq;
      this.pendingT = t;
      if (!this.tailOpen) this.sync();
      return;
    }
    this.points.push({ seq, t, ...copyCounts(counts) });
    if (this.points.length > this.limit) this.halve();
  }

  /** Writes the placeholder's latest counts (before the points are read). */
  sync(): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    const tail = this.points[this.points.length - 1]!;
    // Overwritten in place: counts keys are never deleted, so assigning covers them all.
    tail.seq = this.pendingSeq;
    tail.t = this.pendingT;
    tail.connections = pending.connections;
    Object.assign(tail.listeners, pending.listeners);
    Object.assign(tail.handles, pending.handles);
  }

  /** Keeps every other point, always including the newest. */
  private halve(): void {
    const points = this.points;
    const last = points.length - 1;
    let write = 0;
    for (let read = last % 2; read <= last; read += 2) points[write++] = points[read]!;
    points.length = write;
    this.stride *= 2;
    this.changes = 0;
    this.tailOpen = false;
  }
}
