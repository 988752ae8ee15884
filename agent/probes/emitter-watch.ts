import type { ListenerAddEvent, ListenerRemoval, Owner, Stack } from '../../shared/protocol.js';
import type { ProbeContext } from './context.js';
import { eventName, ListenerBook, type Watch } from './listener-book.js';
import { ListenerIndex, onceListener, type Entry, type EventKey } from './listener-index.js';
import { patchMethods } from './patch.js';

/** Every method that adds or removes listeners: all aliases, or a call slips past. */
const METHODS = [
  'on',
  'addListener',
  'prependListener',
  'once',
  'prependOnceListener',
  'off',
  'removeListener',
  'removeAllListeners',
] as const;
type Method = (typeof METHODS)[number];

type Fn = (...args: unknown[]) => unknown;
type EmitterLike = Record<Method, Fn> & {
  rawListeners(event: EventKey): Fn[];
  listenerCount(event: EventKey): number;
  eventNames(): EventKey[];
  _events?: Record<EventKey, Fn | Fn[] | undefined>;
};

/**
 * Watches an EventEmitter by patching its own listener methods (not the
 * prototype; non-enumerable, and all put back by unwatch). Each call is
 * accounted for from what Node's own methods do — an add stores its listener
 * (or once-wrapper) at one end, a remove takes the last matching one —
 * checked against the emitter's count and its stored list's ends, so that
 * one add or remove costs a few map operations however many listeners the
 * emitter holds. Anything else (another emitter library, a nested call from
 * a 'newListener'/'removeListener' handler) is reconciled against
 * `rawListeners(event)`, which is what the emitter really holds.
 */
export function watchEventEmitter(ctx: ProbeContext, target: object, name: string): Watch {
  const emitter = target as EmitterLike;
  const book = new ListenerBook(ctx, ctx.nextId('e'));
  const index = new ListenerIndex();

  let watching = true;
  /** Patched calls started, to notice nested ones. */
  let calls = 0;
  /** Depth of removeAllListeners calls in progress. */
  let removingAll = 0;

  const record = (event: EventKey, raw: Fn, prepend: boolean, owner: Owner, stack: Stack | undefined): void => {
    index.add(event, raw, book.add(eventName(event), onceListener(raw) !== undefined, owner, stack), prepend);
  };

  const remove = (entry: Entry, how: ListenerRemoval): void => {
    index.delete(entry);
    book.remove(entry, how);
  };

  /** Makes the records of `event` match what the emitter holds (the slow path). */
  const reconcile = (event: EventKey, how: ListenerRemoval): void => {
    const before = index.ordered(event);
    const now = emitter.rawListeners(event);
    // One call changes one place in the list: trim the common head and tail.
    let head = 0;
    while (head < before.length && head < now.length && before[head]!.raw === now[head]) head++;
    let tail = 0;
    while (tail < before.length - head && tail < now.length - head && before[before.length - 1 - tail]!.raw === now[now.length - 1 - tail]) tail++;
    const removed = before.slice(head, before.length - tail);
    const added = now.slice(head, now.length - tail);
    if (removed.length === 0 && added.length === 0) return;
    for (const entry of removed) book.remove(entry, how);
    const owner = ctx.owner();
    const stack = added.length > 0 ? ctx.captureStack() : undefined;
    // Rebuilt in the emitter's order.
    for (const entry of before) index.delete(entry);
    const kept: Array<{ raw: Fn; added?: ListenerAddEvent }> = [...before.slice(0, head), ...added.map((raw) => ({ raw })), ...before.slice(before.length - tail)];
    for (const item of kept) {
      index.add(event, item.raw, item.added ?? book.add(eventName(event), onceListener(item.raw) !== undefined, owner, stack), false);
    }
  };


  /** The function the emitter stored at one end of `event`'s list, if it stores them as Node does. */
  const storedAt = (event: EventKey, prepend: boolean): unknown => {
    const stored = emitter._events?.[event];
    if (!Array.isArray(stored)) return stored;
    return prepend ? stored[0] : stored[stored.length - 1];
  };

  /** After `on`/`once`/… with no nested call: the one listener Node stored, if the emitter shows exactly that. */
  const added = (method: Method, event: EventKey, listener: unknown): boolean => {
    if (emitter.listenerCount(event) !== index.size(event) + 1) return false;
    const prepend = method === 'prependListener' || method === 'prependOnceListener';
    const raw = storedAt(event, prepend);
    const once = method === 'once' || method === 'prependOnceListener';
    if (typeof raw !== 'function' || (once ? onceListener(raw) !== listener : raw !== listener)) return false;
    record(event, raw as Fn, prepend, ctx.owner(), ctx.captureStack());
    return true;
  };

  /** After `off`/`removeListener` with no nested call: the entry Node removed, if the emitter shows exactly that. */
  const removed = (event: EventKey, how: ListenerRemoval, entry: Entry | undefined): boolean => {
    const count = emitter.listenerCount(event);
    if (entry === undefined) return count === index.size(event);
    if (count !== index.size(event) - 1) return false;
    remove(entry, how);
    return true;
  };

  /**
   * After an add that went through a nested patched call (Node's `once` adds
   * its wrapper through `this.on`): nothing left to record when the count and
   * the stored end already match the records.
   */
  const alreadyRecorded = (method: Method, event: EventKey): boolean => {
    if (emitter.listenerCount(event) !== index.size(event)) return false;
    const raw = storedAt(event, method === 'prependListener' || method === 'prependOnceListener');
    return typeof raw === 'function' && index.holds(event, raw as Fn);
  };

  /** `all`: removeAllListeners() with no event name. */
  const afterCall = (method: Method, event: EventKey, listener: unknown, all: boolean, nested: boolean, how: ListenerRemoval, entry: Entry | undefined): void => {
    if (method === 'removeAllListeners') {
      for (const key of all ? index.events() : [event]) {
        if (index.size(key) === 0) continue;
        if (!nested && emitter.listenerCount(key) === 0) for (const e of index.ordered(key)) remove(e, how);
        else reconcile(key, how);
      }
      return;
    }
    const removal = method === 'off' || method === 'removeListener';
    if (!nested && (removal ? removed(event, how, entry) : added(method, event, listener))) return;
    if (nested && !removal && alreadyRecorded(method, event)) return;
    reconcile(event, how);
  };

  const patches = patchMethods(emitter, METHODS, (method, original) => {
    const removal = method === 'off' || method === 'removeListener';
    return function (this: unknown, event: unknown, listener: unknown): unknown {
      if (!watching || !ctx.active) return Reflect.apply(original, this, arguments);
      const mark = ++calls;
      let how: ListenerRemoval = 'remove';
      let entry: Entry | undefined;
      try {
        if (method === 'removeAllListeners' || removingAll > 0) how = 'remove-all';
        if (removal) {
          entry = index.lastMatching(event as EventKey, listener);
          // Node's once-wrapper removes itself, passing the wrapper, just before it runs.
          if (how === 'remove' && entry !== undefined && entry.raw === listener && onceListener(listener) !== undefined) how = 'once-fired';
        }
      } catch (err) {
        ctx.warnOnce('tracking listeners failed', err);
      }
      const all = method === 'removeAllListeners' && (arguments.length === 0 || event === undefined);
      if (method === 'removeAllListeners') removingAll++;
      let result: unknown;
      try {
        result = Reflect.apply(original, this, arguments);
      } finally {
        if (method === 'removeAllListeners') removingAll--;
      }
      if (!watching) return result;
      try {
        afterCall(method, event as EventKey, listener, all, calls !== mark, how, entry);
      } catch (err) {
        ctx.warnOnce('tracking listeners failed', err);
      }
      return result;
    };
  }, (method) => {
    if (watching) book.lostTrack(method);
  });

  ctx.sink.publish({ type: 'emitter.watch', emitter: book.emitter, name, kind: 'EventEmitter' });
  for (const event of emitter.eventNames()) {
    for (const raw of emitter.rawListeners(event)) index.add(event, raw, book.addPreexisting(eventName(event), onceListener(raw) !== undefined), false);
  }

  return {
    unwatch(): void {
      if (!watching) return;
      ctx.guard('unwatching an emitter failed', () => {
        watching = false;
        // A method the app replaced since stays the app's.
        patches.restore();
        for (const entry of index.ordered()) book.remove(entry, 'unwatch');
        index.clear();
        ctx.sink.publish({ type: 'emitter.unwatch', emitter: book.emitter });
      });
      watching = false;
    },
    attached: () => index.ordered(),
  };
}
