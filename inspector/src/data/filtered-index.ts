import type { AgentEvent } from '../../../shared/protocol.js';
import type { ChunkedLog } from './chunked-log.js';

/** Events looked at between two glances at the clock. */
const STEP = 1024;

/**
 * Indices of the log's events that match a filter, grown incrementally as
 * events arrive. A new filter rescans in slices (a few milliseconds per
 * call, one call per frame) so typing in the filter box never freezes the
 * page, however costly an event is to read (a recording's rows are parsed
 * when read).
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

  /** Scans more events for about `ms` milliseconds (at least {@link STEP} of them); returns true when caught up. */
  extend(ms = 8): boolean {
    const matches = this.matches;
    if (!matches) {
      this.scanned = this.log.length;
      return true;
    }
    const until = performance.now() + ms;
    do {
      const end = Math.min(this.log.length, this.scanned + STEP);
      for (let i = this.scanned; i < end; i++) if (matches(this.log.at(i))) this.add(i);
      this.scanned = end;
    } while (!this.complete && performance.now() < until);
    return this.complete;
  }

  private add(logIndex: number): void {
    if (this.size === this.indices.length) {
      const grown = new Uint32Array(this.indices.length * 2);
      grown.set(this.indices);
      this.indices = grown;
    }
    this.indices[this.size++] = logIndex;
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
