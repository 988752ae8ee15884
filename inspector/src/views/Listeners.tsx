import { useState } from 'react';
import { DataGrid, type GridColumn } from '../components/DataGrid.js';
import { DetailHeader } from '../components/DetailHeader.js';
import { EntityTable } from '../components/EntityTable.js';
import { EventLink, OwnerLink } from '../components/Links.js';
import { formatDuration } from '../model/format.js';
import { listenerGroups, listenerJson, listenerRows, type ListenerGroup, type ListenerRow } from '../model/listener-rows.js';
import type { TimeWindow } from '../model/time-window.js';
import { useDerived } from '../hooks/use-store.js';
import type { UiStore } from '../data/ui-store.js';
import { useUi } from '../ui-context.js';

const GROUP_COLUMNS: GridColumn<ListenerGroup>[] = [
  { key: 'emitter', label: 'emitter', text: (g) => g.emitterName },
  { key: 'event', label: 'event', text: (g) => g.event },
  { key: 'live', label: 'live', numeric: true, text: (g) => String(g.live), sortValue: (g) => g.live },
  { key: 'added', label: 'added', numeric: true, text: (g) => String(g.added), sortValue: (g) => g.added },
  { key: 'removed', label: 'removed', numeric: true, text: (g) => String(g.removed), sortValue: (g) => g.removed },
  { key: 'trend', label: 'per session (emitter)', text: (g) => (g.trend.length ? g.trend.join(' → ') : '—'), maxWidth: 480, grow: true },
];

const LISTENER_COLUMNS: GridColumn<ListenerRow>[] = [
  { key: 'id', label: 'id', text: (r) => r.label, sortValue: (r) => r.run * 1e9 + Number(r.id.replace(/\D/g, '') || 0) },
  { key: 'emitter', label: 'emitter · event', text: (r) => `${r.emitter} · ${r.event}` },
  { key: 'owner', label: 'owner', text: (r) => r.owner.text },
  { key: 'state', label: 'listener', text: (r) => r.status },
  { key: 'age', label: 'age', numeric: true, text: (r) => formatDuration(r.age), sortValue: (r) => r.age },
  { key: 'stack', label: 'created at', text: (r) => r.createdAt, maxWidth: 640, grow: true },
];

/** Listeners by emitter and event, with owners (alive or closed, how long ago) and creation stacks. */
export function Listeners() {
  const { store, window, selection, select } = useUi();
  const [group, setGroup] = useState<string | null>(null);
  const { groups, rows: all } = useDerived(store, listenersView, { store, window });
  // A finding's emitter subject opens this view narrowed to that emitter.
  const emitter = selection?.kind === 'emitter' ? selection : null;
  const emitterName = emitter ? all.find((r) => r.run === emitter.run && r.listener.emitter === emitter.id)?.emitter ?? emitter.id : null;
  const inScope = (r: { run: number; group: string }) => (!group || r.group === group) && (!emitter || r.group.startsWith(`${emitter.run}:${emitter.id}:`));
  const rows = group || emitter ? all.filter(inScope) : all;
  const shownGroups = emitter ? groups.filter((g) => inScope({ run: g.run, group: g.key })) : groups;
  const selected = selection?.kind === 'listener' ? all.find((r) => r.run === selection.run && r.id === selection.id) : undefined;

  return (
    <div className="split">
      <div className="main">
        {emitter && (
          <div className="filters" role="group" aria-label="Scope">
            <span>
              Emitter <b>{emitterName}</b> ({emitter.id}) only
            </span>
            <button type="button" className="btn small" onClick={() => select(null)}>
              Show every emitter
            </button>
          </div>
        )}
        <div className="group-grid" style={{ height: Math.min(200, 30 + Math.max(1, shownGroups.length) * 22) }}>
          <DataGrid
            label="Listener groups"
            columns={GROUP_COLUMNS}
            count={shownGroups.length}
            rowAt={(i) => shownGroups[i]!}
            rowKey={(g) => g.key}
            rowClass={(g) => (g.grows ? 'bad' : undefined)}
            sizingRows={shownGroups}
            selectedKey={group}
            onSelect={(g) => setGroup(g.key === group ? null : g.key)}
            onEscape={() => setGroup(null)}
            empty="No watched emitters. Call agent.watchEmitter(emitter, { name }) in the backend."
          />
        </div>
        <EntityTable
          label="Listeners"
          noun="listeners"
          kind="listener"
          rows={rows}
          columns={LISTENER_COLUMNS}
          rowClass={(r) => (r.removed ? 'dim' : r.owner.state === 'closed' || r.owner.state === 'gone' ? 'bad' : undefined)}
          toJson={listenerJson}
          empty="No listeners in this window."
        />
      </div>
      {selected && (
        <aside className="side pad" aria-label="Listener details">
          <DetailHeader title={`Listener ${selected.id}`} json={listenerJson(selected)} onClose={() => select(null)} />
          <dl className="kv">
            <dt>emitter</dt>
            <dd>
              {selected.listener.emitterName} ({selected.listener.emitter}) “{selected.listener.event}”
            </dd>
            <dt>owner</dt>
            <dd>
              <OwnerLink run={selected.run} owner={selected.owner} />
            </dd>
            <dt>added</dt>
            <dd>
              <EventLink run={selected.run} seq={selected.listener.addedSeq} />
            </dd>
            {selected.listener.removedSeq !== undefined && (
              <>
                <dt>removed</dt>
                <dd>
                  <EventLink run={selected.run} seq={selected.listener.removedSeq} />{' '}
                  ({selected.listener.how})
                </dd>
              </>
            )}
          </dl>
          <h3 className="section-title">Creation stack</h3>
          <pre className="stack" tabIndex={0}>
            {selected.listener.stack?.join('\n') ?? 'No stack (stacks disabled, or attached before watching).'}
          </pre>
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
