import { useEffect, useMemo, useState } from 'react';
import { DataGrid, type GridColumn } from '../components/DataGrid.js';
import { DetailHeader } from '../components/DetailHeader.js';
import { TableToolbar } from '../components/TableToolbar.js';
import { FilteredIndex } from '../data/filtered-index.js';
import type { ChunkedLog } from '../data/chunked-log.js';
import type { AgentEvent } from '../../../shared/protocol.js';
import { eventMatcher, isEmptyFilter, type EventFilter } from '../model/event-filter.js';
import { describeEvent, eventCategory, eventConnection } from '../model/event-text.js';
import { formatClock, formatCount } from '../model/format.js';
import { sortedRange } from '../model/time-window.js';
import { useCopyRows } from '../hooks/use-copy.js';
import { useSourceValue } from '../hooks/use-store.js';
import { useUi } from '../ui-context.js';

const CATEGORIES = ['conn', 'listener', 'handle', 'action', 'emitter', 'server', 'mark', 'finding'];

/** The raw log: virtualised (a million rows stay smooth), filterable, pausable, following the tail. */
export function Events() {
  const { store, window, selection, select, clear } = useUi();
  const { log } = store;
  // Re-rendered as events arrive (at most once per frame).
  const length = useSourceValue(store, (s) => s.log.length);
  const runCount = useSourceValue(store, (s) => s.target.runs.length);
  const [filter, setFilter] = useState<EventFilter>({});
  const [paused, setPaused] = useState<number | null>(null);
  // A jump from another view (a finding's evidence) opens here: not following the tail then.
  const [follow, setFollow] = useState(() => !(selection?.kind === 'event' && selection.reveal));
  const [marked, setMarked] = useState<ReadonlySet<string>>(() => new Set());
  const [, setScanTick] = useState(0);
  const copier = useCopyRows();
  const columns = useMemo(() => eventColumns(runCount), [runCount]);

  const index = useMemo(() => new FilteredIndex(log, isEmptyFilter(filter) ? null : eventMatcher(filter)), [log, filter]);
  // Scan what arrived; a big rescan continues over the next frames.
  const complete = index.extend();
  useEffect(() => {
    if (complete) return;
    const frame = requestAnimationFrame(() => setScanTick((n) => n + 1));
    return () => cancelAnimationFrame(frame);
  });

  const limit = paused ?? length;
  const [lo, hi] = sortedRange(limit, (i) => log.timeAt(i), window);
  const first = index.positionOf(lo);
  const last = index.positionOf(hi);
  const count = Math.max(0, Math.min(last, index.length) - first);

  const selected = selection?.kind === 'event' ? log.indexOf(selection.run, Number(selection.id)) : -1;
  // Scrolled to once when another view asked for it.
  const revealAt = selected >= 0 && selection?.reveal ? index.positionOf(selected) - first : -1;
  const detail = selected >= 0 ? log.at(selected) : null;
  const chosen = marked.size > 0 ? [...marked].map(Number).sort((a, b) => a - b) : selected >= 0 ? [selected] : [];
  const copy = () => copier.copy(chosen.map((at) => eventJson(log, at)));

  return (
    <div className="split">
      <div className="main">
        <TableToolbar
          noun="events"
          filter={filter.text ?? ''}
          onFilter={(text) => setFilter({ ...filter, text })}
          shown={count}
          total={length}
          copyCount={chosen.length}
          onCopy={copy}
          note={[complete ? '' : 'filtering…', copier.note].filter(Boolean).join(' · ')}
          onClear={clear}
        >
          <select aria-label="Event type" value={filter.types?.[0] ?? ''} onChange={(e) => setFilter({ ...filter, types: e.target.value ? [e.target.value] : [] })}>
            <option value="">all types</option>
            {CATEGORIES.map((c) => (
              <option key={c} value={c}>
                {c}.*
              </option>
            ))}
          </select>
          <input type="search" aria-label="Connection" placeholder="connection (c3)" size={12} value={filter.conn ?? ''} onChange={(e) => setFilter({ ...filter, conn: e.target.value })} />
          <button type="button" className={`btn small${paused !== null ? ' active' : ''}`} aria-pressed={paused !== null} onClick={() => setPaused(paused === null ? length : null)}>
            {paused === null ? 'Pause' : `Resume (+${formatCount(length - paused)})`}
          </button>
          <label>
            <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> follow tail
          </label>
        </TableToolbar>
        <DataGrid
          label="Events"
          columns={columns}
          count={count}
          rowAt={(i) => eventRow(log, index.at(first + i))}
          rowKey={(r) => String(r.at)}
          rowHeight={20}
          followTail={follow && paused === null}
          onTailChange={(atTail) => {
            if (!atTail && follow) setFollow(false);
          }}
          selectedKey={selected >= 0 ? String(selected) : null}
          reveal={revealAt >= 0 ? { key: String(selected), index: revealAt } : null}
          onSelect={(r) => select({ run: r.run, kind: 'event', id: String(r.event.seq) })}
          marked={marked}
          onMark={setMarked}
          onCopy={copy}
          onEscape={() => select(null)}
          empty={length === 0 ? 'No events yet.' : 'No events match.'}
        />
      </div>
      {detail && (
        <aside className="side pad" aria-label="Event details">
          <DetailHeader title={`Event #${detail.seq} · ${detail.type}`} json={eventJson(log, selected)} onClose={() => select(null)} />
          <p>{describeEvent(detail)}</p>
          <pre className="stack wrap" tabIndex={0}>
            {JSON.stringify(detail, null, 2)}
          </pre>
        </aside>
      )}
    </div>
  );
}

/** One log row, its event parsed once per render (a recording's rows are kept as text). */
interface EventRow {
  at: number;
  run: number;
  time: number;
  event: AgentEvent;
}

function eventRow(log: ChunkedLog, at: number): EventRow {
  return { at, run: log.runAt(at), time: log.timeAt(at), event: log.at(at) };
}

/** Fixed widths: sizing a million rows to content is not worth it. */
function eventColumns(runCount: number): GridColumn<EventRow>[] {
  return [
    { key: 'seq', label: 'seq', numeric: true, minWidth: 72, unsortable: true, text: (r) => (runCount > 1 ? `${r.run}·${r.event.seq}` : String(r.event.seq)) },
    { key: 'time', label: 'time', minWidth: 96, unsortable: true, text: (r) => formatClock(r.time) },
    {
      key: 'type',
      label: 'type',
      minWidth: 170,
      unsortable: true,
      text: (r) => r.event.type,
      render: (r) => <span className={`cat-${eventCategory(r.event.type)}`}>{r.event.type}</span>,
    },
    { key: 'conn', label: 'conn', minWidth: 70, unsortable: true, text: (r) => eventConnection(r.event) ?? '' },
    { key: 'text', label: 'event', minWidth: 300, unsortable: true, grow: true, text: (r) => describeEvent(r.event) },
  ];
}

function eventJson(log: ChunkedLog, at: number): Record<string, unknown> {
  return { run: log.runAt(at), at: new Date(log.timeAt(at)).toISOString(), ...log.at(at) };
}
