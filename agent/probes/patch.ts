type Fn = (...args: unknown[]) => unknown;

/** Methods patched on one object, and the way back. */
export interface Patches<M extends string> {
  /** The first method the app replaced since (calls through it are not seen), if any. */
  replaced(): M | undefined;
  /** Puts back every method still patched; one the app replaced since stays the app's. */
  restore(): void;
}

/**
 * Replaces `methods` on the object itself (never its prototype) with what
 * `wrap` builds from each original. The patches are own properties that are
 * not enumerable (`Object.keys`, spreads and JSON see the object as
 * before) and writable (the app can still assign over them). All or
 * nothing: if one method cannot be replaced (a frozen object, a
 * non-configurable property), the ones already replaced are put back and
 * this throws.
 */
export function patchMethods<M extends string>(target: object, methods: readonly M[], wrap: (method: M, original: Fn) => Fn): Patches<M> {
  const host = target as Record<string, unknown>;
  const patched = new Map<M, { patch: Fn; own: PropertyDescriptor | undefined }>();
  const restore = (): void => {
    for (const [method, { patch, own }] of patched) {
      if (host[method] !== patch) continue;
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
      Object.defineProperty(target, method, { configurable: true, enumerable: false, writable: true, value: patch });
      patched.set(method, { patch, own });
    }
  } catch (err) {
    restore();
    throw err;
  }
  const replaced = (): M | undefined => {
    for (const [method, { patch }] of patched) if (host[method] !== patch) return method;
    return undefined;
  };
  return { replaced, restore };
}
