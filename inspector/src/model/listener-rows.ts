import type { ListenerModel } from '../../../shared/analysis/types.js';
import { ownerStatuses, rowsInWindow, runScopedId, type OwnerStatus, type RunModel } from './runs.js';
import type { TimeWindow } from './time-window.js';

export interface ListenerRow {
  key: string;
  run: number;
  id: string;
  label: string;
  /** `run:emitter:event`: the group it belongs to. */
  group: string;
  emitter: string;
  event: string;
  owner: OwnerStatus;
  /** `attached`, `attached (once)`, `removed (off)`. */
  status: string;
  removed: boolean;
  /** ms from add to removal (or to now). */
  age: number;
  /** The top frame of its creation stack, or why there is none. */
  createdAt: string;
  listener: ListenerModel;
}

/** Listeners of one emitter event in one run, with the emitter's count at each session's end. */
export interface ListenerGroup {
  key: string;
  run: number;
  emitter: string;
  emitterName: string;
  event: string;
  live: number;
  added: number;
  removed: number;
  /** Live listeners of this emitter at the end of each session. */
  trend: number[];
  /** The trend rose at every session, over at least three: the reload leak's signature. */
  grows: boolean;
}

/** Every listener of every run overlapping the window, with its owner's status. */
export function listenerRows(runs: readonly RunModel[], window: TimeWindow | null): ListenerRow[] {
  return rowsInWindow(runs, window, {
    entities: (m) => m.listeners,
    lifetime: (l) => [l.addedT, l.removedT],
    context: ownerStatuses,
    build: (l, run, ownerOf): ListenerRow => {
      const removed = l.removedSeq !== undefined;
      return {
        key: `${run.run}:${l.id}`,
        run: run.run,
        id: l.id,
        label: runScopedId(run.run, l.id, runs.length),
        group: groupKey(run.run, l),
        emitter: l.emitterName,
        event: l.event,
        owner: ownerOf(l.owner),
        status: removed ? `removed (${l.how})` : l.once ? 'attached (once)' : 'attached',
        removed,
        age: (l.removedT ?? run.model.now) - l.addedT,
        createdAt: l.stack?.[0] ?? (l.preexisting ? 'pre-existing (before watching)' : '—'),
        listener: l,
      };
    },
  });
}

/** Listener rows grouped by run, emitter and event, most live first. */
export function listenerGroups(runs: readonly RunModel[], rows: readonly ListenerRow[]): ListenerGroup[] {
  const groups = new Map<string, ListenerGroup>();
  for (const row of rows) {
    let group = groups.get(row.group);
    if (!group) {
      const sessions = runs.find((r) => r.run === row.run)?.model.sessions ?? [];
      const trend = sessions.map((s) => s.counts.listeners[row.emitter] ?? 0);
      const grows = trend.length > 2 && trend.every((n, k) => k === 0 || n > trend[k - 1]!);
      group = { key: row.group, run: row.run, emitter: row.listener.emitter, emitterName: row.emitter, event: row.event, live: 0, added: 0, removed: 0, trend, grows };
      groups.set(row.group, group);
    }
    group.added++;
    if (row.removed) group.removed++;
    else group.live++;
  }
  return [...groups.values()].sort((a, b) => b.live - a.live);
}

export function groupKey(run: number, l: Pick<ListenerModel, 'emitter' | 'event'>): string {
  return `${run}:${l.emitter}:${l.event}`;
}

/** A row as Copy gives it: the model's listener, its run, and its owner's status. */
export function listenerJson(row: ListenerRow): Record<string, unknown> {
  return { run: row.run, ...row.listener, ownerState: row.owner.state, ownerText: row.owner.text };
}
