import type { RunModel } from './session-rows.js';
import { absoluteTime } from './time-window.js';

/** One chart row: absolute time plus a value per series key. */
export type ChartPoint = { at: number; run: number } & Record<string, number>;

export interface ChartData {
  points: ChartPoint[];
  /** `listeners:<emitter name>` keys, sorted. */
  listenerKeys: string[];
  /** `handles:<table/type>` keys, sorted. */
  handleKeys: string[];
}

/**
 * Flattens every run's downsampled `series` onto one absolute time axis for
 * recharts. Keys missing from a point are 0 (a count that went away).
 */
export function chartData(runs: RunModel[]): ChartData {
  const listenerKeys = new Set<string>();
  const handleKeys = new Set<string>();
  for (const { model } of runs) {
    for (const p of model.series) {
      for (const name of Object.keys(p.listeners)) listenerKeys.add(`listeners:${name}`);
      for (const key of Object.keys(p.handles)) handleKeys.add(`handles:${key}`);
    }
  }
  const points: ChartPoint[] = [];
  for (const { run, startedAt, endedAt, model } of runs) {
    for (const p of model.series) {
      const point: ChartPoint = { at: absoluteTime(startedAt, p.t), run, connections: p.connections } as ChartPoint;
      for (const key of listenerKeys) point[key] = p.listeners[key.slice('listeners:'.length)] ?? 0;
      for (const key of handleKeys) point[key] = p.handles[key.slice('handles:'.length)] ?? 0;
      points.push(point);
    }
    // What a run held went away with its process: draw the drop at the restart.
    if (endedAt !== undefined) {
      const end = { at: endedAt, run, connections: 0 } as ChartPoint;
      for (const key of [...listenerKeys, ...handleKeys]) end[key] = 0;
      points.push(end);
    }
  }
  return { points, listenerKeys: [...listenerKeys].sort(), handleKeys: [...handleKeys].sort() };
}

/** Brush indices [start, end] covering a window over sorted points (whole range when no window). */
export function brushRange(points: readonly { at: number }[], window: { from: number; to: number } | null): [number, number] {
  const last = Math.max(0, points.length - 1);
  if (!window || !points.length) return [0, last];
  let start = points.findIndex((p) => p.at >= window.from);
  if (start < 0) start = last;
  let end = last;
  while (end > start && points[end]!.at > window.to) end--;
  return [start, end];
}
