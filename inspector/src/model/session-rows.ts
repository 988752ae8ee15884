import type { RunModel } from './runs.js';
import { absoluteTime, inWindow, type TimeWindow } from './time-window.js';

export interface SessionRow {
  key: string;
  run: number;
  group: string;
  /** 1..N within its group and run: "reload N". */
  index: number;
  conn: string;
  openedAt: number;
  connections: number;
  listeners: Record<string, number>;
  handles: Record<string, number>;
  /** Column keys (`connections`, `listeners:<name>`, `handles:<key>`) that grew since the previous session of the group. */
  grew: string[];
}

export interface SessionTable {
  listenerColumns: string[];
  handleColumns: string[];
  rows: SessionRow[];
}

/**
 * The per-session table that makes a reload leak obvious: one row per client
 * session (reload), with counts at the session's end. Growth is judged
 * against the previous session of the same group and run, before windowing,
 * so a window never hides why a cell is flagged.
 */
export function sessionTable(runs: RunModel[], window: TimeWindow | null): SessionTable {
  const listenerColumns = new Set<string>();
  const handleColumns = new Set<string>();
  const rows: SessionRow[] = [];
  for (const { run, startedAt, model } of runs) {
    const previous = new Map<string, SessionRow>();
    for (const s of model.sessions) {
      const row: SessionRow = {
        key: `${run}:${s.group}:${s.index}`,
        run,
        group: s.group,
        index: s.index,
        conn: s.conn,
        openedAt: absoluteTime(startedAt, s.openedT),
        connections: s.counts.connections,
        listeners: s.counts.listeners,
        handles: s.counts.handles,
        grew: [],
      };
      const before = previous.get(s.group);
      if (before) row.grew = grownColumns(before, row);
      previous.set(s.group, row);
      if (!inWindow(row.openedAt, window)) continue;
      for (const name of Object.keys(row.listeners)) listenerColumns.add(name);
      for (const key of Object.keys(row.handles)) handleColumns.add(key);
      rows.push(row);
    }
  }
  return { listenerColumns: [...listenerColumns].sort(), handleColumns: [...handleColumns].sort(), rows };
}

function grownColumns(before: SessionRow, after: SessionRow): string[] {
  const grew: string[] = [];
  if (after.connections > before.connections) grew.push('connections');
  for (const [name, n] of Object.entries(after.listeners)) if (n > (before.listeners[name] ?? 0)) grew.push(`listeners:${name}`);
  for (const [key, n] of Object.entries(after.handles)) if (n > (before.handles[key] ?? 0)) grew.push(`handles:${key}`);
  return grew;
}
