import { memo, useMemo } from 'react';
import { Brush, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, usePlotArea, useXAxisScale, XAxis, YAxis } from 'recharts';
import { brushRange, chartData } from '../model/chart-series.js';
import { formatClock } from '../model/format.js';
import { sessionTable } from '../model/session-rows.js';
import { absoluteTime, makeWindow, type TimeWindow } from '../model/time-window.js';
import { useThrottled, useUi } from '../ui-context.js';
import { SessionTable } from './SessionTable.js';
import { FindingsSummary } from './FindingsSummary.js';

const PALETTE = ['#c792ea', '#41c7b9', '#e5b33d', '#f78c6c', '#82aaff', '#c3e88d', '#ff5370', '#89ddff'];

interface Marker {
  at: number;
  kind: 'restart' | 'session' | 'action' | 'gap' | 'mark';
  label: string;
}

const MARKER_STYLE: Record<Marker['kind'], { stroke: string; dash?: string }> = {
  restart: { stroke: 'var(--restart)' },
  session: { stroke: '#4a5a70', dash: '2 3' },
  action: { stroke: 'var(--action)', dash: '4 2' },
  gap: { stroke: '#777', dash: '1 2' },
  mark: { stroke: '#9aa', dash: '6 2' },
};

/** Most often the charts redraw while events stream in. */
const CHART_REDRAW_MS = 500;

/** Most reference lines drawn per chart: beyond this they are noise. */
const MAX_MARKERS = 150;

/** Counts over time, the per-session table and the open findings: the leak at a glance. */
export function Overview() {
  const { store, window, setWindow } = useUi();
  // The store mutates in place; its version says when derived data must be recomputed.
  const version = store.version;
  const runs = store.runs();
  // Charts are the costly part to redraw: during a flood they follow at most twice a second.
  const chartVersion = useThrottled(version, CHART_REDRAW_MS);
  const data = useMemo(() => chartData(runs), [chartVersion]); // eslint-disable-line react-hooks/exhaustive-deps
  const sessions = useMemo(() => sessionTable(runs, window), [version, window]); // eslint-disable-line react-hooks/exhaustive-deps
  const markers = useMemo(() => buildMarkers(store), [chartVersion]); // eslint-disable-line react-hooks/exhaustive-deps
  const current = runs[runs.length - 1]?.model;
  const counts = store.target.current()?.counts();

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
            <dd>{store.log.length.toLocaleString('en-US')}</dd>
            {current && current.gaps.length > 0 && (
              <>
                <dt className="warn">gaps</dt>
                <dd className="warn">
                  {current.gaps.reduce((n, g) => n + g.count, 0)} events never arrived ({current.gaps.length} gap{current.gaps.length === 1 ? '' : 's'})
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

function buildMarkers(store: ReturnType<typeof useUi>['store']): Marker[] {
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

interface ChartsProps {
  data: ReturnType<typeof chartData>;
  markers: Marker[];
  window: TimeWindow | null;
  setWindow(window: TimeWindow | null): void;
}

/**
 * The markers of a chart as plain SVG lines in one group. As one recharts
 * ReferenceLine each, every marker registered itself with the chart's store,
 * and a large recording's 300 markers cost the Overview a third of a second.
 */
function MarkerLines({ markers }: { markers: Marker[] }) {
  const scale = useXAxisScale();
  const area = usePlotArea();
  if (!scale || !area) return null;
  const bottom = area.y + area.height;
  return (
    <g className="chart-markers">
      {markers.map((m, i) => {
        const x = scale(m.at);
        // Outside the plot (a zoomed window): not drawn.
        if (x === undefined || !(x >= area.x && x <= area.x + area.width)) return null;
        const style = MARKER_STYLE[m.kind];
        return (
          <g key={`${m.kind}${i}`}>
            <line x1={x} x2={x} y1={area.y} y2={bottom} stroke={style.stroke} strokeDasharray={style.dash}>
              <title>{m.label}</title>
            </line>
            {m.kind === 'restart' && (
              <text x={x - 4} y={area.y + 12} textAnchor="end" fill="#f0616d" fontSize={10}>
                restart
              </text>
            )}
          </g>
        );
      })}
    </g>
  );
}

/** Counts over time with the brush that sets the time window; redraws only when its data changes. */
const OverviewCharts = memo(function OverviewCharts({ data, markers, window, setWindow }: ChartsProps) {
  const [brushStart, brushEnd] = brushRange(data.points, window);
  const axis = (
    <XAxis
      dataKey="at"
      type="number"
      scale="time"
      domain={['dataMin', 'dataMax']}
      tickFormatter={(v: number) => formatClock(v).slice(0, 8)}
      stroke="#666"
      fontSize={10}
    />
  );
  return (
    <>
        <div className="section-title">Connections and listeners over time</div>
        <div className="card" role="figure" aria-label="Connections and listeners over time" style={{ height: 240 }}>
          <ResponsiveContainer width="100%" height="100%">
            <LineChart data={data.points} margin={{ top: 8, right: 16, bottom: 0, left: -16 }}>
              <CartesianGrid stroke="#2c2d32" />
              {axis}
              <YAxis allowDecimals={false} stroke="#666" fontSize={10} />
              <Tooltip
                contentStyle={{ background: '#232428', border: '1px solid #36383e' }}
                labelFormatter={(v) => formatClock(Number(v))}
                isAnimationActive={false}
              />
              <Legend wrapperStyle={{ fontSize: 11 }} />
              <MarkerLines markers={markers} />
              <Line type="stepAfter" dataKey="connections" name="open connections" stroke="#4ea1ff" dot={false} isAnimationActive={false} />
              {data.listenerKeys.map((key, i) => (
                <Line
                  key={key}
                  type="stepAfter"
                  dataKey={key}
                  name={`listeners · ${key.slice('listeners:'.length)}`}
                  stroke={PALETTE[i % PALETTE.length]}
                  dot={false}
                  isAnimationActive={false}
                />
              ))}
              {data.points.length > 1 && (
                <Brush
                  dataKey="at"
                  height={20}
                  stroke="#4ea1ff"
                  fill="#1b1c1f"
                  travellerWidth={8}
                  startIndex={brushStart}
                  endIndex={brushEnd}
                  tickFormatter={(v: number) => formatClock(v).slice(0, 8)}
                  onChange={(range: { startIndex?: number; endIndex?: number }) => {
                    const s = range.startIndex ?? 0;
                    const e = range.endIndex ?? data.points.length - 1;
                    if (s <= 0 && e >= data.points.length - 1) setWindow(null);
                    else setWindow(makeWindow(data.points[s]!.at, data.points[e]!.at));
                  }}
                />
              )}
            </LineChart>
          </ResponsiveContainer>
        </div>

        {data.handleKeys.length > 0 && (
          <>
            <div className="section-title">Handles over time</div>
            <div className="card" role="figure" aria-label="Handles over time" style={{ height: 160 }}>
              <ResponsiveContainer width="100%" height="100%">
                <LineChart data={data.points} margin={{ top: 8, right: 16, bottom: 0, left: -16 }}>
                  <CartesianGrid stroke="#2c2d32" />
                  <XAxis
                    dataKey="at"
                    type="number"
                    scale="time"
                    domain={window ? [window.from, window.to] : ['dataMin', 'dataMax']}
                    allowDataOverflow
                    tickFormatter={(v: number) => formatClock(v).slice(0, 8)}
                    stroke="#666"
                    fontSize={10}
                  />
                  <YAxis allowDecimals={false} stroke="#666" fontSize={10} />
                  <Tooltip contentStyle={{ background: '#232428', border: '1px solid #36383e' }} labelFormatter={(v) => formatClock(Number(v))} isAnimationActive={false} />
                  <Legend wrapperStyle={{ fontSize: 11 }} />
                  <MarkerLines markers={markers} />
                  {data.handleKeys.map((key, i) => (
                    <Line
                      key={key}
                      type="stepAfter"
                      dataKey={key}
                      name={`handles · ${key.slice('handles:'.length)}`}
                      stroke={PALETTE[(i + 3) % PALETTE.length]}
                      dot={false}
                      isAnimationActive={false}
                    />
                  ))}
                </LineChart>
              </ResponsiveContainer>
            </div>
          </>
        )}
    </>
  );
});
