import type { RunModel } from './runs.js';
import { absoluteTime, spanOverlaps, type TimeWindow } from './time-window.js';

export type TickKind = 'listener-add' | 'listener-remove' | 'handle-store' | 'handle-drop' | 'action';

export interface LaneTick {
  at: number;
  kind: TickKind;
  id: string;
}

/** One connection's lane: a bar from open to close, phases shaded. */
export interface Lane {
  key: string;
  run: number;
  conn: string;
  label: string;
  state: string;
  openedAt: number;
  /** Undefined while open; a run that ended closes its lanes at its end. */
  closedAt?: number;
  halfOpenAt?: number;
  closingAt?: number;
  ticks: LaneTick[];
}

/** Lanes of every run's connections overlapping the window, oldest first. */
export function buildLanes(runs: readonly RunModel[], window: TimeWindow | null): Lane[] {
  const lanes: Lane[] = [];
  for (const { run, startedAt, endedAt: runEnd, model } of runs) {
    const abs = (t: number) => absoluteTime(startedAt, t);
    const byConn = new Map<string, Lane>();
    for (const c of model.connections) {
      const closedAt = c.closedT !== undefined ? abs(c.closedT) : runEnd;
      const openedAt = abs(c.openedT);
      if (!spanOverlaps(openedAt, closedAt, window)) continue;
      const lane: Lane = {
        key: `${run}:${c.id}`,
        run,
        conn: c.id,
        label: c.label ?? c.client ?? c.peer ?? '',
        state: c.closedT === undefined && runEnd !== undefined ? 'gone (restart)' : c.state,
        openedAt,
        ...(closedAt !== undefined ? { closedAt } : {}),
        ...(c.peerEndedT !== undefined ? { halfOpenAt: abs(c.peerEndedT) } : {}),
        ...(c.localEndedT !== undefined ? { closingAt: abs(c.localEndedT) } : {}),
        ticks: [],
      };
      byConn.set(c.id, lane);
      lanes.push(lane);
    }
    for (const l of model.listeners) {
      const lane = l.owner ? byConn.get(l.owner) : undefined;
      if (!lane) continue;
      lane.ticks.push({ at: abs(l.addedT), kind: 'listener-add', id: l.id });
      if (l.removedT !== undefined) lane.ticks.push({ at: abs(l.removedT), kind: 'listener-remove', id: l.id });
    }
    for (const h of model.handles) {
      const lane = h.owner ? byConn.get(h.owner) : undefined;
      if (!lane) continue;
      lane.ticks.push({ at: abs(h.storedT), kind: 'handle-store', id: h.id });
      if (h.droppedT !== undefined) lane.ticks.push({ at: abs(h.droppedT), kind: 'handle-drop', id: h.id });
    }
    for (const a of model.actions) {
      const lane = a.connection ? byConn.get(a.connection) : undefined;
      if (lane) lane.ticks.push({ at: abs(a.startedT), kind: 'action', id: a.id });
    }
  }
  lanes.sort((a, b) => a.openedAt - b.openedAt || a.run - b.run);
  return lanes;
}

/** The visible span of the timeline: [from, to] in absolute ms. */
export interface Viewport {
  from: number;
  to: number;
}

/** Zooms around `anchor` (absolute ms) by `factor` (<1 zooms in), never narrower than `minSpan`. */
export function zoomViewport(v: Viewport, factor: number, anchor: number, minSpan = 1): Viewport {
  const span = Math.max(minSpan, (v.to - v.from) * factor);
  const ratio = v.to === v.from ? 0.5 : (anchor - v.from) / (v.to - v.from);
  const from = anchor - span * ratio;
  return { from, to: from + span };
}

/** Pans by a fraction of the visible span (positive = later). */
export function panViewport(v: Viewport, fraction: number): Viewport {
  const d = (v.to - v.from) * fraction;
  return { from: v.from + d, to: v.to + d };
}

/** Maps absolute time to x in [0, width]. */
export function timeToX(at: number, v: Viewport, width: number): number {
  return v.to === v.from ? 0 : ((at - v.from) / (v.to - v.from)) * width;
}
