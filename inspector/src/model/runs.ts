import type { Model } from '../../../shared/analysis/types.js';
import { formatDuration } from './format.js';
import { absoluteTime, spanOverlaps, type TimeWindow } from './time-window.js';

/** A run as the views see it: its start on the shared axis and its model. */
export interface RunModel {
  /** 1-based run number (a backend restart starts a new run). */
  run: number;
  startedAt: number;
  /** Absolute ms when a restart ended this run. */
  endedAt?: number;
  model: Model;
}

/** Absolute ms of the newest moment a run knows: its end, or its model's `now`. */
export function runNow(run: RunModel): number {
  return run.endedAt ?? absoluteTime(run.startedAt, run.model.now);
}

/**
 * Rows for the entities of every run whose lifetime overlaps the window. A
 * lifetime is [start, end] in the run's agent time; an entity still alive
 * when a restart ended its run lived until that end. `context` runs once per
 * run (indexes the rows share), `build` once per entity in the window.
 */
export function rowsInWindow<E, C, R>(
  runs: readonly RunModel[],
  window: TimeWindow | null,
  spec: {
    entities: (model: Model) => readonly E[];
    lifetime: (entity: E) => readonly [start: number, end: number | undefined];
    context: (run: RunModel) => C;
    build: (entity: E, run: RunModel, context: C) => R;
  },
): R[] {
  const rows: R[] = [];
  for (const run of runs) {
    let context: { value: C } | undefined;
    for (const entity of spec.entities(run.model)) {
      const [start, end] = spec.lifetime(entity);
      const absEnd = end !== undefined ? absoluteTime(run.startedAt, end) : run.endedAt;
      if (!spanOverlaps(absoluteTime(run.startedAt, start), absEnd, window)) continue;
      context ??= { value: spec.context(run) };
      rows.push(spec.build(entity, run, context.value));
    }
  }
  return rows;
}

export type OwnerState = 'none' | 'alive' | 'closed' | 'gone' | 'unknown';

/** Who owns a listener or handle, and whether that connection is still there. */
export interface OwnerStatus {
  id: string | null;
  state: OwnerState;
  /** `alive c3`, `closed c3, 4 s ago`, `gone c3 (restart)`, `c9 (unknown)`, `none`. */
  text: string;
}

/** A lookup of owner statuses for one run (connections indexed once). */
export function ownerStatuses(run: RunModel): (owner: string | null | undefined) => OwnerStatus {
  const conns = new Map(run.model.connections.map((c) => [c.id, c]));
  return (owner) => {
    if (!owner) return { id: null, state: 'none', text: 'none' };
    const c = conns.get(owner);
    if (!c) return { id: owner, state: 'unknown', text: `${owner} (unknown)` };
    if (c.closedT !== undefined) return { id: owner, state: 'closed', text: `closed ${owner}, ${formatDuration(run.model.now - c.closedT)} ago` };
    if (run.endedAt !== undefined) return { id: owner, state: 'gone', text: `gone ${owner} (restart)` };
    return { id: owner, state: 'alive', text: `alive ${owner}` };
  };
}

/** `#2 c1` when several runs are shown (ids restart with each run), else `c1`. */
export function runScopedId(run: number, id: string, runCount: number): string {
  return runCount > 1 ? `#${run} ${id}` : id;
}
