import type { IngestStats } from './data/ui-store.js';

/**
 * A hook a benchmark installs before the page loads, as React DevTools
 * installs its global hook: when present, the UI hands it the ingest stats
 * of each store it creates. Absent in normal use, so nothing is exposed.
 */
export interface BenchHook {
  store(stats: IngestStats): void;
}

declare global {
  interface Window {
    __BRIDGESCOPE_BENCH_HOOK__?: BenchHook;
  }
}

export function announceStore(stats: IngestStats): void {
  window.__BRIDGESCOPE_BENCH_HOOK__?.store(stats);
}
