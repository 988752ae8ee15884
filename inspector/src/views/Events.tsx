import { useEffect, useMemo, useState } from 'react';
import { VirtualTable, type Column } from '../components/VirtualTable.js';
import { FilteredIndex } from '../data/filtered-index.js';
import { eventMatcher, isEmptyFilter, type EventFilter } from '../model/event-filter.js';
import { describeEvent, eventCategory, eventConnection } from '../model/event-text.js';
import { formatClock, formatCount } from '../model/format.js';
import { sortedRange } from '../model/time-window.js';
import { useSourceValue } from '../hooks/use-store.js';
import { useUi } from '../ui-context.js';

const COLUMNS: Column[] = [
  { key: 'seq', label: 'seq', width: '72px', numeric: true },
  { key: 'time', label: 'time', width: '96px' },
  { key: 'type', label: 'type', width: '170px' },
  { key: 'conn', label: 'conn', width: '70px' },
  { key: 'text', label: 'event', width: '1fr' },
];

const CATEGORIES = ['conn', 'listener', 'handle', 'action', 'emitter', 'server', 'mark', 'finding'];

/** The raw log: virtualised (a million rows stay smooth), filterable, pausable, following the tail. */
export function Events() {
  const { store, window, selection, select } = useUi();
  const { log } = store;
  // Re-rendered as events arrive (at most once per frame).
  const length = useSourceValue(store, (s) => s.log.length);
  const runCount = useSourceValue(store, (s) => s.target.runs.length);
  const [filter, setFilter] = useState<EventFilter>({});
  const [paused, setPaused] = useState<number | null>(null);
  // A jump from another view (a finding's evidence) opens here: not following the tail then.
  const [follow, setFollow] = useState(() => !(selection?.kind === 'event' && selection.reveal));
  const [, setScanTick] = useState(0);

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
  const scrollTo = selected >= 0 && selection?.reveal ? index.positionOf(selected) - first : null;
  const detail = selected >= 0 ? log.at(selected) : null;
  return (
    <div className="split">
      <div className="main">
        <div className="filters" role="toolbar" aria-label="Event filters">
          <select
            aria-label="Event type"
            value={filter.types?.[0] ?? ''}
            onChange={(e) => setFilter({ ...filter, types: e.target.value ? [e.target.value] : [] })}
          >
            <option value="">all types</option>
            {CATEGORIES.map((c) => (
              <option key={c} value={c}>
                {c}.*
              </option>
            ))}
          </select>
          <input type="search" aria-label="Connection" placeholder="connection (c3)" size={12} value={filter.conn ?? ''} onChange={(e) => setFilter({ ...filter, conn: e.target.value })} />
          <input type="search" aria-label="Search events" placeholder="text" size={24} value={filter.text ?? ''} onChange={(e) => setFilter({ ...filter, text: e.target.value })} />
          <button type="button" className={`btn small${paused !== null ? ' active' : ''}`} onClick={() => setPaused(paused === null ? length : null)}>
            {paused === null ? 'Pause' : `Resume (+${formatCount(length - paused)})`}
          </button>
          <label>
            <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> follow tail
          </label>
          <span className="muted" role="status" aria-label="Event count">
            {formatCount(count)} of {formatCount(length)} events{complete ? '' : ' (filtering…)'}
          </span>
        </div>
        <VirtualTable
          label="Events"
          columns={COLUMNS}
          count={count}
          followTail={follow && paused === null}
          onTailChange={(atTail) => {
            if (!atTail && follow) setFollow(false);
          }}
          scrollToIndex={scrollTo}
          empty="No events match."
          row={(i) => {
            const at = index.at(first + i);
            const e = log.at(at);
            return {
              key: String(at),
              selected: at === selected,
              onSelect: () => select({ run: log.runAt(at), kind: 'event', id: String(e.seq) }),
              cells: [
                runCount > 1 ? `${log.runAt(at)}·${e.seq}` : e.seq,
                formatClock(log.timeAt(at)),
                <span key="type" className={`cat-${eventCategory(e.type)}`}>{e.type}</span>,
                eventConnection(e) ?? '',
                describeEvent(e),
              ],
            };
          }}
        />
      </div>
      {detail && (
        <aside className="side pad" aria-label="Event details">
          <div className="section-title" style={{ marginTop: 0 }}>
            Event #{detail.seq} · {detail.type}
            <button type="button" className="btn small" style={{ float: 'right' }} onClick={() => select(null)} aria-label="Close event details">
              ×
            </button>
          </div>
          <p>{describeEvent(detail)}</p>
          <pre className="stack" style={{ whiteSpace: 'pre-wrap' }}>
            {JSON.stringify(detail, null, 2)}
          </pre>
        </aside>
      )}
    </div>
  );
}
