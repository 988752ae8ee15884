import { chartData } from '../model/chart-series.js';
import { chartMarkers } from '../model/chart-markers.js';
import { runNow } from '../model/runs.js';
import { formatCount } from '../model/format.js';
import { sessionTable } from '../model/session-rows.js';
import type { TimeWindow } from '../model/time-window.js';
import { useDerived, useThrottledSource } from '../hooks/use-store.js';
import type { UiStore } from '../data/ui-store.js';
import { useUi } from '../ui-context.js';
import { SessionTable } from './SessionTable.js';
import { FindingsSummary } from './FindingsSummary.js';
import { useOverviewCharts } from './charts-chunk.js';

/** Most often the charts redraw while events stream in. */
const CHART_REDRAW_MS = 500;

/** Counts over time, the per-session table and the open findings: the leak at a glance. */
export function Overview() {
  const { store, window, setWindow } = useUi();
  // Charts are the costly part to redraw: during a flood they follow at most twice a second.
  const calm = useThrottledSource(store, CHART_REDRAW_MS);
  const { data, markers, extent } = useDerived(calm, chartsView, { store });
  const { sessions, counts, events, gaps } = useDerived(store, countsView, { store, window });
  const { charts: OverviewCharts, failure } = useOverviewCharts();

  return (
    <div className="scroll pad" style={{ flex: 1 }}>
      <div className="grid-2" role="group" aria-label="Counts now">
        <section className="card" aria-labelledby="counts-now-title">
          <h2 className="section-title" id="counts-now-title" style={{ marginTop: 0 }}>
            Now
          </h2>
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
            <dd>{formatCount(events)}</dd>
            {gaps.count > 0 && (
              <>
                <dt className="warn">gaps</dt>
                <dd className="warn">
                  {gaps.lost} events never arrived ({gaps.count} gap{gaps.count === 1 ? '' : 's'})
                </dd>
              </>
            )}
          </dl>
        </section>
        <FindingsSummary />
      </div>

      {OverviewCharts ? (
        <OverviewCharts data={data} markers={markers} extent={extent} window={window} setWindow={setWindow} />
      ) : (
        <p className="muted" role="status">
          {failure ? `The charts could not be loaded: ${failure}` : 'Loading the charts…'}
        </p>
      )}

      <h2 className="section-title">Sessions (each new client connection is a reload)</h2>
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
  const runs = store.runs();
  const data = chartData(runs);
  const last = runs[runs.length - 1];
  const from = data.points[0]?.at ?? runs[0]?.startedAt ?? 0;
  return { data, markers: chartMarkers(runs), extent: { from, to: last ? Math.max(from + 1, runNow(last)) : from + 1 } };
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
