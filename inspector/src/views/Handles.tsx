import { useMemo } from 'react';
import type { HandleModel } from '../../../shared/analysis/types.js';
import { VirtualTable, type Column } from '../components/VirtualTable.js';
import { formatDuration } from '../model/format.js';
import { absoluteTime, spanOverlaps } from '../model/time-window.js';
import { useUi } from '../ui-context.js';
import type { UiStore } from '../data/ui-store.js';

const GROUP_COLUMNS: Column[] = [
  { key: 'table', label: 'table / type', width: 'minmax(120px, 1fr)' },
  { key: 'live', label: 'live', width: '60px', numeric: true },
  { key: 'dropped', label: 'dropped', width: '70px', numeric: true },
  { key: 'stale', label: 'stale accesses', width: '100px', numeric: true },
  { key: 'misuse', label: 'double drops', width: '100px', numeric: true },
];

const HANDLE_COLUMNS: Column[] = [
  { key: 'id', label: 'id', width: 'minmax(90px, 1fr)' },
  { key: 'type', label: 'type', width: '80px' },
  { key: 'owner', label: 'owner', width: '80px' },
  { key: 'parent', label: 'parent', width: '90px' },
  { key: 'state', label: 'state', width: '70px' },
  { key: 'age', label: 'age', width: '64px', numeric: true },
  { key: 'accesses', label: 'accesses', width: '70px', numeric: true },
  { key: 'misuse', label: 'misuse', width: 'minmax(160px, 1.5fr)' },
];

interface Row {
  run: number;
  h: HandleModel;
  misuse: string;
  doubleDrop: boolean;
}

/** Handles by table and type; stale (use-after-drop) and double-drop accesses highlighted. */
export function Handles() {
  const { store, window, selection, select } = useUi();
  const version = store.version;
  const rows = useMemo(() => handleRows(store, window), [version, window]); // eslint-disable-line react-hooks/exhaustive-deps
  const groups = useMemo(() => {
    const map = new Map<string, { key: string; live: number; dropped: number; stale: number; doubles: number }>();
    for (const { h, doubleDrop } of rows) {
      const key = `${h.table}/${h.type}`;
      const g = map.get(key) ?? { key, live: 0, dropped: 0, stale: 0, doubles: 0 };
      if (h.state === 'live') g.live++;
      else g.dropped++;
      g.stale += h.staleAccesses.length;
      if (doubleDrop) g.doubles++;
      map.set(key, g);
    }
    return [...map.values()];
  }, [rows]);

  return (
    <div className="split">
      <div className="main">
        <div style={{ height: Math.min(160, 40 + groups.length * 20), display: 'flex', flex: 'none', borderBottom: '1px solid var(--border)' }}>
          <VirtualTable
            label="Handle tables"
            columns={GROUP_COLUMNS}
            count={groups.length}
            empty="No handles. Use agent.handleTable(name) or agent.mirrorHandles(name) in the backend."
            row={(i) => {
              const g = groups[i]!;
              return { key: g.key, className: g.stale || g.doubles ? 'bad' : undefined, cells: [g.key, g.live, g.dropped, g.stale, g.doubles] };
            }}
          />
        </div>
        <VirtualTable
          label="Handles"
          columns={HANDLE_COLUMNS}
          count={rows.length}
          empty="No handles in this window."
          row={(i) => {
            const { run, h, misuse } = rows[i]!;
            const m = store.run(run)!.analysis.model;
            return {
              key: `${run}:${h.id}`,
              selected: selection?.kind === 'handle' && selection.run === run && selection.id === h.id,
              className: misuse ? 'bad' : h.state === 'dropped' ? 'dim' : undefined,
              onSelect: () => select({ run, kind: 'handle', id: h.id }),
              cells: [h.id, h.type, h.owner ?? '—', h.parent ?? '—', h.state, formatDuration((h.droppedT ?? m.now) - h.storedT), h.accesses, misuse || ''],
            };
          }}
        />
      </div>
    </div>
  );
}

function handleRows(store: UiStore, window: { from: number; to: number } | null): Row[] {
  const rows: Row[] = [];
  for (const r of store.target.runs) {
    const m = r.analysis.model;
    const doubleDrops = new Set(m.findings.filter((f) => f.rule === 'double-drop').flatMap((f) => f.subjects));
    for (const h of m.handles) {
      const dropped = h.droppedT !== undefined ? absoluteTime(r.startedAt, h.droppedT) : r.endedAt;
      if (!spanOverlaps(absoluteTime(r.startedAt, h.storedT), dropped, window)) continue;
      const problems: string[] = [];
      const doubleDrop = doubleDrops.has(h.id);
      if (doubleDrop) problems.push('double drop');
      if (h.staleAccesses.length) problems.push(`used after drop ×${h.staleAccesses.length} (#${h.staleAccesses.slice(0, 3).join(', #')})`);
      rows.push({ run: r.index + 1, h, misuse: problems.join('; '), doubleDrop });
    }
  }
  return rows;
}
