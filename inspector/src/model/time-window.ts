/**
 * The one selected time window that filters every view. Times are absolute
 * epoch milliseconds (a run's `startedAt` + the agent's `t`), so several runs
 * of a restarted backend share one axis.
 */
export interface TimeWindow {
  from: number;
  to: number;
}

/** Absolute time of agent time `t` in a run that started at `startedAt`. */
export function absoluteTime(startedAt: number, t: number): number {
  return startedAt + t;
}

/** True when `abs` is inside the window (no window = everything). */
export function inWindow(abs: number, window: TimeWindow | null): boolean {
  return !window || (abs >= window.from && abs <= window.to);
}

/** True when the span [start, end] (end undefined = still going) overlaps the window. */
export function spanOverlaps(start: number, end: number | undefined, window: TimeWindow | null): boolean {
  if (!window) return true;
  return start <= window.to && (end === undefined || end >= window.from);
}

/** Normalises a window from two points in any order; null when empty. */
export function makeWindow(a: number, b: number): TimeWindow | null {
  if (!Number.isFinite(a) || !Number.isFinite(b) || a === b) return null;
  return { from: Math.min(a, b), to: Math.max(a, b) };
}

/**
 * Index range [start, end) of items whose time lies in the window, for an
 * array sorted by time. Binary search: the Events view has a million rows.
 */
export function sortedRange(count: number, timeAt: (i: number) => number, window: TimeWindow | null): [number, number] {
  if (!window) return [0, count];
  return [lowerBound(count, timeAt, window.from), upperBound(count, timeAt, window.to)];
}

function lowerBound(count: number, timeAt: (i: number) => number, value: number): number {
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (timeAt(mid) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBound(count: number, timeAt: (i: number) => number, value: number): number {
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (timeAt(mid) <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The window from `from` on, open-ended: it keeps following the stream (a table's Clear). */
export function windowFrom(from: number): TimeWindow {
  return { from, to: Infinity };
}

/** The window on whole milliseconds (what a link can hold exactly); an open end stays open. */
export function wholeMs(window: TimeWindow | null): TimeWindow | null {
  if (!window) return null;
  return { from: Math.floor(window.from), to: Number.isFinite(window.to) ? Math.ceil(window.to) : Infinity };
}
