import { chartData } from '../model/chart-series.js';
import { sessionTable } from '../model/session-rows.js';
import { absoluteTime, type TimeWindow } from '../model/time-window.js';
import { useDerived, useThrottledSource } from '../hooks/use-store.js';
import type { UiStore } from '../data/ui-store.js';
import { useUi } from '../ui-context.js';
import { SessionTable } from './SessionTable.js';
import { FindingsSummary } from './FindingsSummary.js';
import { OverviewCharts, type Marker } from './OverviewCharts.js';

/** Most often the charts redraw while events stream in. */
const CHART_REDRAW_MS = 500;

/** Most reference lines drawn per chart: beyond this they are noise. */
const MAX_MARKERS = 150;

/** Counts over time, the per-session table and the open findings: the leak at a glance. */
export function Overview() {
  const { store, window, setWindow } = useUi();
  // Charts are the costly part to redraw: during a flood they follow at most twice a second.
  const calm = useThrottledSource(store, CHART_REDRAW_MS);
  const { data, markers } = useDerived(calm, chartsView, { store });
  const { sessions, counts, events, gaps } = useDerived(store, countsView, { store, window });

  return (
    <div className="scroll pad" style={{ flex: 1 }}>
      <div className="grid-2" role="group" aria-label="Counts now">
        <div className="card">
          <div className="section-title" style={{ marginTop: 0 }}>
            Now
          </div>
          <dl className="kv" aria-label="Current counts">
            <dt>open connections</dt>
            <dd data-testid="count-connections">{counts?.connections ?? 0}</dd>
            {Object.entries(counts?.listeners ?? {}).map(([name, n]) => (
              <CountRow key={`l${name}`} term={`listeners · ${name}`} value={n} />
            ))}
            {Object.entries(counts?.handles ?? {}).map(([key, n]) => (
              <CountRow key={`h${key}`} term={`handles · ${key}`} value={n} />
            ))}
            <dt>events</dt>
            <dd>{events.toLocaleString('en-US')}</dd>
            {gaps.count > 0 && (
              <>
                <dt className="warn">gaps</dt>
                <dd className="warn">
                  {gaps.lost} events never arrived ({gaps.count} gap{gaps.count === 1 ? '' : 's'})
                </dd>
              </>
            )}
          </dl>
        </div>
        <FindingsSummary />
      </div>

      <OverviewCharts data={data} markers={markers} window={window} setWindow={setWindow} />

      <div className="section-title">Sessions (each new client connection is a reload)</div>
      <SessionTable table={sessions} />
    </div>
  );
}

function CountRow({ term, value }: { term: string; value: number }) {
  return (
    <>
      <dt>{term}</dt>
      <dd>{value}</dd>
    </>
  );
}

function chartsView({ store }: { store: UiStore }) {
  return { data: chartData(store.runs()), markers: buildMarkers(store) };
}

function countsView({ store, window }: { store: UiStore; window: TimeWindow | null }) {
  const gaps = store.target.current()?.model.gaps ?? [];
  return {
    sessions: sessionTable(store.runs(), window),
    counts: store.target.current()?.counts(),
    events: store.log.length,
    gaps: { count: gaps.length, lost: gaps.reduce((n, g) => n + g.count, 0) },
  };
}

function buildMarkers(store: UiStore): Marker[] {
  const markers: Marker[] = [];
  for (const run of store.target.runs) {
    const abs = (t: number) => absoluteTime(run.startedAt, t);
    const m = run.analysis.model;
    if (run.index > 0) markers.push({ at: run.startedAt, kind: 'restart', label: `restart (run ${run.index + 1})` });
    for (const s of m.sessions) if (s.index > 1) markers.push({ at: abs(s.openedT), kind: 'session', label: `${s.group} reload ${s.index}` });
    for (const a of m.actions) markers.push({ at: abs(a.startedT), kind: 'action', label: `${a.name} ${a.connection ?? ''}` });
    for (const g of m.gaps) markers.push({ at: abs(g.t), kind: 'gap', label: `gap of ${g.count}` });
    for (const k of m.marks) markers.push({ at: abs(k.t), kind: 'mark', label: k.label });
  }
  // Restarts always; the rest, newest first, up to the cap.
  const restarts = markers.filter((m) => m.kind === 'restart');
  const others = markers.filter((m) => m.kind !== 'restart').slice(-MAX_MARKERS);
  return [...restarts, ...others];
}
