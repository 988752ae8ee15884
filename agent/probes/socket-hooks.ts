import { Socket } from 'node:net';

type Fn = (...args: unknown[]) => unknown;
type Hooked = 'emit' | 'write' | 'end' | 'destroy';
const HOOKED: readonly Hooked[] = ['emit', 'write', 'end', 'destroy'];

/**
 * What the hooks call for a tracked socket. None of it may throw. `onData`
 * and `onWrite` run per chunk: they only count (bytes come from the
 * socket's own `bytesRead`/`bytesWritten` when published).
 */
export interface SocketObserver {
  /** False once its agent closed: the socket may then be observed afresh. */
  readonly active: boolean;
  onData(): void;
  /** Any other event, about to be dispatched to the socket's listeners. */
  onEvent(socket: Socket, type: unknown, arg: unknown): void;
  /**
   * True when the running work is already the connection's own, so its
   * listeners run as they are. Otherwise {@link enter} (synchronous
   * attribution) or, when that returns undefined, {@link runOwned}.
   */
  owns(socket: Socket): boolean;
  /** Makes the connection the running owner; returns the owner to restore, or undefined to ask for runOwned. */
  enter(): string | null | undefined;
  leave(previous: string | null): void;
  runOwned<R>(fn: () => R): R;
  onWrite(socket: Socket, chunk: unknown, encoding: unknown): void;
  /** `end()`, with its last chunk if any. */
  onEnd(socket: Socket, chunk: unknown, encoding: unknown): void;
  onDestroy(): void;
}

const kObserver = Symbol('bridgescope.socketObserver');
type Observed = Socket & { [kObserver]?: SocketObserver };

let users = 0;
let originals: Record<Hooked, Fn> | null = null;
let hooks: Record<Hooked, Fn> | null = null;

/**
 * Observes `socket` through hooks on `net.Socket.prototype` (one set per
 * process, shared by every agent). Hooks on the prototype leave each
 * socket's own shape alone, so Node's stream code stays on its fast paths;
 * an untracked socket pays one property read per call. Returns false when
 * the socket already has a live observer (a second agent in the process then
 * wraps the instance itself).
 */
export function observeSocket(socket: Socket, observer: SocketObserver): boolean {
  const observed = socket as Observed;
  if (observed[kObserver]?.active || !hooks) return false;
  observed[kObserver] = observer;
  return true;
}

/** Installs the hooks for as long as one user holds them; the returned function lets go. */
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
  if (hooks) return;
  const proto = Socket.prototype as unknown as Record<Hooked, Fn>;
  const { emit, write, end, destroy } = proto;
  originals = { emit, write, end, destroy };
  hooks = {
    emit: function observedEmit(this: Observed, type: unknown, arg: unknown) {
      const observer = this[kObserver];
      if (observer === undefined) return emit.apply(this, arguments as unknown as unknown[]);
      if (type === 'data') observer.onData();
      else {
        observer.onEvent(this, type, arg);
        if (type === 'end' && observer.active) watchOwnWrite(this, observer);
      }
      if (observer.owns(this)) return emit.apply(this, arguments as unknown as unknown[]);
      const previous = observer.enter();
      if (previous === undefined) return emitOwned(this, observer, emit, arguments);
      try {
        return emit.apply(this, arguments as unknown as unknown[]);
      } finally {
        observer.leave(previous);
      }
    },
    write: function observedWrite(this: Observed, chunk: unknown, encoding: unknown) {
      this[kObserver]?.onWrite(this, chunk, encoding);
      return write.apply(this, arguments as unknown as unknown[]);
    },
    end: function observedEnd(this: Observed, chunk: unknown, encoding: unknown) {
      this[kObserver]?.onEnd(this, chunk, encoding);
      return end.apply(this, arguments as unknown as unknown[]);
    },
    destroy: function observedDestroy(this: Observed) {
      this[kObserver]?.onDestroy();
      return destroy.apply(this, arguments as unknown as unknown[]);
    },
  };
  Object.assign(proto, hooks);
}

/**
 * Once the peer ends, Node gives the socket its own `write`
 * (`socket.write = writeAfterFIN`, from its own 'end' listener), which the
 * prototype hook would no longer see: from now on the instance's `write` is
 * an accessor that observes whatever gets assigned.
 */
function watchOwnWrite(socket: Observed, observer: SocketObserver): void {
  const descriptor = Object.getOwnPropertyDescriptor(socket, 'write');
  if (descriptor && !descriptor.writable) return;
  const hooked = hooks!.write;
  let own = descriptor?.value as Fn | undefined;
  const observedOwnWrite = function (this: unknown, chunk: unknown, encoding: unknown) {
    observer.onWrite(socket, chunk, encoding);
    return own!.apply(this, arguments as unknown as unknown[]);
  };
  Object.defineProperty(socket, 'write', {
    configurable: true,
    enumerable: false,
    get: () => (own === undefined ? hooked : observedOwnWrite),
    set(value: unknown) {
      if (typeof value === 'function') own = value as Fn;
      else Object.defineProperty(socket, 'write', { configurable: true, enumerable: true, writable: true, value });
    },
  });
}

/** Out of line so the common path never materialises `arguments`. */
function emitOwned(socket: Socket, observer: SocketObserver, emit: Fn, args: IArguments): unknown {
  return observer.runOwned(() => emit.apply(socket, args as unknown as unknown[]));
}

/**
 * Puts the originals back. If someone patched over a hook since, all stay
 * installed (passing through for sockets nobody observes): unwinding under
 * their patch would cut them off or observe twice later.
 */
function uninstall(): void {
  if (!originals || !hooks) return;
  const proto = Socket.prototype as unknown as Record<string, Fn>;
  if (HOOKED.some((name) => proto[name] !== hooks![name])) return;
  for (const name of HOOKED) {
    // emit, write and destroy are inherited (EventEmitter, Writable): remove ours rather than shadow them.
    if (Object.getPrototypeOf(proto)[name] === originals[name]) delete proto[name];
    else proto[name] = originals[name];
  }
  originals = null;
  hooks = null;
}
