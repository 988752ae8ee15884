import { VirtualTable, type Column } from '../components/VirtualTable.js';
import { connectionRows } from '../model/connection-rows.js';
import { formatBytes, formatDuration } from '../model/format.js';
import type { TimeWindow } from '../model/time-window.js';
import { useDerived } from '../hooks/use-store.js';
import type { UiStore } from '../data/ui-store.js';
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
  { key: 'idle', label: 'peer idle', width: '80px', numeric: true },
  { key: 'bytes', label: 'bytes in/out', width: '120px', numeric: true },
  { key: 'msgs', label: 'msgs in/out', width: '84px', numeric: true },
  { key: 'listeners', label: 'listeners', width: '64px', numeric: true },
  { key: 'handles', label: 'handles', width: '60px', numeric: true },
  { key: 'actions', label: 'actions', width: 'minmax(170px, 1.4fr)' },
];

/** Every connection with what it owns, and buttons that tear it down (opening a trace). */
export function Connections() {
  const { store, window, selection, select, runAction, traces, openTrace } = useUi();
  const { rows, canAct, actions } = useDerived(store, connectionsView, { store, window });

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
            const row = rows[i]!;
            return {
              key: row.key,
              selected: selection?.kind === 'connection' && selection.run === row.run && selection.id === row.id,
              className: row.state === 'closed' || row.state === 'gone' ? 'dim' : undefined,
              onSelect: () => select({ run: row.run, kind: 'connection', id: row.id }),
              cells: [
                row.label,
                row.server,
                row.transport,
                row.client,
                <span key="state" className={`state-${row.state}`}>{row.state === 'gone' ? 'gone (restart)' : row.state}</span>,
                formatDuration(row.age),
                row.peerIdle === undefined ? '—' : formatDuration(row.peerIdle),
                `${formatBytes(row.bytesIn)} / ${formatBytes(row.bytesOut)}`,
                `${row.msgsIn} / ${row.msgsOut}`,
                row.listeners,
                row.handles,
                <span key="actions" className="toolbar">
                  {row.actions.map((a) => {
                    const label = a.label ?? capitalize(a.name);
                    return (
                      <button
                        key={a.name}
                        type="button"
                        className={`btn small${a.source === 'builtin' ? ' danger' : ''}`}
                        aria-label={`${label} ${row.id}`}
                        disabled={!canAct}
                        onClick={(e) => {
                          e.stopPropagation();
                          void runAction(row.id, a.name);
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

/** The rows, whether actions can run now, and past actions on connections (for the Traces bar). */
function connectionsView({ store, window }: { store: UiStore; window: TimeWindow | null }) {
  const current = store.target.currentRun();
  return {
    rows: connectionRows(store.runs(), window),
    canAct: store.link.status === 'live' && store.runAction !== null && current !== undefined && !current.hello.readonly,
    actions: store.target.runs.flatMap((r) => r.analysis.model.actions.filter((a) => a.connection !== null).map((a) => ({ run: r.index + 1, a: { ...a } }))),
  };
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
