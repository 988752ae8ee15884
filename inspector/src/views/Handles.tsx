import { VirtualTable, type Column } from '../components/VirtualTable.js';
import { formatDuration } from '../model/format.js';
import { handleGroups, handleRows } from '../model/handle-rows.js';
import type { TimeWindow } from '../model/time-window.js';
import { useDerived } from '../hooks/use-store.js';
import type { UiStore } from '../data/ui-store.js';
import { useUi } from '../ui-context.js';

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

/** Handles by table and type; stale (use-after-drop) and double-drop accesses highlighted. */
export function Handles() {
  const { store, window, selection, select } = useUi();
  const { rows, groups } = useDerived(store, handlesView, { store, window });

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
              return { key: g.key, className: g.stale || g.doubleDrops ? 'bad' : undefined, cells: [g.key, g.live, g.dropped, g.stale, g.doubleDrops] };
            }}
          />
        </div>
        <VirtualTable
          label="Handles"
          columns={HANDLE_COLUMNS}
          count={rows.length}
          empty="No handles in this window."
          row={(i) => {
            const row = rows[i]!;
            return {
              key: row.key,
              selected: selection?.kind === 'handle' && selection.run === row.run && selection.id === row.id,
              className: row.misuse ? 'bad' : row.state === 'dropped' ? 'dim' : undefined,
              onSelect: () => select({ run: row.run, kind: 'handle', id: row.id }),
              cells: [row.label, row.type, row.owner.id ?? '—', row.parent, row.state, formatDuration(row.age), row.accesses, row.misuse],
            };
          }}
        />
      </div>
    </div>
  );
}

function handlesView({ store, window }: { store: UiStore; window: TimeWindow | null }) {
  const rows = handleRows(store.runs(), window);
  return { rows, groups: handleGroups(rows) };
}
