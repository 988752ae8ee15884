import { DataGrid, type GridColumn } from '../components/DataGrid.js';
import { DetailHeader } from '../components/DetailHeader.js';
import { EntityTable } from '../components/EntityTable.js';
import { EventLink, OwnerLink } from '../components/Links.js';
import { formatDuration } from '../model/format.js';
import { handleGroups, handleJson, handleRows, type HandleGroup, type HandleRow } from '../model/handle-rows.js';
import type { TimeWindow } from '../model/time-window.js';
import { useDerived } from '../hooks/use-store.js';
import type { UiStore } from '../data/ui-store.js';
import { useUi } from '../ui-context.js';

const GROUP_COLUMNS: GridColumn<HandleGroup>[] = [
  { key: 'table', label: 'table / type', text: (g) => g.key },
  { key: 'live', label: 'live', numeric: true, text: (g) => String(g.live), sortValue: (g) => g.live },
  { key: 'dropped', label: 'dropped', numeric: true, text: (g) => String(g.dropped), sortValue: (g) => g.dropped },
  { key: 'stale', label: 'stale accesses', numeric: true, text: (g) => String(g.stale), sortValue: (g) => g.stale },
  { key: 'misuse', label: 'double drops', numeric: true, text: (g) => String(g.doubleDrops), sortValue: (g) => g.doubleDrops },
];

const HANDLE_COLUMNS: GridColumn<HandleRow>[] = [
  { key: 'id', label: 'id', text: (r) => r.label },
  { key: 'type', label: 'type', text: (r) => r.type },
  { key: 'owner', label: 'owner', text: (r) => r.owner.text },
  { key: 'parent', label: 'parent', text: (r) => r.parent },
  { key: 'state', label: 'state', text: (r) => r.state },
  { key: 'age', label: 'age', numeric: true, text: (r) => formatDuration(r.age), sortValue: (r) => r.age },
  { key: 'accesses', label: 'accesses', numeric: true, text: (r) => String(r.accesses), sortValue: (r) => r.accesses },
  { key: 'misuse', label: 'misuse', text: (r) => r.misuse, maxWidth: 480, grow: true },
];

/** Handles by table and type; stale (use-after-drop) and double-drop accesses highlighted. */
export function Handles() {
  const { store, window, selection, select, show } = useUi();
  const { rows, groups } = useDerived(store, handlesView, { store, window });
  const selected = selection?.kind === 'handle' ? rows.find((r) => r.run === selection.run && r.id === selection.id) : undefined;

  return (
    <div className="split">
      <div className="main">
        <div className="group-grid" style={{ height: Math.min(160, 30 + Math.max(1, groups.length) * 22) }}>
          <DataGrid
            label="Handle tables"
            columns={GROUP_COLUMNS}
            count={groups.length}
            rowAt={(i) => groups[i]!}
            rowKey={(g) => g.key}
            rowClass={(g) => (g.stale || g.doubleDrops ? 'bad' : undefined)}
            sizingRows={groups}
            empty="No handles. Use agent.handleTable(name) or agent.mirrorHandles(name) in the backend."
          />
        </div>
        <EntityTable
          label="Handles"
          noun="handles"
          kind="handle"
          rows={rows}
          columns={HANDLE_COLUMNS}
          rowClass={(r) => (r.misuse ? 'bad' : r.state === 'dropped' ? 'dim' : undefined)}
          toJson={handleJson}
          empty="No handles in this window."
        />
      </div>
      {selected && (
        <aside className="side pad" aria-label="Handle details">
          <DetailHeader title={`Handle ${selected.id}`} json={handleJson(selected)} onClose={() => select(null)} />
          <dl className="kv">
            <dt>table / type</dt>
            <dd>{selected.group}</dd>
            <dt>state</dt>
            <dd className={selected.misuse ? 'err' : undefined}>
              {selected.state}
              {selected.misuse ? ` · ${selected.misuse}` : ''}
            </dd>
            <dt>owner</dt>
            <dd>
              <OwnerLink run={selected.run} owner={selected.owner} />
            </dd>
            {selected.handle.parent && (
              <>
                <dt>parent</dt>
                <dd>
                  <button type="button" className="linklike" onClick={() => show({ run: selected.run, kind: 'handle', id: selected.handle.parent! })}>
                    {selected.handle.parent}
                  </button>
                </dd>
              </>
            )}
            <dt>stored</dt>
            <dd>
              <EventLink run={selected.run} seq={selected.handle.storedSeq} />
            </dd>
            {selected.handle.droppedSeq !== undefined && (
              <>
                <dt>dropped</dt>
                <dd>
                  <EventLink run={selected.run} seq={selected.handle.droppedSeq} />
                </dd>
              </>
            )}
          </dl>
          {selected.handle.stack && selected.handle.stack.length > 0 && (
            <>
              <h3 className="section-title">Stored at</h3>
              <pre className="stack" tabIndex={0}>
                {selected.handle.stack.join('\n')}
              </pre>
            </>
          )}
        </aside>
      )}
    </div>
  );
}

function handlesView({ store, window }: { store: UiStore; window: TimeWindow | null }) {
  const rows = handleRows(store.runs(), window);
  return { rows, groups: handleGroups(rows) };
}
