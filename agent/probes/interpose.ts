type AnyFunction = (...args: unknown[]) => unknown;

/** Calls the method currently behind the interposed property. */
export type InvokeInner = (self: unknown, args: unknown[]) => unknown;

/**
 * Routes every call of `target[name]` through a wrapper built by `wrap`, on
 * the instance only (the prototype is untouched) and without adding visible
 * listeners. The property becomes an accessor so that a later assignment —
 * Node itself does `socket.write = writeAfterFIN` once the peer ends — swaps
 * the inner method while the wrapper keeps observing. Assigning a non-function
 * turns it back into a plain property holding that value.
 */
export function interpose(
  target: object,
  name: string,
  wrap: (invokeInner: InvokeInner) => AnyFunction,
): boolean {
  const host = target as Record<string, unknown>;
  let inner = host[name];
  if (typeof inner !== 'function') return false;
  const invokeInner: InvokeInner = (self, args) => Reflect.apply(inner as AnyFunction, self, args);
  const wrapper = wrap(invokeInner);
  Object.defineProperty(target, name, {
    configurable: true,
    enumerable: false,
    get: () => wrapper,
    set(value: unknown) {
      if (typeof value === 'function') {
        inner = value;
        return;
      }
      Object.defineProperty(target, name, { configurable: true, enumerable: true, writable: true, value });
    },
  });
  return true;
}

/** Byte length of a chunk written or received, 0 when it has none (objects posted to a port). */
export function byteLengthOf(chunk: unknown, encoding?: unknown): number {
  if (typeof chunk === 'string') {
    return Buffer.byteLength(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  }
  if (ArrayBuffer.isView(chunk) || chunk instanceof ArrayBuffer) return chunk.byteLength;
  return 0;
}
