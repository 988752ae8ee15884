import { errorMonitor } from 'node:events';
import { Socket } from 'node:net';

type Fn = (...args: unknown[]) => unknown;

/**
 * What a watched socket reports. Nothing here runs per chunk: the lifecycle
 * comes from listeners the socket fires once each, `end()`/`destroy()` from
 * hooks called once per connection, and writes only once the connection
 * can no longer carry them. None of it may throw.
 */
export interface SocketObserver {
  /** The peer's EOF ('end'). */
  peerEnded(): void;
  /** Our FIN was sent ('finish'). */
  finished(): void;
  /** An 'error' is being emitted (seen through `events.errorMonitor`, which never counts as handling it). */
  errored(error: unknown): void;
  closed(): void;
  /** The app called `end()`, with its last chunk if any. */
  ending(chunk: unknown, encoding: unknown): void;
  destroying(): void;
}

/** Sockets watched by at least one agent, for the `end`/`destroy` hooks. */
const watchers = new WeakMap<Socket, Set<SocketObserver>>();

/**
 * Starts reporting `socket`'s lifecycle to `observer`: four listeners, added
 * before any other so the agent records a close before the app's close
 * handlers run (`'end'`, `'finish'`, `'close'`, and `errorMonitor` — never an
 * `'error'` listener, which would stop an unhandled error from crashing the
 * app). Returns the function that removes them again.
 */
export function watchSocket(socket: Socket, observer: SocketObserver): () => void {
  const onEnd = (): void => observer.peerEnded();
  const onFinish = (): void => observer.finished();
  const onClose = (): void => observer.closed();
  const onError = (error: unknown): void => observer.errored(error);
  socket.prependListener('end', onEnd);
  socket.prependListener('finish', onFinish);
  socket.prependListener('close', onClose);
  socket.prependListener(errorMonitor as unknown as string, onError);
  let observers = watchers.get(socket);
  if (!observers) watchers.set(socket, (observers = new Set()));
  observers.add(observer);
  return () => {
    socket.removeListener('end', onEnd);
    socket.removeListener('finish', onFinish);
    socket.removeListener('close', onClose);
    socket.removeListener(errorMonitor as unknown as string, onError);
    observers.delete(observer);
  };
}

type WriteWatcher = (chunk: unknown, encoding: unknown) => void;

/** A socket whose writes are watched: everyone watching, the socket's own `write` if Node gave it one, and the wrapper handed out. */
interface WriteWatch {
  watchers: Set<WriteWatcher>;
  own: Fn | undefined;
  observed: Fn;
}

const writeWatches = new WeakMap<Socket, WriteWatch>();

/**
 * Calls `onWrite` for every later `write` on this socket, from now on: the
 * instance's `write` becomes an accessor, so when Node gives the socket its
 * own `write` (`socket.write = writeAfterFIN`, once the peer ends) the
 * wrapper keeps observing what gets assigned. Armed only once a connection
 * has ended or closed, so a live connection's writes never run agent code.
 * Returns the function that stops it; the last one puts `write` back as it
 * would be.
 */
export function watchWrites(socket: Socket, onWrite: WriteWatcher): () => void {
  const watch = writeWatches.get(socket) ?? interposeWrite(socket);
  if (!watch) return () => {};
  watch.watchers.add(onWrite);
  return () => {
    if (!watch.watchers.delete(onWrite) || watch.watchers.size > 0 || writeWatches.get(socket) !== watch) return;
    writeWatches.delete(socket);
    if (watch.own === undefined) delete (socket as { write?: unknown }).write;
    else Object.defineProperty(socket, 'write', { configurable: true, enumerable: true, writable: true, value: watch.own });
  };
}

/**
 * The one accessor every watched socket's `write` becomes. V8 lets objects
 * share a hidden class after `defineProperty` only when they get the same
 * getter and setter: a pair made per socket would turn every socket after
 * the first into a dictionary-mode object, and all the stream code that
 * touches it (the app's writes included, on every socket) slower.
 */
const writeAccessor: PropertyDescriptor = {
  configurable: true,
  enumerable: false,
  get(this: Socket): Fn {
    return writeWatches.get(this)?.observed ?? (Socket.prototype.write as Fn);
  },
  set(this: Socket, value: unknown) {
    const watch = writeWatches.get(this);
    if (watch && typeof value === 'function') {
      watch.own = value as Fn;
      return;
    }
    // A non-function: the app takes `write` over; nothing to observe any more.
    writeWatches.delete(this);
    Object.defineProperty(this, 'write', { configurable: true, enumerable: true, writable: true, value });
  },
};

function interposeWrite(socket: Socket): WriteWatch | undefined {
  const descriptor = Object.getOwnPropertyDescriptor(socket, 'write');
  if (descriptor && (!descriptor.configurable || !('value' in descriptor))) return undefined;
  const watch: WriteWatch = {
    watchers: new Set(),
    own: descriptor?.value as Fn | undefined,
    observed: function observedWrite(this: unknown, chunk: unknown, encoding: unknown): unknown {
      for (const watcher of watch.watchers) watcher(chunk, encoding);
      const write = watch.own ?? (Reflect.get(Object.getPrototypeOf(socket) as object, 'write', socket) as Fn);
      return write.apply(this, arguments as unknown as unknown[]);
    },
  };
  writeWatches.set(socket, watch);
  Object.defineProperty(socket, 'write', writeAccessor);
  return watch;
}

type Hooked = 'end' | 'destroy';
const HOOKED: readonly Hooked[] = ['end', 'destroy'];
let users = 0;
let originals: Record<Hooked, Fn> | null = null;
let hooks: Record<Hooked, Fn> | null = null;

/**
 * Hooks `end` and `destroy` on `net.Socket.prototype` (called once or twice
 * per connection, never per chunk) for as long as one user holds them: a
 * write after `end()` must be seen at the write, with its stack. Returns the
 * function that lets go.
 */
export function useSocketHooks(): () => void {
  if (users++ === 0) install();
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    if (--users === 0) uninstall();
  };
}

function install(): void {
  // Still installed from an earlier use whose uninstall had to leave them (someone patched over them).
  if (hooks) return;
  const proto = Socket.prototype as unknown as Record<Hooked, Fn>;
  const { end, destroy } = proto;
  originals = { end, destroy };
  hooks = {
    end: function observedEnd(this: Socket, chunk: unknown, encoding: unknown) {
      const observers = watchers.get(this);
      if (observers) for (const observer of observers) observer.ending(chunk, encoding);
      return end.apply(this, arguments as unknown as unknown[]);
    },
    destroy: function observedDestroy(this: Socket) {
      const observers = watchers.get(this);
      if (observers) for (const observer of observers) observer.destroying();
      return destroy.apply(this, arguments as unknown as unknown[]);
    },
  };
  Object.assign(proto, hooks);
}

/**
 * Puts the originals back. If someone patched over a hook since, both stay
 * (passing through for sockets nobody watches): unwinding under their patch
 * would cut them off.
 */
function uninstall(): void {
  if (!originals || !hooks) return;
  const proto = Socket.prototype as unknown as Record<string, Fn>;
  if (HOOKED.some((name) => proto[name] !== hooks![name])) return;
  for (const name of HOOKED) {
    // destroy is inherited (from the stream): remove ours rather than shadow it.
    if (Object.getPrototypeOf(proto)[name] === originals[name]) delete proto[name];
    else proto[name] = originals[name];
  }
  originals = null;
  hooks = null;
}
