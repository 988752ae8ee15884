import type { RunModel } from './runs.js';
import { absoluteTime } from './time-window.js';

/** A vertical line on the charts: a restart, a reload, an action, a gap or a mark. */
export interface Marker {
  at: number;
  kind: 'restart' | 'session' | 'action' | 'gap' | 'mark';
  label: string;
}

/** Every marker of every run; restarts first. */
export function chartMarkers(runs: readonly RunModel[]): Marker[] {
  const restarts: Marker[] = [];
  const others: Marker[] = [];
  for (const { run, startedAt, model: m } of runs) {
    const abs = (t: number) => absoluteTime(startedAt, t);
    if (run > 1) restarts.push({ at: startedAt, kind: 'restart', label: `restart (run ${run})` });
    for (const s of m.sessions) if (s.index > 1) others.push({ at: abs(s.openedT), kind: 'session', label: `${s.group} reload ${s.index}` });
    for (const a of m.actions) others.push({ at: abs(a.startedT), kind: 'action', label: `${a.name} ${a.connection ?? ''}`.trim() });
    for (const g of m.gaps) others.push({ at: abs(g.t), kind: 'gap', label: `gap of ${g.count}` });
    for (const k of m.marks) others.push({ at: abs(k.t), kind: 'mark', label: k.label });
  }
  return [...restarts, ...others.sort((a, b) => a.at - b.at)];
}

/**
 * The markers that can be told apart at this scale: a marker closer than
 * `minGapPx` to the previous one of its kind is left out (restarts never
 * are), so a long recording's hundreds of reloads do not merge into a
 * hatched band. Returns those drawn and how many were left out per kind.
 */
export function distinctMarkers(markers: readonly Marker[], x: (at: number) => number, minGapPx: number): { drawn: Marker[]; hidden: Partial<Record<Marker['kind'], number>> } {
  const lastX = new Map<Marker['kind'], number>();
  const drawn: Marker[] = [];
  const hidden: Partial<Record<Marker['kind'], number>> = {};
  for (const m of markers) {
    const px = x(m.at);
    const previous = lastX.get(m.kind);
    if (m.kind !== 'restart' && previous !== undefined && Math.abs(px - previous) < minGapPx) {
      hidden[m.kind] = (hidden[m.kind] ?? 0) + 1;
      continue;
    }
    lastX.set(m.kind, px);
    drawn.push(m);
  }
  return { drawn, hidden };
}
