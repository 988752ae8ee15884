import { memo, useMemo, type ComponentProps } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, usePlotArea, useXAxisScale, XAxis, YAxis } from 'recharts';
import type { ChartData } from '../model/chart-series.js';
import { distinctMarkers, type Marker } from '../model/chart-markers.js';
import { formatClock } from '../model/format.js';
import { timeAxisTitle, timeTicks } from '../model/time-ticks.js';
import type { TimeWindow } from '../model/time-window.js';
import { TimeBrush } from '../components/TimeBrush.js';

const PALETTE = ['#c792ea', '#41c7b9', '#e5b33d', '#f78c6c', '#82aaff', '#c3e88d', '#ff5370', '#89ddff'];

const MARKER_STYLE: Record<Marker['kind'], { stroke: string; dash?: string }> = {
  restart: { stroke: 'var(--restart)' },
  session: { stroke: '#4a5a70', dash: '2 3' },
  action: { stroke: 'var(--action)', dash: '4 2' },
  gap: { stroke: '#777', dash: '1 2' },
  mark: { stroke: '#9aa', dash: '6 2' },
};

/** Markers closer than this on screen are not told apart: one stands for them. */
const MARKER_GAP_PX = 6;
/** Most time labels per chart. */
const MAX_TICKS = 8;

const MARKER_NOUN: Record<Marker['kind'], string> = { restart: 'restart', session: 'reload', action: 'action', gap: 'gap', mark: 'mark' };

interface ChartsProps {
  data: ChartData;
  markers: Marker[];
  /** All time: the first event to now (absolute ms). */
  extent: { from: number; to: number };
  window: TimeWindow | null;
  setWindow(window: TimeWindow | null): void;
}

/**
 * The markers of a chart as plain SVG lines in one group (one recharts
 * ReferenceLine each made a large recording's Overview a third of a second
 * slower), only those told apart at this scale.
 */
function MarkerLines({ markers }: { markers: Marker[] }) {
  const scale = useXAxisScale();
  const area = usePlotArea();
  if (!scale || !area) return null;
  const inPlot = markers.filter((m) => {
    const x = scale(m.at);
    return x !== undefined && x >= area.x && x <= area.x + area.width;
  });
  const { drawn } = distinctMarkers(inPlot, (at) => scale(at) ?? 0, MARKER_GAP_PX);
  const bottom = area.y + area.height;
  return (
    <g className="chart-markers">
      {drawn.map((m, i) => {
        const x = scale(m.at)!;
        const style = MARKER_STYLE[m.kind];
        return (
          <g key={`${m.kind}${i}`}>
            <line x1={x} x2={x} y1={area.y} y2={bottom} stroke={style.stroke} strokeDasharray={style.dash}>
              <title>{m.label}</title>
            </line>
            {m.kind === 'restart' && (
              <text x={x - 4} y={area.y + 12} textAnchor="end" fill={style.stroke} fontSize={10}>
                restart
              </text>
            )}
          </g>
        );
      })}
    </g>
  );
}

type GridLines = NonNullable<ComponentProps<typeof CartesianGrid>['verticalCoordinatesGenerator']>;

/**
 * The grid's vertical lines at the time ticks and the plot's edges, as
 * recharts places them but without measuring every tick label in the DOM
 * first (a forced layout of the whole page on a chart's first frame).
 */
function gridAt(ticks: readonly number[]): GridLines {
  return ({ xAxis, offset }) => {
    const lines: number[] = [];
    for (const tick of ticks) {
      const x = xAxis?.scale?.map(tick);
      if (x !== undefined) lines.push(x);
    }
    for (const edge of [offset.left, offset.left + offset.width]) if (!lines.includes(edge)) lines.push(edge);
    return lines;
  };
}

/** One stepped line per count key (`listeners:…`, `handles:…`), named after what it counts. */
function countLines(keys: string[], what: 'listeners' | 'handles', firstColour: number) {
  return keys.map((key, i) => (
    <Line
      key={key}
      type="stepAfter"
      dataKey={key}
      name={`${what} · ${key.slice(what.length + 1)}`}
      stroke={PALETTE[(i + firstColour) % PALETTE.length]}
      dot={false}
      isAnimationActive={false}
    />
  ));
}

/** Counts over time on one time axis (the window, else all time up to now), and the brush that sets the window. */
export const OverviewCharts = memo(function OverviewCharts({ data, markers, extent, window, setWindow }: ChartsProps) {
  const from = window ? Math.max(window.from, extent.from) : extent.from;
  const to = window && Number.isFinite(window.to) ? window.to : Math.max(extent.to, from + 1);
  const axis = useMemo(() => timeTicks(from, to, MAX_TICKS), [from, to]);
  const hiddenText = useMemo(() => hiddenMarkersText(markers, from, to), [markers, from, to]);
  const gridLines = useMemo(() => gridAt(axis.ticks), [axis.ticks]);
  const spark = useMemo(() => data.points.map((p) => ({ at: p.at, value: p.connections })), [data.points]);
  const xAxis = (
    <XAxis
      dataKey="at"
      type="number"
      scale="time"
      domain={[from, to]}
      allowDataOverflow
      ticks={axis.ticks}
      // Every tick is drawn: there are few enough to fit, and deciding which to drop measured each label in the DOM (a forced layout of the page on the first frame).
      interval={0}
      tickFormatter={axis.format}
      stroke="#9a9da6"
      fontSize={10}
      height={34}
      label={{ value: timeAxisTitle(axis.step), position: 'insideBottom', offset: 0, fill: '#9a9da6', fontSize: 10 }}
    />
  );
  // What both charts draw the same way (an element may be rendered in several places).
  const frame = (what: string) => (
    <>
      <CartesianGrid stroke="#2c2d32" verticalCoordinatesGenerator={gridLines} />
      <YAxis allowDecimals={false} interval={0} stroke="#9a9da6" fontSize={10} width={52} label={{ value: what, angle: -90, position: 'insideLeft', offset: 12, fill: '#9a9da6', fontSize: 10, style: { textAnchor: 'middle' } }} />
      <Tooltip contentStyle={{ background: '#232428', border: '1px solid #36383e' }} labelFormatter={(v) => formatClock(Number(v))} isAnimationActive={false} />
      <Legend verticalAlign="top" height={22} wrapperStyle={{ fontSize: 11 }} />
      <MarkerLines markers={markers} />
    </>
  );
  return (
    <>
      <h2 className="section-title">Connections and listeners over time</h2>
      <figure className="card chart" aria-label="Connections and listeners over time" style={{ height: 260 }}>
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={data.points} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
            {xAxis}
            {frame('open (count)')}
            <Line type="stepAfter" dataKey="connections" name="open connections" stroke="#4ea1ff" dot={false} isAnimationActive={false} />
            {countLines(data.listenerKeys, 'listeners', 0)}
          </LineChart>
        </ResponsiveContainer>
      </figure>
      {data.points.length > 1 && <TimeBrush extent={extent} window={window} onChange={setWindow} points={spark} />}
      {hiddenText && <p className="muted chart-note">{hiddenText}</p>}

      {data.handleKeys.length > 0 && (
        <>
          <h2 className="section-title">Handles over time</h2>
          <figure className="card chart" aria-label="Handles over time" style={{ height: 180 }}>
            <ResponsiveContainer width="100%" height="100%">
              <LineChart data={data.points} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
                {xAxis}
                {frame('live (count)')}
                {countLines(data.handleKeys, 'handles', 3)}
              </LineChart>
            </ResponsiveContainer>
          </figure>
        </>
      )}
    </>
  );
});

/** How many markers of each kind the chart cannot tell apart (about 1,000 px of plot): said, not drawn as a smear. */
function hiddenMarkersText(markers: Marker[], from: number, to: number): string {
  const span = Math.max(1, to - from);
  const { hidden } = distinctMarkers(
    markers.filter((m) => m.at >= from && m.at <= to),
    (at) => ((at - from) / span) * 1000,
    MARKER_GAP_PX,
  );
  const parts = Object.entries(hidden).map(([kind, n]) => `${n} ${MARKER_NOUN[kind as Marker['kind']]}${n === 1 ? '' : 's'}`);
  return parts.length ? `${parts.join(', ')} not drawn, too close to the previous one at this scale: narrow the window to see each.` : '';
}
