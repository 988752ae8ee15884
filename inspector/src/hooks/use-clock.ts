import { useCallback, useSyncExternalStore } from 'react';

/** Whole seconds until the epoch ms `at` (never negative), ticking every second; 0 without `at`. */
export function useSecondsUntil(at: number | undefined): number {
  const subscribe = useCallback(
    (onTick: () => void) => {
      if (at === undefined) return () => {};
      const timer = setInterval(onTick, 1000);
      return () => clearInterval(timer);
    },
    [at],
  );
  return useSyncExternalStore(subscribe, () => (at === undefined ? 0 : Math.max(0, Math.ceil((at - Date.now()) / 1000))));
}
