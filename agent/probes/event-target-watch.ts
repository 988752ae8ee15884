import type { ListenerAddEvent, ListenerRemoval } from '../../shared/protocol.js';
import type { ProbeContext } from './context.js';
import { ListenerBook, type ListenerRecord, type Watch } from './listener-book.js';
import { patchMethods } from './patch.js';

type Fn = (...args: unknown[]) => unknown;
type Callback = Fn | { handleEvent: Fn };
type AddOptions = boolean | { capture?: boolean; once?: boolean; signal?: AbortSignal } | undefined;

interface EventTargetLike {
  addEventListener: Fn;
  removeEventListener: Fn;
}

/** One registration, identified as the DOM does: type + callback + capture; also the book's record of it. */
interface Entry extends ListenerRecord {
  type: string;
  callback: Callback;
  capture: boolean;
  /** What the target really holds: the callback, or our wrapper for `once`. */
  registered: Callback;
  /** The options the app passed, to register the callback itself again on unwatch. */
  options: AddOptions;
  added: ListenerAddEvent;
  live: boolean;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/**
 * Watches an EventTarget by patching its own addEventListener and
 * removeEventListener (non-enumerable, put back by unwatch). A
 * `{ once: true }` callback is registered through a small wrapper so that its
 * firing is seen however the event is dispatched; everything else is
 * registered as the app passed it. The target behaves as without the agent:
 * a duplicate add still adds nothing, a remove finds the wrapper, and
 * unwatch registers the app's own callbacks again in place of the wrappers
 * (same order), so nothing of the agent stays behind.
 */
export function watchEventTarget(ctx: ProbeContext, target: object, name: string): Watch {
  const host = target as EventTargetLike;
  const book = new ListenerBook(ctx, ctx.nextId('e'));
  const entries = new Map<string, Entry[]>();
  // Node's EventTarget removes a listener whose signal aborted through its own removeEventListener
  // (which is patched); another implementation might not, so the signal is followed there.
  const nodeTarget = target instanceof EventTarget;
  const followSignals = !nodeTarget;
  let watching = true;

  const find = (type: string, callback: unknown, capture: boolean): Entry | undefined =>
    entries.get(type)?.find((e) => (e.callback === callback || e.registered === callback) && e.capture === capture);

  const forget = (entry: Entry, how: ListenerRemoval): void => {
    const list = entries.get(entry.type);
    const at = list ? list.indexOf(entry) : -1;
    if (at < 0) return;
    list!.splice(at, 1);
    if (list!.length === 0) entries.delete(entry.type);
    if (entry.signal && entry.onAbort) entry.signal.removeEventListener('abort', entry.onAbort);
    book.remove(entry, how);
  };


  const add = (originalAdd: Fn, self: unknown, args: IArguments): unknown => {
    let known: Entry | undefined;
    let plan: { type: string; callback: Callback; capture: boolean; once: boolean; signal?: AbortSignal } | undefined;
    ctx.guard('tracking listeners failed', () => {
      const [type, callback, options] = args as unknown as [unknown, unknown, AddOptions];
      if (!isCallback(callback)) return;
      const capture = captureOf(options);
      const flags = typeof options === 'object' && options !== null ? options : {};
      // A duplicate adds nothing (passing what the target holds lets it see the duplicate); nor does an aborted signal.
      known = find(String(type), callback, capture);
      if (known || flags.signal?.aborted) return;
      plan = { type: String(type), callback, capture, once: flags.once === true, ...(flags.signal && { signal: flags.signal }) };
    });
    if (known) return known.registered === known.callback ? Reflect.apply(originalAdd, self, args) : addWrapped(originalAdd, self, args, known.registered, known.callback);
    if (!plan) return Reflect.apply(originalAdd, self, args);

    const p = plan;
    const owner = ctx.owner();
    let entry: Entry | undefined;
    const registered: Callback = p.once
      ? function onceListener(this: unknown, event: unknown): unknown {
          if (entry) ctx.guard('tracking listeners failed', () => forget(entry!, 'once-fired'));
          return typeof p.callback === 'function' ? p.callback.call(this, event) : p.callback.handleEvent(event);
        }
      : p.callback;
    const result = p.once ? addWrapped(originalAdd, self, args, registered, p.callback) : Reflect.apply(originalAdd, self, args);
    ctx.guard('tracking listeners failed', () => {
      entry = {
        type: p.type,
        callback: p.callback,
        capture: p.capture,
        registered,
        options: args[2] as AddOptions,
        added: book.add(p.type, p.once, owner, ctx.captureStack()),
        live: true,
      };
      const list = entries.get(p.type);
      if (list) list.push(entry);
      else entries.set(p.type, [entry]);
      if (p.signal) {
        const added = entry;
        added.signal = p.signal;
        if (followSignals && !p.once) {
          added.onAbort = () => forget(added, 'abort');
          p.signal.addEventListener('abort', added.onAbort, { once: true });
        }
      }
    });
    return result;
  };

  /** Removals made because a signal aborted, in progress. */
  let aborting = 0;

  /**
   * Registers `wrapper` in place of `callback`, with the app's options but
   * not its signal: the target's own abort handler would remove the wrapper,
   * which unwatch replaces by the callback. The handler put on the signal
   * instead (one, as the target's would be) removes whatever the callback is
   * registered as when the signal aborts, watched or not.
   */
  const addWrapped = (originalAdd: Fn, self: unknown, args: IArguments, wrapper: Callback, callback: Callback): unknown => {
    const [type, , options, ...more] = args as unknown as [unknown, unknown, AddOptions, ...unknown[]];
    const signal = typeof options === 'object' && options !== null ? options.signal : undefined;
    if (!signal) return Reflect.apply(originalAdd, self, [type, wrapper, options, ...more]);
    if (signal.aborted) return undefined;
    const { signal: _signal, ...withoutSignal } = options as Exclude<AddOptions, boolean | undefined>;
    const capture = captureOf(options);
    signal.addEventListener(
      'abort',
      () => {
        aborting++;
        try {
          host.removeEventListener(String(type), callback as Fn, { capture });
        } finally {
          aborting--;
        }
      },
      { once: true },
    );
    return Reflect.apply(originalAdd, self, [type, wrapper, withoutSignal, ...more]);
  };

  const remove = (originalRemove: Fn, self: unknown, args: IArguments): unknown => {
    let entry: Entry | undefined;
    ctx.guard('tracking listeners failed', () => {
      const options = args[2] as AddOptions;
      // Node 20's removeEventListener ignores a boolean `capture` (it reads options.capture): so must we, or we would see a removal that did not happen.
      const capture = typeof options === 'boolean' && nodeTarget && !booleanRemoveHonoured() ? false : captureOf(options);
      entry = find(String(args[0]), args[1], capture);
    });
    if (!entry) return Reflect.apply(originalRemove, self, args);
    const result = Reflect.apply(originalRemove, self, [args[0], entry.registered, ...[...args].slice(2)]);
    const removed = entry;
    ctx.guard('tracking listeners failed', () => forget(removed, aborting > 0 || removed.signal?.aborted ? 'abort' : 'remove'));
    return result;
  };

  const patches = patchMethods(host, ['addEventListener', 'removeEventListener'] as const, (method, original) =>
    function (this: unknown): unknown {
      if (!watching || !ctx.active) return Reflect.apply(original, this, arguments);
      return method === 'addEventListener' ? add(original, this, arguments) : remove(original, this, arguments);
    },
    (method) => {
      if (watching) book.lostTrack(method);
    },
  );
  ctx.sink.publish({ type: 'emitter.watch', emitter: book.emitter, name, kind: 'EventTarget' });

  /** Registers the app's own callbacks in place of the once wrappers, keeping every listener's order. */
  const unwrapOnce = (): void => {
    for (const list of entries.values()) {
      const from = list.findIndex((e) => e.registered !== e.callback);
      if (from < 0) continue;
      const moved = list.slice(from);
      for (const e of moved) host.removeEventListener(e.type, e.registered, { capture: e.capture });
      // Their signals already carry a handler that removes the callback.
      for (const e of moved) host.addEventListener(e.type, e.callback, withoutSignal(e.options));
    }
  };

  return {
    unwatch(): void {
      if (!watching) return;
      ctx.guard('unwatching an emitter failed', () => {
        watching = false;
        patches.restore();
        unwrapOnce();
        for (const list of [...entries.values()]) for (const entry of [...list]) forget(entry, 'unwatch');
        ctx.sink.publish({ type: 'emitter.unwatch', emitter: book.emitter });
      });
      watching = false;
    },
    attached: () => [...entries.values()].flat(),
  };
}

function withoutSignal(options: AddOptions): AddOptions {
  if (typeof options !== 'object' || options === null) return options;
  const { signal: _signal, ...rest } = options;
  return rest;
}

function isCallback(value: unknown): value is Callback {
  return typeof value === 'function' || (typeof value === 'object' && value !== null && typeof (value as { handleEvent?: unknown }).handleEvent === 'function');
}

function captureOf(options: AddOptions): boolean {
  if (typeof options === 'boolean') return options;
  return typeof options === 'object' && options !== null && options.capture === true;
}

let honoured: boolean | undefined;

/** Whether this Node's EventTarget takes `removeEventListener(type, fn, true)` as the capture listener (Node 20 does not). */
function booleanRemoveHonoured(): boolean {
  if (honoured === undefined) {
    const probe = new EventTarget();
    let fired = false;
    const listener = (): void => {
      fired = true;
    };
    probe.addEventListener('probe', listener, true);
    probe.removeEventListener('probe', listener, true);
    probe.dispatchEvent(new Event('probe'));
    honoured = !fired;
  }
  return honoured;
}
