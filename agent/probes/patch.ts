type Fn = (...args: unknown[]) => unknown;

/** Methods patched on one object, and the way back. */
export interface Patches {
  /** Puts back every method still patched; one the app replaced since stays the app's. */
  restore(): void;
}

/** One patchMethods call on one object. */
interface PatchState {
  /** The patch by its method's accessor index. */
  readonly patches: Fn[];
  /** The own property each patched method replaced (undefined: none), to put back. */
  readonly replaced: Map<string, PropertyDescriptor | undefined>;
  readonly onReplaced: (method: string) => void;
  /** The state this one patched over (the same object patched twice), put back by restore. */
  readonly below: PatchState | undefined;
}

/** The patches now on each patched object. */
const states = new WeakMap<object, PatchState>();
/** The object whose state was looked up last, and that state: every call through a patch reads one. */
let lastHolder: object | undefined;
let lastState: PatchState | undefined;

/**
 * One getter/setter pair per method name, shared by every patched object:
 * V8 lets objects keep sharing a hidden class after defineProperty only when
 * they get the same getter and setter, and with a pair per object every
 * watched emitter after the first went into dictionary mode, where the
 * emitter's own code and the app's calls miss their inline caches.
 */
const accessors = new Map<string, Accessor>();

interface Accessor extends PropertyDescriptor {
  /** Where a state keeps this method's patch. */
  index: number;
  get(this: object): Fn | undefined;
}

function accessorFor(method: string): Accessor {
  let accessor = accessors.get(method);
  if (accessor) return accessor;
  const index = accessors.size;
  accessor = {
    index,
    configurable: true,
    enumerable: false,
    get(this: object): Fn | undefined {
      return (this === lastHolder ? lastState : stateOf(this))?.patches[index];
    },
    set(this: object, value: unknown) {
      const state = states.get(this);
      const enumerable = state?.replaced.get(method)?.enumerable ?? true;
      Object.defineProperty(this, method, { configurable: true, enumerable, writable: true, value });
      state?.onReplaced(method);
    },
  };
  accessors.set(method, accessor);
  return accessor;
}

/** The patches `receiver` reads: its own, or (an object that inherits from a patched one) its prototype's. */
function stateOf(receiver: object): PatchState | undefined {
  for (let holder: object | null = receiver; holder !== null; holder = Object.getPrototypeOf(holder) as object | null) {
    const state = states.get(holder);
    if (state) {
      lastHolder = receiver;
      lastState = state;
      return state;
    }
  }
  return undefined;
}

function setState(target: object, state: PatchState | undefined): void {
  if (state) states.set(target, state);
  else states.delete(target);
  // An inheriting object may have cached the old state too.
  lastHolder = lastState = undefined;
}

/**
 * Replaces `methods` on the object itself (never its prototype) with what
 * `wrap` builds from each original. Each becomes an own accessor property
 * that is not enumerable (`Object.keys`, spreads and JSON see the object as
 * before): reading it gives the patch, and assigning to it (the app taking
 * the method over) puts the app's value in place as a plain property and
 * calls `onReplaced` at once, so no call has to check. All or nothing: if
 * one method cannot be replaced (a frozen object, a non-configurable
 * property), the ones already replaced are put back and this throws.
 */
export function patchMethods<M extends string>(
  target: object,
  methods: readonly M[],
  wrap: (method: M, original: Fn) => Fn,
  onReplaced: (method: M) => void,
): Patches {
  const host = target as Record<string, unknown>;
  const state: PatchState = {
    patches: [],
    replaced: new Map(),
    onReplaced: onReplaced as (method: string) => void,
    below: states.get(target),
  };
  const restore = (): void => {
    // Patched over since (the same object watched twice): that one's restore puts this one back.
    if (states.get(target) !== state) return;
    for (const [method, own] of state.replaced) {
      if (Object.getOwnPropertyDescriptor(target, method)?.get !== accessorFor(method).get) continue;
      if (own) Object.defineProperty(target, method, own);
      else delete host[method];
    }
    setState(target, state.below);
  };
  try {
    for (const method of methods) {
      const original = host[method];
      if (typeof original !== 'function') continue;
      const own = Object.getOwnPropertyDescriptor(target, method);
      const accessor = accessorFor(method);
      state.patches[accessor.index] = wrap(method, original as Fn);
      setState(target, state);
      Object.defineProperty(target, method, accessor);
      state.replaced.set(method, own);
    }
  } catch (err) {
    restore();
    throw err;
  }
  return { restore };
}
