import type { SessionTable as Table } from '../model/session-rows.js';
import { formatClock } from '../model/format.js';
import { useUi } from '../ui-context.js';

/** Rows drawn at most: a leak shows within any few sessions, and a table of thousands costs seconds of layout. */
const MAX_ROWS = 500;

/** Reload 1…N with counts at each session's end; cells that grew are flagged. */
export function SessionTable({ table }: { table: Table }) {
  const { select } = useUi();
  if (!table.rows.length) return <p className="muted">No client sessions yet: sessions start when a client connects.</p>;
  const multiRun = new Set(table.rows.map((r) => r.run)).size > 1;
  const rows = table.rows.length > MAX_ROWS ? table.rows.slice(-MAX_ROWS) : table.rows;
  return (
    <div className="card" style={{ padding: 0, maxHeight: 320, overflow: 'auto' }}>
      {rows.length < table.rows.length && (
        <p className="muted" style={{ margin: '4px 8px' }}>
          Showing the last {rows.length.toLocaleString('en-US')} of {table.rows.length.toLocaleString('en-US')} sessions; select a time window under the charts to see earlier ones.
        </p>
      )}
      <table className="data" aria-label="Sessions">
        <thead>
          <tr>
            {multiRun && <th>run</th>}
            <th>session</th>
            <th>client</th>
            <th>connection</th>
            <th>opened</th>
            <th className="num">connections</th>
            {table.listenerColumns.map((c) => (
              <th key={c} className="num">
                listeners · {c}
              </th>
            ))}
            {table.handleColumns.map((c) => (
              <th key={c} className="num">
                handles · {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key} className={r.grew.length ? 'grew-row' : undefined} onClick={() => select({ run: r.run, kind: 'connection', id: r.conn })}>
              {multiRun && <td>{r.run}</td>}
              <td>reload {r.index}</td>
              <td>{r.group}</td>
              <td>{r.conn}</td>
              <td>{formatClock(r.openedAt)}</td>
              <td className={`num${r.grew.includes('connections') ? ' grew' : ''}`}>{r.connections}</td>
              {table.listenerColumns.map((c) => (
                <td key={c} className={`num${r.grew.includes(`listeners:${c}`) ? ' grew' : ''}`}>
                  {r.listeners[c] ?? 0}
                </td>
              ))}
              {table.handleColumns.map((c) => (
                <td key={c} className={`num${r.grew.includes(`handles:${c}`) ? ' grew' : ''}`}>
                  {r.handles[c] ?? 0}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
