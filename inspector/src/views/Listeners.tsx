import { useMemo, useState } from 'react';
import type { ListenerModel } from '../../../shared/analysis/types.js';
import { VirtualTable, type Column } from '../components/VirtualTable.js';
import { formatDuration } from '../model/format.js';
import { absoluteTime, spanOverlaps } from '../model/time-window.js';
import { useUi } from '../ui-context.js';
import type { UiStore } from '../data/ui-store.js';

interface Group {
  key: string;
  run: number;
  emitter: string;
  emitterName: string;
  event: string;
  live: number;
  added: number;
  removed: number;
  /** Live listeners of this emitter at the end of each session (from the session table). */
  trend: number[];
}

interface Row {
  run: number;
  l: ListenerModel;
  owner: string;
}

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
  const version = store.version;
  const [group, setGroup] = useState<string | null>(null);
  const groups = useMemo(() => listenerGroups(store), [version]); // eslint-disable-line react-hooks/exhaustive-deps
  const rows = useMemo(() => listenerRows(store, window, group), [version, window, group]); // eslint-disable-line react-hooks/exhaustive-deps
  const selected = selection?.kind === 'listener' ? rows.find((r) => r.run === selection.run && r.l.id === selection.id) : undefined;

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
              const grows = g.trend.length > 2 && g.trend.every((n, k) => k === 0 || n > g.trend[k - 1]!);
              return {
                key: g.key,
                selected: g.key === group,
                className: grows ? 'bad' : undefined,
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
            const { run, l, owner } = rows[i]!;
            const r = store.run(run)!;
            const now = l.removedT ?? r.analysis.model.now;
            return {
              key: `${run}:${l.id}`,
              selected: selected === rows[i],
              className: l.removedSeq !== undefined ? 'dim' : owner.startsWith('closed') || owner.startsWith('gone') ? 'bad' : undefined,
              onSelect: () => select({ run, kind: 'listener', id: l.id }),
              cells: [l.id, `${l.emitterName} · ${l.event}`, owner, l.removedSeq !== undefined ? `removed (${l.how})` : l.once ? 'attached (once)' : 'attached', formatDuration(now - l.addedT), l.stack?.[0] ?? (l.preexisting ? 'pre-existing (before watching)' : '—')],
            };
          }}
        />
      </div>
      {selected && (
        <aside className="side pad" aria-label="Listener details">
          <div className="section-title" style={{ marginTop: 0 }}>
            Listener {selected.l.id}
          </div>
          <dl className="kv">
            <dt>emitter</dt>
            <dd>
              {selected.l.emitterName} ({selected.l.emitter}) “{selected.l.event}”
            </dd>
            <dt>owner</dt>
            <dd>
              {selected.l.owner ? (
                <button type="button" className="linklike" onClick={() => select({ run: selected.run, kind: 'connection', id: selected.l.owner! })}>
                  {selected.owner}
                </button>
              ) : (
                selected.owner
              )}
            </dd>
            <dt>added</dt>
            <dd>#{selected.l.addedSeq}</dd>
            {selected.l.removedSeq !== undefined && (
              <>
                <dt>removed</dt>
                <dd>
                  #{selected.l.removedSeq} ({selected.l.how})
                </dd>
              </>
            )}
          </dl>
          <div className="section-title">Creation stack</div>
          <pre className="stack">{selected.l.stack?.join('\n') ?? 'No stack (stacks disabled, or attached before watching).'}</pre>
        </aside>
      )}
    </div>
  );
}

function listenerGroups(store: UiStore): Group[] {
  const groups = new Map<string, Group>();
  for (const r of store.target.runs) {
    const run = r.index + 1;
    const m = r.analysis.model;
    for (const l of m.listeners) {
      const key = `${run}:${l.emitter}:${l.event}`;
      let g = groups.get(key);
      if (!g) {
        const trend = m.sessions.map((s) => s.counts.listeners[l.emitterName] ?? 0);
        g = { key, run, emitter: l.emitter, emitterName: l.emitterName, event: l.event, live: 0, added: 0, removed: 0, trend };
        groups.set(key, g);
      }
      g.added++;
      if (l.removedSeq === undefined) g.live++;
      else g.removed++;
    }
  }
  return [...groups.values()].sort((a, b) => b.live - a.live);
}

function listenerRows(store: UiStore, window: { from: number; to: number } | null, group: string | null): Row[] {
  const rows: Row[] = [];
  for (const r of store.target.runs) {
    const run = r.index + 1;
    const m = r.analysis.model;
    const conns = new Map(m.connections.map((c) => [c.id, c]));
    for (const l of m.listeners) {
      if (group && group !== `${run}:${l.emitter}:${l.event}`) continue;
      const removed = l.removedT !== undefined ? absoluteTime(r.startedAt, l.removedT) : r.endedAt;
      if (!spanOverlaps(absoluteTime(r.startedAt, l.addedT), removed, window)) continue;
      let owner = 'none';
      if (l.owner) {
        const c = conns.get(l.owner);
        if (!c) owner = `${l.owner} (unknown)`;
        else if (c.closedT !== undefined) owner = `closed ${l.owner}, ${formatDuration(m.now - c.closedT)} ago`;
        else if (r.endedAt !== undefined) owner = `gone ${l.owner} (restart)`;
        else owner = `alive ${l.owner}`;
      }
      rows.push({ run, l, owner });
    }
  }
  return rows;
}
