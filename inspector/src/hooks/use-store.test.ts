import { afterEach, describe, expect, it, vi } from 'vitest';
import { throttle, type VersionSource } from './use-store.js';

function source(): VersionSource & { bump(): void } {
  let version = 0;
  const listeners = new Set<() => void>();
  return {
    getVersion: () => version,
    subscribe: (fn) => {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    bump() {
      version++;
      for (const fn of listeners) fn();
    },
  };
}

describe('throttled source', () => {
  afterEach(() => vi.useRealTimers());

  it('signals at most once per interval, and the last change always lands', () => {
    vi.useFakeTimers();
    const store = source();
    const calm = throttle(store, 500);
    const seen: number[] = [];
    const off = calm.subscribe(() => seen.push(calm.getVersion()));
    store.bump(); // first change: shown at once
    for (let i = 0; i < 10; i++) store.bump();
    expect(seen).toEqual([1]);
    vi.advanceTimersByTime(499);
    expect(seen).toEqual([1]);
    vi.advanceTimersByTime(1);
    expect(seen).toEqual([1, 11]);
    off();
    store.bump();
    vi.advanceTimersByTime(1000);
    expect(seen).toEqual([1, 11]);
  });
});
