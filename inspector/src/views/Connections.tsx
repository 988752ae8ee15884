import { useMemo } from 'react';
import type { ConnectionModel } from '../../../shared/analysis/types.js';
import { VirtualTable, type Column } from '../components/VirtualTable.js';
import { formatBytes, formatDuration } from '../model/format.js';
import { absoluteTime, spanOverlaps } from '../model/time-window.js';
import { useUi } from '../ui-context.js';
import { TracePanel } from './TracePanel.js';
import { ConnectionDetail } from './ConnectionDetail.js';

const COLUMNS: Column[] = [
  { key: 'id', label: 'id', width: '70px' },
  { key: 'server', label: 'server', width: '70px' },
  { key: 'transport', label: 'transport', width: '64px' },
  { key: 'client', label: 'client', width: 'minmax(80px, 1fr)' },
  { key: 'state', label: 'state', width: '90px' },
  { key: 'age', label: 'age', width: '64px', numeric: true },
  { key: 'last', label: 'last activity', width: '80px', numeric: true },
  { key: 'bytes', label: 'bytes in/out', width: '120px', numeric: true },
  { key: 'msgs', label: 'msgs in/out', width: '84px', numeric: true },
  { key: 'listeners', label: 'listeners', width: '64px', numeric: true },
  { key: 'handles', label: 'handles', width: '60px', numeric: true },
  { key: 'actions', label: 'actions', width: 'minmax(170px, 1.4fr)' },
];

interface Row {
  run: number;
  c: ConnectionModel;
  startedAt: number;
  listeners: number;
  handles: number;
  current: boolean;
}

/** Every connection with what it owns, and buttons that tear it down (opening a trace). */
export function Connections() {
  const { store, window, selection, select, runAction, traces, openTrace } = useUi();
  const version = store.version;
  const rows = useMemo(() => connectionRows(store, window), [version, window]); // eslint-disable-line react-hooks/exhaustive-deps
  const live = store.link.status === 'live' && store.runAction !== null;
  const readonly = store.target.currentRun()?.hello.readonly ?? true;
  const actions = store.target.runs.flatMap((r) => r.analysis.model.actions.filter((a) => a.connection !== null).map((a) => ({ run: r.index + 1, a })));

  return (
    <div className="split">
      <div className="main">
        <VirtualTable
          label="Connections"
          columns={COLUMNS}
          count={rows.length}
          rowHeight={22}
          empty="No connections in this window. Connect a client to the backend."
          row={(i) => {
            const { run, c, startedAt, listeners, handles, current } = rows[i]!;
            const now = startedAt + (store.run(run)?.analysis.model.now ?? 0);
            const endedRun = !current;
            const state = endedRun && c.state !== 'closed' ? 'gone (restart)' : c.state;
            const canAct = live && current && c.state !== 'closed' && !readonly;
            return {
              key: `${run}:${c.id}`,
              selected: selection?.kind === 'connection' && selection.run === run && selection.id === c.id,
              className: c.state === 'closed' || endedRun ? 'dim' : undefined,
              onSelect: () => select({ run, kind: 'connection', id: c.id }),
              cells: [
                store.target.runs.length > 1 ? `#${run} ${c.id}` : c.id,
                c.server ?? 'app',
                c.transport,
                c.client ?? c.label ?? c.peer ?? '',
                <span className={`state-${c.state}`}>{state}</span>,
                formatDuration((c.closedT ?? (now - startedAt)) - c.openedT),
                c.lastActivity ? formatDuration(now - absoluteTime(startedAt, c.lastActivity)) : '—',
                `${formatBytes(c.bytesIn)} / ${formatBytes(c.bytesOut)}`,
                `${c.msgsIn} / ${c.msgsOut}`,
                listeners,
                handles,
                <span className="toolbar">
                  {c.state !== 'closed' && !endedRun && c.actions.map((a) => {
                    const label = a.label ?? capitalize(a.name);
                    return (
                      <button
                        key={a.name}
                        type="button"
                        className={`btn small${a.source === 'builtin' ? ' danger' : ''}`}
                        aria-label={`${label} ${c.id}`}
                        disabled={!canAct}
                        onClick={(e) => {
                          e.stopPropagation();
                          void runAction(c.id, a.name);
                        }}
                      >
                        {label}
                      </button>
                    );
                  })}
                </span>,
              ],
            };
          }}
        />
        {actions.length > 0 && (
          <div className="filters" role="toolbar" aria-label="Past actions">
            <span className="muted">Traces:</span>
            {actions.slice(-12).map(({ run, a }) => {
              const key = `${run}:${a.id}`;
              const isOpen = traces.some((t) => t.action === a.id && t.run === run) || traces.some((t) => t.key === key);
              return (
                <button
                  key={key}
                  type="button"
                  className={`btn small${isOpen ? ' active' : ''}`}
                  onClick={() => openTrace({ key, run, conn: a.connection, name: a.name, afterSeq: a.startedSeq - 1, action: a.id })}
                  title="Open this action's teardown trace (open two to compare)"
                >
                  {a.name} {a.connection} {a.verdict ? `· ${a.verdict}` : '· running'}
                </button>
              );
            })}
          </div>
        )}
        <div style={{ maxHeight: '50%', overflow: 'auto', flex: 'none' }}>
          <TracePanel />
        </div>
      </div>
      {selection?.kind === 'connection' && (
        <aside className="side" aria-label="Connection details">
          <ConnectionDetail run={selection.run} id={selection.id} />
        </aside>
      )}
    </div>
  );
}

function connectionRows(store: ReturnType<typeof useUi>['store'], window: { from: number; to: number } | null): Row[] {
  const rows: Row[] = [];
  const runs = store.target.runs;
  for (const r of runs) {
    const m = r.analysis.model;
    const listeners = new Map<string, number>();
    const handles = new Map<string, number>();
    for (const l of m.listeners) if (l.owner && l.removedSeq === undefined) listeners.set(l.owner, (listeners.get(l.owner) ?? 0) + 1);
    for (const h of m.handles) if (h.owner && h.state === 'live') handles.set(h.owner, (handles.get(h.owner) ?? 0) + 1);
    const current = r.index === runs.length - 1;
    const end = r.endedAt;
    for (const c of m.connections) {
      const closed = c.closedT !== undefined ? absoluteTime(r.startedAt, c.closedT) : end;
      if (!spanOverlaps(absoluteTime(r.startedAt, c.openedT), closed, window)) continue;
      rows.push({ run: r.index + 1, c, startedAt: r.startedAt, listeners: listeners.get(c.id) ?? 0, handles: handles.get(c.id) ?? 0, current });
    }
  }
  return rows;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
