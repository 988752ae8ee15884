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

  constructor(
    readonly points: CountsPoint[],
    private readonly limit: number,
  ) {}

  record(seq: number, t: number, counts: CountsSnapshot): void {
    const tail = this.tailOpen ? this.points[this.points.length - 1] : undefined;
    if (tail) {
      // Overwritten in place: counts keys are never deleted, so assigning covers them all.
      tail.seq = seq;
      tail.t = t;
      tail.connections = counts.connections;
      Object.assign(tail.listeners, counts.listeners);
      Object.assign(tail.handles, counts.handles);
    } else this.points.push({ seq, t, ...copyCounts(counts) });
    this.changes++;
    this.tailOpen = this.changes % this.stride !== 0;
    if (this.points.length > this.limit) this.halve();
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
