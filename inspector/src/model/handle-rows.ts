import type { HandleModel } from '../../../shared/analysis/types.js';
import { ownerStatuses, rowsInWindow, runScopedId, type OwnerStatus, type RunModel } from './runs.js';
import type { TimeWindow } from './time-window.js';

export interface HandleRow {
  key: string;
  run: number;
  id: string;
  label: string;
  /** `table/type`: the group it belongs to. */
  group: string;
  type: string;
  owner: OwnerStatus;
  parent: string;
  state: HandleModel['state'];
  /** ms from store to drop (or to now). */
  age: number;
  accesses: number;
  doubleDrop: boolean;
  /** `double drop; used after drop ×2 (#41, #44)`, or empty. */
  misuse: string;
  handle: HandleModel;
}

export interface HandleGroup {
  key: string;
  live: number;
  dropped: number;
  stale: number;
  doubleDrops: number;
}

/** Every handle of every run overlapping the window, with its misuse spelled out. */
export function handleRows(runs: readonly RunModel[], window: TimeWindow | null): HandleRow[] {
  return rowsInWindow(runs, window, {
    entities: (m) => m.handles,
    lifetime: (h) => [h.storedT, h.droppedT],
    context: (run) => ({
      ownerOf: ownerStatuses(run),
      doubleDrops: new Set(run.model.findings.filter((f) => f.rule === 'double-drop').flatMap((f) => f.subjects)),
    }),
    build: (h, run, { ownerOf, doubleDrops }): HandleRow => {
      const doubleDrop = doubleDrops.has(h.id);
      const problems: string[] = [];
      if (doubleDrop) problems.push('double drop');
      if (h.staleAccesses.length) problems.push(`used after drop ×${h.staleAccesses.length} (#${h.staleAccesses.slice(0, 3).join(', #')})`);
      return {
        key: `${run.run}:${h.id}`,
        run: run.run,
        id: h.id,
        label: runScopedId(run.run, h.id, runs.length),
        group: `${h.table}/${h.type}`,
        type: h.type,
        owner: ownerOf(h.owner),
        parent: h.parent ?? '—',
        state: h.state,
        age: (h.droppedT ?? run.model.now) - h.storedT,
        accesses: h.accesses,
        doubleDrop,
        misuse: problems.join('; '),
        handle: h,
      };
    },
  });
}

/** Counts per `table/type`, in the order first seen. */
export function handleGroups(rows: readonly HandleRow[]): HandleGroup[] {
  const groups = new Map<string, HandleGroup>();
  for (const row of rows) {
    let group = groups.get(row.group);
    if (!group) groups.set(row.group, (group = { key: row.group, live: 0, dropped: 0, stale: 0, doubleDrops: 0 }));
    if (row.state === 'live') group.live++;
    else group.dropped++;
    group.stale += row.handle.staleAccesses.length;
    if (row.doubleDrop) group.doubleDrops++;
  }
  return [...groups.values()];
}

/** A row as Copy gives it: the model's handle, its run, its owner's status and its misuse. */
export function handleJson(row: HandleRow): Record<string, unknown> {
  return { run: row.run, ...row.handle, ownerState: row.owner.state, misuse: row.misuse || null };
}
