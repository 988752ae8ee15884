import type { RunModel } from './runs.js';
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
 * Most points handed to the charts. About one per two pixels of a wide chart:
 * more looks the same, and drawing the analysis's full 2,000-point series
 * took the Overview about a second after opening a large recording.
 */
const MAX_CHART_POINTS = 600;

/**
 * Flattens every run's downsampled `series` onto one absolute time axis for
 * recharts. Keys missing from a point are 0 (a count that went away). At
 * most {@link MAX_CHART_POINTS} points (see {@link thinPoints}).
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
    // A run still going: its counts hold until now, and the axis reaches now.
    const last = points[points.length - 1];
    if (endedAt === undefined && last?.run === run && model.now > model.series[model.series.length - 1]!.t) {
      points.push({ ...last, at: absoluteTime(startedAt, model.now) });
    }
    // What a run held went away with its process: draw the drop at the restart.
    if (endedAt !== undefined) {
      const end = { at: endedAt, run, connections: 0 } as ChartPoint;
      for (const key of [...listenerKeys, ...handleKeys]) end[key] = 0;
      points.push(end);
    }
  }
  const keys = ['connections', ...listenerKeys, ...handleKeys];
  return { points: thinPoints(points, keys, MAX_CHART_POINTS), listenerKeys: [...listenerKeys].sort(), handleKeys: [...handleKeys].sort() };
}

/**
 * At most about `max` points: consecutive points of a run merge into one
 * that holds each key's highest value (a leak's peak never disappears) at
 * the time of the last. A run's last point (its restart drop) stays as it is.
 */
export function thinPoints(points: ChartPoint[], keys: readonly string[], max: number): ChartPoint[] {
  if (points.length <= max) return points;
  const per = Math.ceil(points.length / max);
  const out: ChartPoint[] = [];
  let bucket: ChartPoint | null = null;
  let size = 0;
  for (let i = 0; i < points.length; i++) {
    const point = points[i]!;
    const runEnds = points[i + 1]?.run !== point.run;
    if (runEnds) {
      if (bucket) out.push(bucket);
      out.push(point);
      bucket = null;
      size = 0;
      continue;
    }
    if (!bucket) bucket = { ...point };
    else {
      bucket.at = point.at;
      for (const key of keys) if (point[key]! > bucket[key]!) bucket[key] = point[key]!;
    }
    if (++size === per) {
      out.push(bucket);
      bucket = null;
      size = 0;
    }
  }
  return out;
}
