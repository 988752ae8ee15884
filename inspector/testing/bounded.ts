/**
 * Whether per-cycle counts stayed bounded. A series is bounded when its value
 * after the last cycle is no greater than its value after the second cycle
 * (after the first when there are fewer than three): the first cycle may warm
 * up caches and pools, after that a leak shows as values that keep climbing.
 */
import type { CountsSnapshot } from '../../shared/analysis/types.js';

export interface Boundedness {
  connections: boolean;
  /** Per watched emitter name. */
  listeners: Record<string, boolean>;
  /** Per `table/type`. */
  handles: Record<string, boolean>;
}

export function isBounded(series: readonly number[]): boolean {
  if (series.length < 2) return true;
  const baseline = series[series.length >= 3 ? 1 : 0]!;
  return series[series.length - 1]! <= baseline;
}

export function boundedness(counts: readonly CountsSnapshot[]): Boundedness {
  const perKey = (pick: (c: CountsSnapshot) => Record<string, number>): Record<string, boolean> => {
    const keys = new Set<string>();
    for (const c of counts) for (const key of Object.keys(pick(c))) keys.add(key);
    const out: Record<string, boolean> = {};
    for (const key of [...keys].sort()) out[key] = isBounded(counts.map((c) => pick(c)[key] ?? 0));
    return out;
  };
  return {
    connections: isBounded(counts.map((c) => c.connections)),
    listeners: perKey((c) => c.listeners),
    handles: perKey((c) => c.handles),
  };
}
