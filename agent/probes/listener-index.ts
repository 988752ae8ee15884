import type { ListenerAddEvent } from '../../shared/protocol.js';
import type { ListenerRecord } from './listener-book.js';

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

/**
 * Up to this many registrations are kept in a list and found by scanning it.
 * An emitter usually holds a few listeners and adds and removes them over and
 * over; in a Map each such pair leaves a deleted slot, and every few pairs
 * the Map copies itself into a new table (a third of a listener add + remove
 * in profiles, with the garbage it left). The maps take over beyond this and
 * hand back at half of it, so a count hovering at the limit does not move
 * the entries to and fro on every call.
 */
const LIST_MAX = 8;

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
 * as its entry, not in an array. A few entries are kept in a list instead
 * (see {@link LIST_MAX}).
 */
export class ListenerIndex {
  /** Every entry, in no order, while there are few; undefined while the maps hold them. */
  private list: Entry[] | undefined = [];
  private readonly byRaw = new Map<Fn, Entry | Entry[]>();
  private readonly byListener = new Map<Fn, Entry | Entry[]>();
  private readonly spans = new Map<EventKey, Span>();
  private count = 0;

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
    this.count++;
    const list = this.list;
    if (list === undefined) this.map(entry);
    else if (list.length < LIST_MAX) list.push(entry);
    else {
      this.list = undefined;
      for (const listed of list) this.map(listed);
      this.map(entry);
    }
  }

  /** The entry Node's `removeListener(event, fn)` removes: the last one of `event` stored as `fn` or wrapping it. */
  lastMatching(event: EventKey, fn: unknown): Entry | undefined {
    if (typeof fn !== 'function') return undefined;
    const list = this.list;
    if (list === undefined) return latest(this.byListener.get(fn as Fn), event, latest(this.byRaw.get(fn as Fn), event, undefined));
    let last: Entry | undefined;
    for (let i = 0; i < list.length; i++) {
      const entry = list[i]!;
      if (entry.event === event && (entry.raw === fn || onceListener(entry.raw) === fn) && (!last || entry.position > last.position)) last = entry;
    }
    return last;
  }

  /** Whether `raw` is recorded as stored for `event`. */
  holds(event: EventKey, raw: Fn): boolean {
    const list = this.list;
    if (list === undefined) return latest(this.byRaw.get(raw), event, undefined) !== undefined;
    for (let i = 0; i < list.length; i++) if (list[i]!.event === event && list[i]!.raw === raw) return true;
    return false;
  }

  delete(entry: Entry): void {
    const list = this.list;
    if (list === undefined) this.unmap(entry);
    else {
      // Order does not matter (positions carry it): the last entry fills the hole.
      const at = list.lastIndexOf(entry);
      if (at < 0) return;
      list[at] = list[list.length - 1]!;
      list.pop();
    }
    this.count--;
    if (list === undefined && this.count <= LIST_MAX / 2) this.unmapAll();
    // An emptied span stays (the next add for the name reuses it) until there are many.
    this.spans.get(entry.event)!.size--;
    if (this.spans.size > MAX_EMPTY_SPANS) for (const [event, span] of this.spans) if (span.size === 0) this.spans.delete(event);
  }

  /** The entries of `event` (or of every event) in the emitter's order: a full scan, for the slow paths. */
  ordered(event?: EventKey): Entry[] {
    const all: Entry[] = [];
    const keep = (entry: Entry): void => {
      if (event === undefined || entry.event === event) all.push(entry);
    };
    if (this.list !== undefined) this.list.forEach(keep);
    else for (const value of this.byRaw.values()) each(value, keep);
    return all.sort((a, b) => a.position - b.position);
  }

  clear(): void {
    this.list = [];
    this.count = 0;
    this.byRaw.clear();
    this.byListener.clear();
    this.spans.clear();
  }

  private map(entry: Entry): void {
    put(this.byRaw, entry.raw, entry);
    const wrapped = onceListener(entry.raw);
    if (wrapped) put(this.byListener, wrapped, entry);
  }

  private unmap(entry: Entry): void {
    take(this.byRaw, entry.raw, entry);
    const wrapped = onceListener(entry.raw);
    if (wrapped) take(this.byListener, wrapped, entry);
  }

  /** Back to the list, once few entries are left. */
  private unmapAll(): void {
    const list: Entry[] = [];
    for (const value of this.byRaw.values()) each(value, (entry) => list.push(entry));
    this.list = list;
    this.byRaw.clear();
    this.byListener.clear();
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

function put(map: Map<Fn, Entry | Entry[]>, key: Fn, entry: Entry): void {
  const value = map.get(key);
  if (value === undefined) map.set(key, entry);
  else if (Array.isArray(value)) value.push(entry);
  else map.set(key, [value, entry]);
}

function take(map: Map<Fn, Entry | Entry[]>, key: Fn, entry: Entry): void {
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
