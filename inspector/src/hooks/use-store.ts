import { useMemo, useSyncExternalStore } from 'react';

/** Data views can follow: a version that changes with it, and a change signal. */
export interface VersionSource {
  subscribe(onChange: () => void): () => void;
  getVersion(): number;
}

/**
 * `derive(input)`, recomputed only when the source's version or a field of
 * `input` changed, and re-rendering the caller only then: each view
 * subscribes to the rows it shows. `derive` must be a module-level function
 * (its identity keys the cache).
 */
export function useDerived<I extends object, T>(source: VersionSource, derive: (input: I) => T, input: I): T {
  const cached = useMemo(() => lastResult(derive), [derive]);
  return useSyncExternalStore(source.subscribe, () => cached(source.getVersion(), input));
}

/**
 * A value read straight off the source (a field it replaces on change, or a
 * primitive), re-rendering the caller when it changes.
 */
export function useSourceValue<S extends VersionSource, T>(source: S, read: (source: S) => T): T {
  return useSyncExternalStore(source.subscribe, () => read(source));
}

/** The same source, signalling at most once per `ms` (the last change always lands): for views costly to redraw. */
export function useThrottledSource(source: VersionSource, ms: number): VersionSource {
  return useMemo(() => throttle(source, ms), [source, ms]);
}

function lastResult<I extends object, T>(derive: (input: I) => T): (version: number, input: I) => T {
  let last: { version: number; input: I; value: T } | undefined;
  return (version, input) => {
    if (last && last.version === version && shallowEqual(last.input, input)) return last.value;
    const value = derive(input);
    // An equal plain object (a summary) keeps its identity: nothing downstream re-renders.
    const kept = last && isPlainObject(value) && isPlainObject(last.value) && shallowEqual(value, last.value) ? last.value : value;
    last = { version, input, value: kept };
    return kept;
  };
}

function isPlainObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

function shallowEqual(a: object, b: object): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.is((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

export function throttle(source: VersionSource, ms: number): VersionSource {
  let shown = source.getVersion();
  let lastShownAt = -Infinity;
  return {
    getVersion: () => shown,
    subscribe(onChange) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const show = () => {
        timer = undefined;
        lastShownAt = performance.now();
        shown = source.getVersion();
        onChange();
      };
      const unsubscribe = source.subscribe(() => {
        if (timer !== undefined) return;
        const wait = lastShownAt + ms - performance.now();
        if (wait <= 0) show();
        else timer = setTimeout(show, wait);
      });
      return () => {
        clearTimeout(timer);
        unsubscribe();
      };
    },
  };
}
