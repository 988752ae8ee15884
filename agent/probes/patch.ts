type Fn = (...args: unknown[]) => unknown;

/** Methods patched on one object, and the way back. */
export interface Patches {
  /** Puts back every method still patched; one the app replaced since stays the app's. */
  restore(): void;
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
  const patched = new Map<M, { getter: () => Fn; own: PropertyDescriptor | undefined }>();
  const ours = (method: M): boolean => Object.getOwnPropertyDescriptor(target, method)?.get === patched.get(method)?.getter;
  const restore = (): void => {
    for (const [method, { own }] of patched) {
      if (!ours(method)) continue;
      if (own) Object.defineProperty(target, method, own);
      else delete host[method];
    }
  };
  try {
    for (const method of methods) {
      const original = host[method];
      if (typeof original !== 'function') continue;
      const own = Object.getOwnPropertyDescriptor(target, method);
      const patch = wrap(method, original as Fn);
      const getter = (): Fn => patch;
      Object.defineProperty(target, method, {
        configurable: true,
        enumerable: false,
        get: getter,
        set(value: unknown) {
          Object.defineProperty(target, method, { configurable: true, enumerable: own?.enumerable ?? true, writable: true, value });
          onReplaced(method);
        },
      });
      patched.set(method, { getter, own });
    }
  } catch (err) {
    restore();
    throw err;
  }
  return { restore };
}
