import { useState } from 'react';
import { VirtualTable, type Column } from '../components/VirtualTable.js';
import { formatDuration } from '../model/format.js';
import { listenerGroups, listenerRows } from '../model/listener-rows.js';
import type { TimeWindow } from '../model/time-window.js';
import { useDerived } from '../hooks/use-store.js';
import type { UiStore } from '../data/ui-store.js';
import { useUi } from '../ui-context.js';

const GROUP_COLUMNS: Column[] = [
  { key: 'emitter', label: 'emitter', width: 'minmax(90px, 1fr)' },
  { key: 'event', label: 'event', width: 'minmax(90px, 1fr)' },
  { key: 'live', label: 'live', width: '50px', numeric: true },
  { key: 'added', label: 'added', width: '56px', numeric: true },
  { key: 'removed', label: 'removed', width: '64px', numeric: true },
  { key: 'trend', label: 'per session (emitter)', width: 'minmax(140px, 1.5fr)' },
];

const LISTENER_COLUMNS: Column[] = [
  { key: 'id', label: 'id', width: '70px' },
  { key: 'emitter', label: 'emitter · event', width: 'minmax(120px, 1fr)' },
  { key: 'owner', label: 'owner', width: 'minmax(150px, 1.2fr)' },
  { key: 'state', label: 'listener', width: '120px' },
  { key: 'age', label: 'age', width: '64px', numeric: true },
  { key: 'stack', label: 'created at', width: 'minmax(160px, 2fr)' },
];

/** Listeners by emitter and event, with owners (alive or closed, how long ago) and creation stacks. */
export function Listeners() {
  const { store, window, selection, select } = useUi();
  const [group, setGroup] = useState<string | null>(null);
  const { groups, rows: all } = useDerived(store, listenersView, { store, window });
  const rows = group ? all.filter((r) => r.group === group) : all;
  const selected = selection?.kind === 'listener' ? all.find((r) => r.run === selection.run && r.id === selection.id) : undefined;

  return (
    <div className="split">
      <div className="main">
        <div style={{ height: Math.min(200, 40 + groups.length * 20), display: 'flex', flex: 'none', borderBottom: '1px solid var(--border)' }}>
          <VirtualTable
            label="Listener groups"
            columns={GROUP_COLUMNS}
            count={groups.length}
            empty="No watched emitters. Call agent.watchEmitter(emitter, { name }) in the backend."
            row={(i) => {
              const g = groups[i]!;
              return {
                key: g.key,
                selected: g.key === group,
                className: g.grows ? 'bad' : undefined,
                onSelect: () => setGroup(g.key === group ? null : g.key),
                cells: [g.emitterName, g.event, g.live, g.added, g.removed, g.trend.length ? g.trend.join(' → ') : '—'],
              };
            }}
          />
        </div>
        <VirtualTable
          label="Listeners"
          columns={LISTENER_COLUMNS}
          count={rows.length}
          empty="No listeners in this window."
          row={(i) => {
            const row = rows[i]!;
            return {
              key: row.key,
              selected: selected?.key === row.key,
              className: row.removed ? 'dim' : row.owner.state === 'closed' || row.owner.state === 'gone' ? 'bad' : undefined,
              onSelect: () => select({ run: row.run, kind: 'listener', id: row.id }),
              cells: [row.label, `${row.emitter} · ${row.event}`, row.owner.text, row.status, formatDuration(row.age), row.createdAt],
            };
          }}
        />
      </div>
      {selected && (
        <aside className="side pad" aria-label="Listener details">
          <div className="section-title" style={{ marginTop: 0 }}>
            Listener {selected.id}
          </div>
          <dl className="kv">
            <dt>emitter</dt>
            <dd>
              {selected.listener.emitterName} ({selected.listener.emitter}) “{selected.listener.event}”
            </dd>
            <dt>owner</dt>
            <dd>
              {selected.listener.owner ? (
                <button type="button" className="linklike" onClick={() => select({ run: selected.run, kind: 'connection', id: selected.listener.owner! })}>
                  {selected.owner.text}
                </button>
              ) : (
                selected.owner.text
              )}
            </dd>
            <dt>added</dt>
            <dd>#{selected.listener.addedSeq}</dd>
            {selected.listener.removedSeq !== undefined && (
              <>
                <dt>removed</dt>
                <dd>
                  #{selected.listener.removedSeq} ({selected.listener.how})
                </dd>
              </>
            )}
          </dl>
          <div className="section-title">Creation stack</div>
          <pre className="stack">{selected.listener.stack?.join('\n') ?? 'No stack (stacks disabled, or attached before watching).'}</pre>
        </aside>
      )}
    </div>
  );
}

function listenersView({ store, window }: { store: UiStore; window: TimeWindow | null }) {
  const runs = store.runs();
  const rows = listenerRows(runs, window);
  return { rows, groups: listenerGroups(runs, rows) };
}
