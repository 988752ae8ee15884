import type { AgentEvent } from '../../../shared/protocol.js';
import type { ChunkedLog } from './chunked-log.js';

/** Events looked at between two glances at the clock. */
const STEP = 1024;

/**
 * Indices of the log's events that match a filter, grown incrementally as
 * events arrive. A new filter rescans what the log already held in slices
 * (a few milliseconds per call, one call per frame), so typing in the filter
 * box never freezes the page, however costly an event is to read (a
 * recording's rows are parsed when read). The rescan goes from the newest
 * event back, and events arriving meanwhile are matched at once: a view
 * following the tail shows its matches first, not after the scan of a long
 * history (as DevTools' Network filter does).
 */
export class FilteredIndex {
  /** Matches in the history the filter found, scanning backwards: in descending log order. */
  private older = new Uint32Array(1024);
  private olderSize = 0;
  /** Matches among events that arrived after the filter was made, in log order. */
  private newer = new Uint32Array(1024);
  private newerSize = 0;
  /** The backward scan has looked at everything from here to where the log ended when the filter was made. */
  private backTo: number;
  /** Events from that end up to here have been looked at. */
  private forwardTo: number;

  constructor(
    private readonly log: ChunkedLog,
    private readonly matches: ((e: AgentEvent) => boolean) | null,
  ) {
    this.backTo = this.forwardTo = log.length;
  }

  get length(): number {
    return this.matches ? this.olderSize + this.newerSize : this.forwardTo;
  }

  /** True once every logged event has been looked at. */
  get complete(): boolean {
    return this.backTo === 0 && this.forwardTo >= this.log.length;
  }

  /** Log index of the i-th match. */
  at(i: number): number {
    if (!this.matches) return i;
    return i < this.olderSize ? this.older[this.olderSize - 1 - i]! : this.newer[i - this.olderSize]!;
  }

  /** Matches what arrived, then scans the history back for about `ms` milliseconds (at least {@link STEP} events); returns true when caught up. */
  extend(ms = 8): boolean {
    const matches = this.matches;
    if (!matches) {
      this.backTo = 0;
      this.forwardTo = this.log.length;
      return true;
    }
    const until = performance.now() + ms;
    for (const end = this.log.length; this.forwardTo < end; this.forwardTo++) {
      if (matches(this.log.at(this.forwardTo))) this.newer = push(this.newer, this.newerSize++, this.forwardTo);
    }
    while (this.backTo > 0) {
      const stop = Math.max(0, this.backTo - STEP);
      for (let i = this.backTo - 1; i >= stop; i--) if (matches(this.log.at(i))) this.older = push(this.older, this.olderSize++, i);
      this.backTo = stop;
      if (performance.now() >= until) break;
    }
    return this.complete;
  }

  /** Position of the first match whose log index is ≥ `logIndex` (for windows and jumps), among those found so far. */
  positionOf(logIndex: number): number {
    if (!this.matches) return Math.min(logIndex, this.forwardTo);
    // Older matches below logIndex: the tail of the descending array.
    let lo = 0;
    let hi = this.olderSize;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.older[mid]! >= logIndex) lo = mid + 1;
      else hi = mid;
    }
    const olderBelow = this.olderSize - lo;
    lo = 0;
    hi = this.newerSize;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.newer[mid]! < logIndex) lo = mid + 1;
      else hi = mid;
    }
    return olderBelow + lo;
  }
}

/** `array` with `value` at `at`, grown (doubled) when full. */
function push(array: Uint32Array<ArrayBuffer>, at: number, value: number): Uint32Array<ArrayBuffer> {
  let out = array;
  if (at === array.length) {
    out = new Uint32Array(array.length * 2);
    out.set(array);
  }
  out[at] = value;
  return out;
}
