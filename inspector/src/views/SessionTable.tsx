import { useMemo } from 'react';
import { DataGrid, type GridColumn } from '../components/DataGrid.js';
import type { SessionRow, SessionTable as Table } from '../model/session-rows.js';
import { formatClock } from '../model/format.js';
import { useUi } from '../ui-context.js';

const ROW_HEIGHT = 22;
/** Taller than this the table scrolls inside the Overview. */
const MAX_HEIGHT = 320;

/** Reload 1…N with counts at each session's end; cells that grew are flagged. A row opens its connection. */
export function SessionTable({ table }: { table: Table }) {
  const { show } = useUi();
  const multiRun = new Set(table.rows.map((r) => r.run)).size > 1;
  const columns = useMemo(() => sessionColumns(table, multiRun), [table, multiRun]);
  if (!table.rows.length) return <p className="muted">No client sessions yet: sessions start when a client connects.</p>;
  return (
    <div className="card session-grid" style={{ height: Math.min(MAX_HEIGHT, 30 + table.rows.length * ROW_HEIGHT) }}>
      <DataGrid
        label="Sessions"
        columns={columns}
        count={table.rows.length}
        rowAt={(i) => table.rows[i]!}
        rowKey={(r) => r.key}
        rowClass={(r) => (r.grew.length ? 'grew-row' : undefined)}
        sizingRows={table.rows}
        rowHeight={ROW_HEIGHT}
        onSelect={(r) => show({ run: r.run, kind: 'connection', id: r.conn })}
        empty="No sessions in this window."
      />
    </div>
  );
}

function sessionColumns(table: Table, multiRun: boolean): GridColumn<SessionRow>[] {
  const count = (key: string, label: string, value: (r: SessionRow) => number): GridColumn<SessionRow> => ({
    key,
    label,
    numeric: true,
    text: (r) => String(value(r)),
    render: (r) => (r.grew.includes(key) ? <span className="grew" title="grew since the previous session">{value(r)}</span> : value(r)),
  });
  return [
    ...(multiRun ? [{ key: 'run', label: 'run', text: (r: SessionRow) => String(r.run) }] : []),
    { key: 'session', label: 'session', text: (r) => `reload ${r.index}` },
    { key: 'client', label: 'client', text: (r) => r.group },
    { key: 'conn', label: 'connection', text: (r) => r.conn, render: (r) => <span className="linkish">{r.conn}</span> },
    { key: 'opened', label: 'opened', text: (r) => formatClock(r.openedAt) },
    count('connections', 'connections', (r) => r.connections),
    ...table.listenerColumns.map((c) => count(`listeners:${c}`, `listeners · ${c}`, (r) => r.listeners[c] ?? 0)),
    ...table.handleColumns.map((c) => count(`handles:${c}`, `handles · ${c}`, (r) => r.handles[c] ?? 0)),
  ];
}
