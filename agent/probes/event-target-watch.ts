import type { ListenerRemoval } from '../../shared/protocol.js';
import type { ProbeContext } from './context.js';
import { ListenerBook, type ListenerRecord } from './listener-book.js';

type Fn = (...args: unknown[]) => unknown;
type Callback = Fn | { handleEvent: Fn };
type AddOptions = boolean | { capture?: boolean; once?: boolean; signal?: AbortSignal } | undefined;

interface EventTargetLike {
  addEventListener: Fn;
  removeEventListener: Fn;
}

/** One registration, identified as the DOM does: type + callback + capture. */
interface Entry {
  type: string;
  callback: Callback;
  capture: boolean;
  /** What the target really holds: the callback, or our wrapper for `once`. */
  registered: Fn | { handleEvent: Fn };
  record: ListenerRecord;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/**
 * Watches an EventTarget by patching its own addEventListener and
 * removeEventListener. A `{ once: true }` callback is registered through a
 * small wrapper so that its firing is seen however the event is dispatched;
 * `{ signal }` is followed with an abort listener on the signal.
 */
export function watchEventTarget(ctx: ProbeContext, target: object, name: string): () => void {
  const host = target as EventTargetLike;
  const book = new ListenerBook(ctx, ctx.nextId('e'));
  ctx.sink.publish({ type: 'emitter.watch', emitter: book.emitter, name, kind: 'EventTarget' });

  const entries = new Map<string, Entry[]>();
  let watching = true;
  let lostTrack = false;

  const find = (type: string, callback: unknown, capture: boolean): Entry | undefined =>
    entries.get(type)?.find((e) => e.callback === callback && e.capture === capture);

  const forget = (entry: Entry, how: ListenerRemoval): void => {
    const list = entries.get(entry.type);
    const at = list ? list.indexOf(entry) : -1;
    if (at < 0) return;
    list!.splice(at, 1);
    if (list!.length === 0) entries.delete(entry.type);
    if (entry.signal && entry.onAbort) entry.signal.removeEventListener('abort', entry.onAbort);
    book.remove(entry.record, how);
  };

  const originalAdd = host.addEventListener;
  const originalRemove = host.removeEventListener;
  const ownAdd = Object.getOwnPropertyDescriptor(host, 'addEventListener');
  const ownRemove = Object.getOwnPropertyDescriptor(host, 'removeEventListener');

  const checkPatches = (): void => {
    if (lostTrack) return;
    const replaced = host.addEventListener !== patchedAdd ? 'addEventListener' : host.removeEventListener !== patchedRemove ? 'removeEventListener' : null;
    if (!replaced) return;
    lostTrack = true;
    ctx.sink.publish({
      type: 'emitter.lost-track',
      emitter: book.emitter,
      reason: `${replaced}() was replaced after watching started; calls through it are not seen`,
    });
  };

  const patchedAdd = function (this: unknown, ...args: unknown[]): unknown {
    if (!watching || !ctx.active) return Reflect.apply(originalAdd, this, args);
    let plan: { type: string; callback: Callback; capture: boolean; once: boolean; signal?: AbortSignal } | undefined;
    ctx.guard('tracking listeners failed', () => {
      checkPatches();
      const [type, callback, options] = args as [unknown, unknown, AddOptions];
      if (!isCallback(callback)) return;
      const capture = captureOf(options);
      const flags = typeof options === 'object' && options !== null ? options : {};
      // The DOM ignores a duplicate and never adds with an already-aborted signal.
      if (find(String(type), callback, capture) || flags.signal?.aborted) return;
      plan = { type: String(type), callback, capture, once: flags.once === true, ...(flags.signal && { signal: flags.signal }) };
    });
    if (!plan) return Reflect.apply(originalAdd, this, args);

    const p = plan;
    const owner = ctx.owner();
    let entry: Entry | undefined;
    const registered: Entry['registered'] = p.once
      ? function onceListener(this: unknown, event: unknown): unknown {
          if (entry) ctx.guard('tracking listeners failed', () => forget(entry!, 'once-fired'));
          return typeof p.callback === 'function' ? p.callback.call(this, event) : p.callback.handleEvent(event);
        }
      : p.callback;
    const result = Reflect.apply(originalAdd, this, [args[0], registered, ...args.slice(2)]);
    ctx.guard('tracking listeners failed', () => {
      entry = {
        type: p.type,
        callback: p.callback,
        capture: p.capture,
        registered,
        record: book.add(p.type, p.once, { owner, stack: ctx.captureStack() }),
      };
      const list = entries.get(p.type);
      if (list) list.push(entry);
      else entries.set(p.type, [entry]);
      if (p.signal) {
        const added = entry;
        added.signal = p.signal;
        added.onAbort = () => forget(added, 'abort');
        p.signal.addEventListener('abort', added.onAbort, { once: true });
      }
    });
    return result;
  };

  const patchedRemove = function (this: unknown, ...args: unknown[]): unknown {
    if (!watching || !ctx.active) return Reflect.apply(originalRemove, this, args);
    let entry: Entry | undefined;
    ctx.guard('tracking listeners failed', () => {
      checkPatches();
      entry = find(String(args[0]), args[1], captureOf(args[2] as AddOptions));
    });
    if (!entry) return Reflect.apply(originalRemove, this, args);
    const result = Reflect.apply(originalRemove, this, [args[0], entry.registered, ...args.slice(2)]);
    const removed = entry;
    // Node removes a listener whose signal aborted through removeEventListener.
    ctx.guard('tracking listeners failed', () => forget(removed, removed.signal?.aborted ? 'abort' : 'remove'));
    return result;
  };

  host.addEventListener = patchedAdd;
  host.removeEventListener = patchedRemove;

  return function unwatch(): void {
    if (!watching) return;
    ctx.guard('unwatching an emitter failed', () => {
      checkPatches();
      watching = false;
      restore(host, 'addEventListener', patchedAdd, ownAdd);
      restore(host, 'removeEventListener', patchedRemove, ownRemove);
      for (const list of [...entries.values()]) for (const entry of [...list]) forget(entry, 'unwatch');
      ctx.sink.publish({ type: 'emitter.unwatch', emitter: book.emitter });
    });
    watching = false;
  };
}

function isCallback(value: unknown): value is Callback {
  return typeof value === 'function' || (typeof value === 'object' && value !== null && typeof (value as { handleEvent?: unknown }).handleEvent === 'function');
}

function captureOf(options: AddOptions): boolean {
  if (typeof options === 'boolean') return options;
  return typeof options === 'object' && options !== null && options.capture === true;
}

/** Puts back what the instance had, unless the app replaced our patch since. */
function restore(host: EventTargetLike, method: keyof EventTargetLike, patch: Fn, own: PropertyDescriptor | undefined): void {
  if (host[method] !== patch) return;
  if (own) Object.defineProperty(host, method, own);
  else delete (host as Partial<EventTargetLike>)[method];
}
