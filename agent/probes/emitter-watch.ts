import type { ListenerRemoval } from '../../shared/protocol.js';
import type { ProbeContext } from './context.js';
import { eventName, ListenerBook, type ListenerRecord } from './listener-book.js';

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
  rawListeners(event: string | symbol): Fn[];
  listenerCount(event: string | symbol): number;
  eventNames(): Array<string | symbol>;
};

/** A registration as the emitter stores it (a once-wrapper for `once`), and our record of it. */
interface Entry {
  raw: Fn;
  record: ListenerRecord;
}

/**
 * Watches an EventEmitter by patching its own listener methods (not the
 * prototype). After each call the records for the touched event are
 * reconciled against `rawListeners(event)`, which is what the emitter really
 * holds: this covers duplicates, once-wrappers, nested calls from
 * 'newListener'/'removeListener' handlers and the silent `removeAllListeners()`.
 */
export function watchEventEmitter(ctx: ProbeContext, target: object, name: string): () => void {
  const emitter = target as EmitterLike;
  const book = new ListenerBook(ctx, ctx.nextId('e'));
  ctx.sink.publish({ type: 'emitter.watch', emitter: book.emitter, name, kind: 'EventEmitter' });

  const entries = new Map<string | symbol, Entry[]>();
  for (const event of emitter.eventNames()) {
    entries.set(
      event,
      emitter.rawListeners(event).map((raw) => ({ raw, record: book.add(eventName(event), isOnceWrapper(raw), { preexisting: true }) })),
    );
  }

  let watching = true;
  let lostTrack = false;
  /** Depth of removeAllListeners calls in progress. */
  let removingAll = 0;
  const patches = new Map<Method, Fn>();
  const ownProperties = new Map<Method, PropertyDescriptor | undefined>();

  const reconcile = (event: string | symbol, how: ListenerRemoval): void => {
    const before = entries.get(event) ?? [];
    const now = emitter.rawListeners(event);
    // One call changes one place in the list: trim the common head and tail.
    let head = 0;
    while (head < before.length && head < now.length && before[head]!.raw === now[head]) head++;
    let tail = 0;
    while (
      tail < before.length - head &&
      tail < now.length - head &&
      before[before.length - 1 - tail]!.raw === now[now.length - 1 - tail]
    ) {
      tail++;
    }
    const removed = before.slice(head, before.length - tail);
    const addedRaw = now.slice(head, now.length - tail);
    if (removed.length === 0 && addedRaw.length === 0) return;
    for (const entry of removed) book.remove(entry.record, how);
    const owner = ctx.owner();
    const stack = addedRaw.length > 0 ? ctx.captureStack() : undefined;
    const added = addedRaw.map((raw) => ({ raw, record: book.add(eventName(event), isOnceWrapper(raw), { owner, stack }) }));
    const next = [...before.slice(0, head), ...added, ...before.slice(before.length - tail)];
    if (next.length > 0) entries.set(event, next);
    else entries.delete(event);
  };

  const checkPatches = (): void => {
    if (lostTrack) return;
    for (const [method, patch] of patches) {
      if (emitter[method] === patch) continue;
      lostTrack = true;
      ctx.sink.publish({
        type: 'emitter.lost-track',
        emitter: book.emitter,
        reason: `${method}() was replaced after watching started; calls through it are not seen`,
      });
      return;
    }
  };

  /** How a removal by this call should be reported; decided before the call changes the list. */
  const removalKind = (method: Method, args: unknown[]): ListenerRemoval => {
    // With a 'removeListener' meta-listener, Node's removeAllListeners goes through removeListener.
    if (method === 'removeAllListeners' || removingAll > 0) return 'remove-all';
    if (method !== 'off' && method !== 'removeListener') return 'remove';
    // Node's once-wrapper removes itself, passing the wrapper, just before it runs.
    const listener = args[1];
    const fired = isOnceWrapper(listener) && (entries.get(args[0] as string | symbol) ?? []).some((e) => e.raw === listener);
    return fired ? 'once-fired' : 'remove';
  };

  /**
   * A plain add appended exactly its listener: record it without copying the
   * whole list, which grows with the very leak this tool looks for. Only when
   * Node's own store shows it (other emitter libraries and reentrant
   * 'newListener' handlers take the full reconcile).
   */
  const appendedPlainly = (event: string | symbol, listener: unknown): boolean => {
    const before = entries.get(event);
    const count = before?.length ?? 0;
    if (typeof listener !== 'function' || typeof emitter.listenerCount !== 'function' || emitter.listenerCount(event) !== count + 1) return false;
    const stored = (emitter as { _events?: Record<string | symbol, unknown> })._events?.[event];
    const last = Array.isArray(stored) ? stored[stored.length - 1] : stored;
    if (last !== listener) return false;
    const entry: Entry = { raw: listener as Fn, record: book.add(eventName(event), isOnceWrapper(listener), { owner: ctx.owner(), stack: ctx.captureStack() }) };
    if (before) before.push(entry);
    else entries.set(event, [entry]);
    return true;
  };

  const afterCall = (method: Method, args: unknown[], how: ListenerRemoval): void => {
    checkPatches();
    if ((method === 'on' || method === 'addListener') && appendedPlainly(args[0] as string | symbol, args[1])) return;
    if (method === 'removeAllListeners' && (args.length === 0 || args[0] === undefined)) {
      for (const event of [...entries.keys()]) reconcile(event, how);
    } else {
      reconcile(args[0] as string | symbol, how);
    }
  };

  for (const method of METHODS) {
    const original = emitter[method];
    if (typeof original !== 'function') continue;
    ownProperties.set(method, Object.getOwnPropertyDescriptor(emitter, method));
    const patch = function (this: unknown, ...args: unknown[]): unknown {
      if (!watching || !ctx.active) return Reflect.apply(original, this, args);
      let how: ListenerRemoval = 'remove';
      try {
        how = removalKind(method, args);
      } catch (err) {
        ctx.warnOnce('tracking listeners failed', err);
      }
      if (method === 'removeAllListeners') removingAll++;
      let result: unknown;
      try {
        result = Reflect.apply(original, this, args);
      } finally {
        if (method === 'removeAllListeners') removingAll--;
      }
      if (!watching) return result;
      try {
        afterCall(method, args, how);
      } catch (err) {
        ctx.warnOnce('tracking listeners failed', err);
      }
      return result;
    };
    patches.set(method, patch);
    emitter[method] = patch;
  }

  return function unwatch(): void {
    if (!watching) return;
    ctx.guard('unwatching an emitter failed', () => {
      checkPatches();
      watching = false;
      for (const [method, patch] of patches) {
        // A method the app replaced since stays the app's.
        if (emitter[method] !== patch) continue;
        const own = ownProperties.get(method);
        if (own) Object.defineProperty(emitter, method, own);
        else delete (emitter as Partial<EmitterLike>)[method];
      }
      for (const list of entries.values()) for (const entry of list) book.remove(entry.record, 'unwatch');
      entries.clear();
      ctx.sink.publish({ type: 'emitter.unwatch', emitter: book.emitter });
    });
    watching = false;
  };
}

/** Node's `once` registers a wrapper carrying the real listener as `.listener`. */
function isOnceWrapper(fn: unknown): fn is Fn & { listener: Fn } {
  return typeof fn === 'function' && typeof (fn as { listener?: unknown }).listener === 'function';
}
