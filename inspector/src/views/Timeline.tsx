import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import { formatClock, formatDuration } from '../model/format.js';
import { runNow } from '../model/runs.js';
import { buildLanes, panViewport, timeToX, zoomViewport, type Lane, type TickKind, type Viewport } from '../model/timeline.js';
import { timeTicks } from '../model/time-ticks.js';
import { makeWindow, type TimeWindow } from '../model/time-window.js';
import { virtualWindow } from '../model/virtual-window.js';
import { useDerived } from '../hooks/use-store.js';
import type { UiStore } from '../data/ui-store.js';
import { useUi } from '../ui-context.js';
import { ConnectionDetail } from './ConnectionDetail.js';

const LANE_H = 22;
const LABEL_W = 170;
const TICK_COLORS: Record<TickKind, string> = {
  'listener-add': 'var(--listener)',
  'listener-remove': '#7d5f91',
  'handle-store': 'var(--handle)',
  'handle-drop': '#2b7f76',
  action: 'var(--action)',
};

/**
 * One lane per connection: open → close, half-open and closing shaded,
 * owned listener/handle ticks. Zooming and panning set the one time window
 * every view follows; Fit goes back to all time.
 */
export function Timeline() {
  const { store, window, setWindow, selection, select } = useUi();
  const { lanes, extent, restarts, gaps, runCount } = useDerived(store, timelineView, { store, window });
  const view: Viewport = window ? { from: window.from, to: Number.isFinite(window.to) ? window.to : extent.to } : extent;
  const scroller = useRef<HTMLDivElement>(null);
  const [size, setSize] = useState({ width: 800, height: 400 });
  const [scrollTop, setScrollTop] = useState(0);
  const [active, setActive] = useState(0);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setSize({ width: el.clientWidth, height: el.clientHeight }));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const plotW = Math.max(100, size.width - LABEL_W - 8);
  const x = (at: number) => LABEL_W + timeToX(at, view, plotW);
  const win = virtualWindow({ count: lanes.length, rowHeight: LANE_H, viewportHeight: size.height, scrollTop, overscan: 4 });
  const setView = (v: Viewport) => setWindow(makeWindow(v.from, v.to));

  // Ctrl/Alt+wheel zooms at the pointer, Shift+wheel pans; a plain wheel scrolls the lanes.
  // A native listener: React's wheel listeners are passive and cannot keep the page from zooming.
  const wheel = useRef<(e: WheelEvent) => void>(() => {});
  useEffect(() => {
    wheel.current = (e: WheelEvent) => {
      const el = scroller.current;
      if (!el) return;
      if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
        e.preventDefault();
        setView(panViewport(view, (e.deltaX || e.deltaY) / 1000));
      } else if (e.ctrlKey || e.altKey) {
        e.preventDefault();
        const anchor = view.from + ((e.clientX - el.getBoundingClientRect().left - LABEL_W) / plotW) * (view.to - view.from);
        setView(zoomViewport(view, e.deltaY > 0 ? 1.25 : 0.8, anchor));
      }
    };
  });
  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const onWheel = (e: WheelEvent) => wheel.current(e);
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, []);

  // Arrow keys move between lanes (one tab stop for the list); the lane in focus stays drawn.
  const focusLane = useRef<number | null>(null);
  useLayoutEffect(() => {
    if (focusLane.current === null) return;
    scroller.current?.querySelector<HTMLButtonElement>(`[data-lane="${focusLane.current}"]`)?.focus();
    focusLane.current = null;
  });
  const onLaneKey = (e: KeyboardEvent, index: number) => {
    const moves: Record<string, number> = { ArrowDown: index + 1, ArrowUp: index - 1, Home: 0, End: lanes.length - 1, PageDown: index + 10, PageUp: index - 10 };
    const next = moves[e.key];
    if (next === undefined || !lanes.length) return;
    e.preventDefault();
    const target = Math.max(0, Math.min(lanes.length - 1, next));
    const el = scroller.current!;
    if (target * LANE_H < el.scrollTop) el.scrollTop = target * LANE_H;
    else if ((target + 1) * LANE_H > el.scrollTop + el.clientHeight) el.scrollTop = (target + 1) * LANE_H - el.clientHeight;
    setScrollTop(el.scrollTop);
    setActive(target);
    focusLane.current = target;
  };

  const center = (view.from + view.to) / 2;
  const visible: Lane[] = lanes.slice(win.start, win.end);
  const tabStop = Math.min(active, Math.max(0, lanes.length - 1));
  return (
    <div className="split">
      <div className="main timeline">
        <div className="filters" role="toolbar" aria-label="Timeline zoom">
          <button type="button" className="btn small" onClick={() => setView(zoomViewport(view, 0.5, center))}>
            Zoom in
          </button>
          <button type="button" className="btn small" onClick={() => setView(zoomViewport(view, 2, center))}>
            Zoom out
          </button>
          <button type="button" className="btn small" aria-label="Pan earlier" onClick={() => setView(panViewport(view, -0.25))}>
            ◀
          </button>
          <button type="button" className="btn small" aria-label="Pan later" onClick={() => setView(panViewport(view, 0.25))}>
            ▶
          </button>
          <button type="button" className="btn small" onClick={() => setWindow(null)} disabled={!window} title="All time">
            Fit
          </button>
          <span className="muted">
            {lanes.length} connection{lanes.length === 1 ? '' : 's'} · {formatClock(view.from)} – {formatClock(view.to)} ({formatDuration(view.to - view.from)}) ·
            Ctrl+wheel zooms, Shift+wheel pans
          </span>
          <span className="spacer" />
          <Legend />
        </div>
        <Axis view={view} width={plotW} restarts={restarts} />
        <div className="lanes" ref={scroller} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}>
          {lanes.length === 0 ? (
            <p className="vempty">No connections in this window.</p>
          ) : (
            <ul aria-label="Connection lanes" className="lane-list" style={{ height: win.totalHeight }}>
              {visible.map((lane, i) => {
                const index = win.start + i;
                const end = lane.closedAt ?? view.to;
                const selected = selection?.kind === 'connection' && selection.run === lane.run && selection.id === lane.conn;
                const x0 = Math.max(LABEL_W, x(lane.openedAt));
                const x1 = Math.min(LABEL_W + plotW, x(end));
                const name = `${runCount > 1 ? `#${lane.run} ` : ''}${lane.conn}`;
                return (
                  <li key={lane.key} className={`lane${selected ? ' selected' : ''}`} style={{ top: win.offsetTop + i * LANE_H, height: LANE_H }}>
                    <button
                      type="button"
                      className="lane-label"
                      data-lane={index}
                      tabIndex={index === tabStop ? 0 : -1}
                      aria-pressed={selected}
                      aria-label={`${name} ${lane.state}, opened ${formatClock(lane.openedAt)}${lane.closedAt !== undefined ? `, ended ${formatClock(lane.closedAt)}` : ''}`}
                      onClick={() => {
                        setActive(index);
                        select(selected ? null : { run: lane.run, kind: 'connection', id: lane.conn });
                      }}
                      onKeyDown={(e) => onLaneKey(e, index)}
                    >
                      {name} <span className="muted">{lane.label.slice(0, 14)}</span>
                    </button>
                    <svg width={size.width} height={LANE_H} aria-hidden="true" onClick={() => select({ run: lane.run, kind: 'connection', id: lane.conn })}>
                      {x1 > x0 && <rect x={x0} y={5} width={Math.max(1, x1 - x0)} height={LANE_H - 10} rx={2} fill={lane.closedAt ? '#2e5580' : 'var(--conn)'} opacity={0.85} />}
                      {lane.halfOpenAt !== undefined && <Phase from={x(lane.halfOpenAt)} to={x1} color="var(--warning)" />}
                      {lane.closingAt !== undefined && <Phase from={x(lane.closingAt)} to={x1} color="#e58c3d" />}
                      {lane.ticks.map((t, k) => {
                        const tx = x(t.at);
                        if (tx < LABEL_W || tx > LABEL_W + plotW) return null;
                        const up = t.kind === 'listener-add' || t.kind === 'handle-store' || t.kind === 'action';
                        return <line key={k} x1={tx} x2={tx} y1={up ? 2 : LANE_H / 2} y2={up ? LANE_H / 2 : LANE_H - 2} stroke={TICK_COLORS[t.kind]} strokeWidth={1.5} />;
                      })}
                      {restarts.map((at) => (
                        <line key={`r${at}`} x1={x(at)} x2={x(at)} y1={0} y2={LANE_H} stroke="var(--restart)" strokeWidth={1.5} />
                      ))}
                      {gaps.map((at, k) => (
                        <line key={`g${k}`} x1={x(at)} x2={x(at)} y1={0} y2={LANE_H} stroke="#888" strokeDasharray="2 3" />
                      ))}
                    </svg>
                  </li>
                );
              })}
            </ul>
          )}
        </div>
      </div>
      {selection?.kind === 'connection' && (
        <aside className="side" aria-label="Connection details">
          <ConnectionDetail run={selection.run} id={selection.id} />
        </aside>
      )}
    </div>
  );
}

function Phase({ from, to, color }: { from: number; to: number; color: string }) {
  const x0 = Math.max(LABEL_W, from);
  if (to <= x0) return null;
  return <rect x={x0} y={5} width={to - x0} height={LANE_H - 10} fill={color} opacity={0.55} />;
}

function Axis({ view, width, restarts }: { view: Viewport; width: number; restarts: number[] }) {
  const { ticks, format } = timeTicks(view.from, view.to, Math.max(2, Math.floor(width / 110)));
  return (
    <svg width="100%" height={20} className="timeline-axis" aria-hidden="true">
      {ticks.map((at) => {
        const x = LABEL_W + timeToX(at, view, width);
        // A label that would run off the right edge is left out.
        if (x > LABEL_W + width - 60) return null;
        return (
          <g key={at}>
            <line x1={x} x2={x} y1={14} y2={20} stroke="#555" />
            <text x={x + 2} y={11}>
              {format(at)}
            </text>
          </g>
        );
      })}
      {restarts.map((at) => {
        const x = LABEL_W + timeToX(at, view, width);
        return (
          <text key={at} x={x + 2} y={19} style={{ fill: 'var(--restart)' }}>
            restart
          </text>
        );
      })}
    </svg>
  );
}

function Legend() {
  return (
    <ul className="legend" aria-label="Legend">
      <li style={{ color: 'var(--conn)' }}>■ open</li>
      <li style={{ color: 'var(--warning)' }}>■ half-open</li>
      <li style={{ color: '#e58c3d' }}>■ closing</li>
      <li style={{ color: 'var(--listener)' }}>| listener</li>
      <li style={{ color: 'var(--handle)' }}>| handle</li>
      <li style={{ color: 'var(--action)' }}>| action</li>
      <li style={{ color: 'var(--restart)' }}>| restart</li>
    </ul>
  );
}

function timelineView({ store, window }: { store: UiStore; window: TimeWindow | null }) {
  const runs = store.runs();
  return {
    lanes: buildLanes(runs, window),
    extent: dataExtent(runs),
    restarts: runs.filter((r) => r.run > 1).map((r) => r.startedAt),
    gaps: runs.flatMap((r) => r.model.gaps.map((g) => r.startedAt + g.t)),
    runCount: runs.length,
  };
}

/** All time on the timeline: the first connection's open to now, padded a little. */
function dataExtent(runs: ReturnType<UiStore['runs']>): Viewport {
  if (!runs.length) return { from: 0, to: 1 };
  const first = runs[0]!;
  const from = first.startedAt + (first.model.connections[0]?.openedT ?? 0);
  const to = runNow(runs[runs.length - 1]!);
  const pad = Math.max(1, (to - from) * 0.02);
  return { from: from - pad, to: to + pad };
}
