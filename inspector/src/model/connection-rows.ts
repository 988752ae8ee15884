import type { ConnectionModel, ConnectionState } from '../../../shared/analysis/types.js';
import type { ActionInfo } from '../../../shared/protocol.js';
import { rowsInWindow, runScopedId, type RunModel } from './runs.js';
import type { TimeWindow } from './time-window.js';

/** What a connection row shows; `gone` is a connection its process took with it (a restart). */
export type ConnectionRowState = ConnectionState | 'gone';

export interface ConnectionRow {
  key: string;
  run: number;
  id: string;
  /** `c3`, or `#2 c3` when several runs are shown. */
  label: string;
  server: string;
  transport: string;
  /** What it speaks when the agent recognised it (`socket.io`, `http2`…), else empty. */
  protocol: string;
  client: string;
  state: ConnectionRowState;
  /** Open, but its client left it for a newer session (the growth rules' "stale"). */
  abandoned: boolean;
  /** ms from open to close (or to now). */
  age: number;
  /**
   * ms since the peer last sent something (reads only; the backend's own
   * writes do not count), undefined once closed: an abandoned connection
   * the backend keeps writing to reads as idle, as the growth finding says.
   */
  peerIdle: number | undefined;
  bytesIn: number;
  bytesOut: number;
  /** Undefined for a byte stream (a socket): bytes flowed, no message was counted. */
  msgsIn: number | undefined;
  msgsOut: number | undefined;
  /** Live listeners and handles it owns. */
  listeners: number;
  handles: number;
  /** Actions it offers now: none once closed or gone. */
  actions: ActionInfo[];
  connection: ConnectionModel;
}

/** Every connection of every run overlapping the window, with what it owns. */
export function connectionRows(runs: readonly RunModel[], window: TimeWindow | null): ConnectionRow[] {
  return rowsInWindow(runs, window, {
    entities: (m) => m.connections,
    lifetime: (c) => [c.openedT, c.closedT],
    context: ownedCounts,
    build: (c, run, owned): ConnectionRow => {
      const gone = run.endedAt !== undefined && c.state !== 'closed';
      const ended = c.state === 'closed' || gone;
      const counted = c.msgsIn + c.msgsOut > 0 || c.bytesIn + c.bytesOut === 0;
      return {
        key: `${run.run}:${c.id}`,
        run: run.run,
        id: c.id,
        label: runScopedId(run.run, c.id, runs.length),
        server: c.server ?? 'app',
        transport: c.transport,
        protocol: c.protocol ?? '',
        client: c.client ?? c.label ?? c.peer ?? '',
        state: gone ? 'gone' : c.state,
        abandoned: !ended && c.abandoned === true,
        age: (c.closedT ?? run.model.now) - c.openedT,
        peerIdle: ended ? undefined : run.model.now - c.lastInbound,
        bytesIn: c.bytesIn,
        bytesOut: c.bytesOut,
        msgsIn: counted ? c.msgsIn : undefined,
        msgsOut: counted ? c.msgsOut : undefined,
        listeners: owned.listeners.get(c.id) ?? 0,
        handles: owned.handles.get(c.id) ?? 0,
        actions: ended ? [] : c.actions,
        connection: c,
      };
    },
  });
}

/** Live listeners and handles per owning connection in one run. */
function ownedCounts(run: RunModel): { listeners: Map<string, number>; handles: Map<string, number> } {
  const listeners = new Map<string, number>();
  const handles = new Map<string, number>();
  for (const l of run.model.listeners) if (l.owner && l.removedSeq === undefined) increment(listeners, l.owner);
  for (const h of run.model.handles) if (h.owner && h.state === 'live') increment(handles, h.owner);
  return { listeners, handles };
}

function increment(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

/** A row as Copy gives it: the model's connection, its run, and what the row derived. */
export function connectionJson(row: ConnectionRow): Record<string, unknown> {
  return { run: row.run, ...row.connection, state: row.state, peerIdleMs: row.peerIdle ?? null, listenersOwned: row.listeners, handlesOwned: row.handles };
}
