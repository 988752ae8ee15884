import type { GridColumn } from '../components/DataGrid.js';
import { EntityTable } from '../components/EntityTable.js';
import { connectionJson, connectionRows, type ConnectionRow } from '../model/connection-rows.js';
import { formatBytes, formatDuration } from '../model/format.js';
import type { TimeWindow } from '../model/time-window.js';
import { useDerived } from '../hooks/use-store.js';
import type { UiStore } from '../data/ui-store.js';
import { useUi } from '../ui-context.js';
import { TracePanel } from './TracePanel.js';
import { ConnectionDetail } from './ConnectionDetail.js';
import { ConnectionActions } from './ConnectionActions.js';

const STATE_TEXT: Record<ConnectionRow['state'], string> = { open: 'open', 'half-open': 'half-open', closing: 'closing', closed: 'closed', gone: 'gone (restart)' };

const COLUMNS: GridColumn<ConnectionRow>[] = [
  { key: 'id', label: 'id', text: (r) => r.label, sortValue: (r) => r.run * 1e9 + Number(r.id.replace(/\D/g, '') || 0) },
  { key: 'server', label: 'server', text: (r) => r.server },
  { key: 'transport', label: 'transport', text: (r) => r.transport },
  { key: 'protocol', label: 'protocol', text: (r) => r.protocol },
  { key: 'client', label: 'client', text: (r) => r.client, maxWidth: 220 },
  {
    key: 'state',
    label: 'state',
    text: (r) => `${STATE_TEXT[r.state]}${r.abandoned ? ' · abandoned' : ''}`,
    render: (r) => (
      <span className={`state-${r.state}`}>
        {STATE_TEXT[r.state]}
        {r.abandoned && <span className="state-abandoned"> · abandoned</span>}
      </span>
    ),
  },
  { key: 'age', label: 'age', numeric: true, text: (r) => formatDuration(r.age), sortValue: (r) => r.age },
  {
    key: 'idle',
    label: 'peer idle',
    numeric: true,
    text: (r) => (r.peerIdle === undefined ? '—' : formatDuration(r.peerIdle)),
    sortValue: (r) => r.peerIdle,
  },
  { key: 'bytesIn', label: 'bytes in', numeric: true, text: (r) => formatBytes(r.bytesIn), sortValue: (r) => r.bytesIn },
  { key: 'bytesOut', label: 'bytes out', numeric: true, text: (r) => formatBytes(r.bytesOut), sortValue: (r) => r.bytesOut },
  { key: 'msgsIn', label: 'msgs in', numeric: true, text: (r) => String(r.msgsIn ?? '—'), sortValue: (r) => r.msgsIn },
  { key: 'msgsOut', label: 'msgs out', numeric: true, text: (r) => String(r.msgsOut ?? '—'), sortValue: (r) => r.msgsOut },
  { key: 'listeners', label: 'listeners', numeric: true, text: (r) => String(r.listeners), sortValue: (r) => r.listeners },
  { key: 'handles', label: 'handles', numeric: true, text: (r) => String(r.handles), sortValue: (r) => r.handles },
  {
    key: 'actions',
    label: 'actions',
    pinned: true,
    unsortable: true,
    minWidth: 150,
    text: (r) => r.actions.map((a) => a.label ?? a.name).join(' '),
    render: (r) => <ConnectionActions row={r} />,
  },
];

/** Every connection with what it owns, and buttons that tear it down (opening a trace). */
export function Connections() {
  const { store, window, selection, traces, openTrace, link } = useUi();
  const { rows, actions } = useDerived(store, connectionsView, { store, window });

  return (
    <div className="split">
      <div className="main">
        <EntityTable
          label="Connections"
          noun="connections"
          kind="connection"
          rows={rows}
          columns={COLUMNS}
          rowClass={(r) => (r.state === 'closed' || r.state === 'gone' ? 'dim' : undefined)}
          toJson={connectionJson}
          empty="No connections in this window. Connect a client to the backend."
        />
        {actions.length > 0 && (
          <div className="filters" role="toolbar" aria-label="Past actions">
            <span className="muted">Traces:</span>
            {actions.slice(-12).map(({ run, a, ended }) => {
              const key = `${run}:${a.id}`;
              const isOpen = traces.some((t) => (t.action === a.id && t.run === run) || t.key === key);
              return (
                <button
                  key={key}
                  type="button"
                  className={`btn small${isOpen ? ' active' : ''}`}
                  aria-pressed={isOpen}
                  onClick={() => openTrace({ key, run, conn: a.connection, name: a.name, afterSeq: a.startedSeq - 1, action: a.id })}
                  title="Open this action's teardown trace (open two to compare)"
                >
                  {a.name} {a.connection} · {a.verdict ?? (ended || link.word !== 'live' ? 'no verdict' : 'running')}
                </button>
              );
            })}
          </div>
        )}
        <div className="trace-area">
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

/** The rows, and past actions on connections (for the Traces bar). */
function connectionsView({ store, window }: { store: UiStore; window: TimeWindow | null }) {
  return {
    rows: connectionRows(store.runs(), window),
    actions: store.target.runs.flatMap((r) => r.analysis.model.actions.filter((a) => a.connection !== null).map((a) => ({ run: r.index + 1, a: { ...a }, ended: r.endedAt !== undefined }))),
  };
}
