import type { AgentEvent } from '../../../shared/protocol.js';
import type { ChunkedLog } from './chunked-log.js';

/**
 * Indices of the log's events that match a filter, grown incrementally as
 * events arrive. A new filter rescans in slices (`budget` events per call,
 * one call per frame) so typing in the filter box never freezes the page.
 */
export class FilteredIndex {
  private indices = new Uint32Array(1024);
  private size = 0;
  private scanned = 0;

  constructor(
    private readonly log: ChunkedLog,
    private readonly matches: ((e: AgentEvent) => boolean) | null,
  ) {}

  get length(): number {
    return this.matches ? this.size : this.scanned;
  }

  /** True once every logged event has been looked at. */
  get complete(): boolean {
    return this.scanned >= this.log.length;
  }

  /** Log index of the i-th match. */
  at(i: number): number {
    return this.matches ? this.indices[i]! : i;
  }

  /** Scans up to `budget` more events; returns true when caught up. */
  extend(budget = 250_000): boolean {
    const end = Math.min(this.log.length, this.scanned + budget);
    if (!this.matches) {
      this.scanned = end;
      return this.complete;
    }
    for (let i = this.scanned; i < end; i++) {
      if (!this.matches(this.log.at(i))) continue;
      if (this.size === this.indices.length) {
        const grown = new Uint32Array(this.indices.length * 2);
        grown.set(this.indices);
        this.indices = grown;
      }
      this.indices[this.size++] = i;
    }
    this.scanned = end;
    return this.complete;
  }

  /** Position of the first match whose log index is ≥ `logIndex` (for windows and jumps). */
  positionOf(logIndex: number): number {
    if (!this.matches) return Math.min(logIndex, this.scanned);
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.indices[mid]! < logIndex) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
