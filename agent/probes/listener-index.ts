import type { ListenerAddEvent } from '../../shared/protocol.js';
import type { ListenerRecord } from './listener-book.js';
import { SteadyMap } from './steady-map.js';

type Fn = (...args: unknown[]) => unknown;
export type EventKey = string | symbol;

/** A registration as the emitter stores it (a once-wrapper for `once`): also the book's record of it. */
export interface Entry extends ListenerRecord {
  readonly raw: Fn;
  readonly event: EventKey;
  /** Where it sits in its event's list: appends count up, prepends down. */
  readonly position: number;
}

/** Event names remembered with no listener, before they are swept (an app may use endless names). */
const MAX_EMPTY_SPANS = 1024;

/** Per event name: how many, and the positions at either end. */
interface Span {
  size: number;
  first: number;
  last: number;
}

/**
 * Every listener a watched EventEmitter holds, indexed so that one add or
 * remove costs a few map operations however many listeners there are: by the
 * function the emitter stores, and (for Node's once-wrappers) by the
 * listener they wrap. A function stored once (the usual case) is kept
 * as its entry, not in an array.
 */
export class ListenerIndex {
  private readonly byRaw = new SteadyMap<Fn, Entry | Entry[]>();
  private readonly byListener = new SteadyMap<Fn, Entry | Entry[]>();
  private readonly spans = new Map<EventKey, Span>();

  size(event: EventKey): number {
    return this.spans.get(event)?.size ?? 0;
  }

  /** Event names that hold listeners. */
  events(): EventKey[] {
    return [...this.spans].filter(([, span]) => span.size > 0).map(([event]) => event);
  }

  add(event: EventKey, raw: Fn, added: ListenerAddEvent, prepend: boolean): void {
    let span = this.spans.get(event);
    if (!span) this.spans.set(event, (span = { size: 0, first: 0, last: -1 }));
    const position = span.size === 0 ? (span.first = span.last = 0) : prepend ? --span.first : ++span.last;
    span.size++;
    const entry: Entry = { raw, event, position, added, live: true };
    put(this.byRaw, raw, entry);
    const wrapped = onceListener(raw);
    if (wrapped) put(this.byListener, wrapped, entry);
  }

  /** The entry Node's `removeListener(event, fn)` removes: the last one of `event` stored as `fn` or wrapping it. */
  lastMatching(event: EventKey, fn: unknown): Entry | undefined {
    if (typeof fn !== 'function') return undefined;
    const stored = latest(this.byRaw.get(fn as Fn), event, undefined);
    return latest(this.byListener.get(fn as Fn), event, stored);
  }

  /** Whether `raw` is recorded as stored for `event`. */
  holds(event: EventKey, raw: Fn): boolean {
    return latest(this.byRaw.get(raw), event, undefined) !== undefined;
  }

  delete(entry: Entry): void {
    take(this.byRaw, entry.raw, entry);
    const wrapped = onceListener(entry.raw);
    if (wrapped) take(this.byListener, wrapped, entry);
    // An emptied span stays (the next add for the name reuses it) until there are many.
    this.spans.get(entry.event)!.size--;
    if (this.spans.size > MAX_EMPTY_SPANS) for (const [event, span] of this.spans) if (span.size === 0) this.spans.delete(event);
  }

  /** The entries of `event` (or of every event) in the emitter's order: a full scan, for the slow paths. */
  ordered(event?: EventKey): Entry[] {
    const all: Entry[] = [];
    for (const value of this.byRaw.values()) {
      each(value, (entry) => {
        if (event === undefined || entry.event === event) all.push(entry);
      });
    }
    return all.sort((a, b) => a.position - b.position);
  }

  clear(): void {
    this.byRaw.clear();
    this.byListener.clear();
    this.spans.clear();
  }
}

/** Node's `once` stores a wrapper carrying the real listener as `.listener`. */
export function onceListener(fn: unknown): Fn | undefined {
  const listener = typeof fn === 'function' ? (fn as { listener?: unknown }).listener : undefined;
  return typeof listener === 'function' ? (listener as Fn) : undefined;
}

/** The entry of `event` in `value` (one entry or several) placed last in its list, if later than `than`. Runs on every remove: no closures. */
function latest(value: Entry | Entry[] | undefined, event: EventKey, than: Entry | undefined): Entry | undefined {
  if (value === undefined) return than;
  if (!Array.isArray(value)) return value.event === event && (!than || value.position > than.position) ? value : than;
  let last = than;
  for (const entry of value) if (entry.event === event && (!last || entry.position > last.position)) last = entry;
  return last;
}

function each(value: Entry | Entry[] | undefined, fn: (entry: Entry) => void): void {
  if (value === undefined) return;
  if (Array.isArray(value)) value.forEach(fn);
  else fn(value);
}

function put(map: SteadyMap<Fn, Entry | Entry[]>, key: Fn, entry: Entry): void {
  const value = map.get(key);
  if (value === undefined) map.set(key, entry);
  else if (Array.isArray(value)) value.push(entry);
  else map.set(key, [value, entry]);
}

function take(map: SteadyMap<Fn, Entry | Entry[]>, key: Fn, entry: Entry): void {
  const value = map.get(key);
  if (value === entry) {
    map.delete(key);
    return;
  }
  if (!Array.isArray(value)) return;
  const at = value.lastIndexOf(entry);
  if (at >= 0) value.splice(at, 1);
  if (value.length === 1) map.set(key, value[0]!);
  else if (value.length === 0) map.delete(key);
}
