import type { Finding } from '../../../shared/protocol.js';
import type { RunModel } from './runs.js';
import { absoluteTime, spanOverlaps, type TimeWindow } from './time-window.js';

/**
 * `open`, `resolved`, or `ended`: still open when a restart ended its run.
 * An ended finding is about a process that is gone; the new run finds its
 * own, so counting both would double every leak.
 */
export type FindingStatus = 'open' | 'resolved' | 'ended';

export interface FindingRow {
  key: string;
  run: number;
  status: FindingStatus;
  /** Absolute ms. */
  openedAt: number;
  resolvedAt?: number;
  finding: Finding;
}

const STATUS_ORDER: Record<FindingStatus, number> = { open: 0, ended: 1, resolved: 2 };
const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;

/** Every finding of every run overlapping the window: open first, worst first, newest first. */
export function findingRows(runs: readonly RunModel[], window: TimeWindow | null): FindingRow[] {
  const rows: FindingRow[] = [];
  for (const run of runs) {
    for (const f of run.model.findings) {
      const openedAt = absoluteTime(run.startedAt, f.openedT);
      const resolvedAt = f.resolvedT !== undefined ? absoluteTime(run.startedAt, f.resolvedT) : undefined;
      if (!spanOverlaps(openedAt, resolvedAt ?? run.endedAt, window)) continue;
      const status: FindingStatus = f.resolvedSeq !== undefined ? 'resolved' : run.endedAt !== undefined ? 'ended' : 'open';
      rows.push({ key: `${run.run}:${f.id}`, run: run.run, status, openedAt, ...(resolvedAt !== undefined ? { resolvedAt } : {}), finding: { ...f } });
    }
  }
  return rows.sort(
    (a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || SEVERITY_ORDER[a.finding.severity] - SEVERITY_ORDER[b.finding.severity] || b.openedAt - a.openedAt,
  );
}

/** Open findings (of runs still going) and how many are errors: the badge. */
export function openFindingCounts(runs: readonly RunModel[]): { open: number; errors: number } {
  let open = 0;
  let errors = 0;
  for (const run of runs) {
    if (run.endedAt !== undefined) continue;
    for (const f of run.model.findings) {
      if (f.resolvedSeq !== undefined) continue;
      open++;
      if (f.severity === 'error') errors++;
    }
  }
  return { open, errors };
}
