import { memo } from 'react';
import { Brush, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, usePlotArea, useXAxisScale, XAxis, YAxis } from 'recharts';
import { brushRange, type ChartData } from '../model/chart-series.js';
import { formatClock } from '../model/format.js';
import { makeWindow, type TimeWindow } from '../model/time-window.js';

const PALETTE = ['#c792ea', '#41c7b9', '#e5b33d', '#f78c6c', '#82aaff', '#c3e88d', '#ff5370', '#89ddff'];

/** A vertical line on the charts: a restart, a reload, an action, a gap or a mark. */
export interface Marker {
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

interface ChartsProps {
  data: ChartData;
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

/** Counts over time with the brush that sets the time window; redraws only when its data changes. */
export const OverviewCharts = memo(function OverviewCharts({ data, markers, window, setWindow }: ChartsProps) {
  const [brushStart, brushEnd] = brushRange(data.points, window);
  const clockTicks = (v: number) => formatClock(v).slice(0, 8);
  // What both charts draw the same way (an element may be rendered in several places).
  const frame = (
    <>
      <CartesianGrid stroke="#2c2d32" />
      <YAxis allowDecimals={false} stroke="#666" fontSize={10} />
      <Tooltip contentStyle={{ background: '#232428', border: '1px solid #36383e' }} labelFormatter={(v) => formatClock(Number(v))} isAnimationActive={false} />
      <Legend wrapperStyle={{ fontSize: 11 }} />
      <MarkerLines markers={markers} />
    </>
  );
  return (
    <>
      <div className="section-title">Connections and listeners over time</div>
      <div className="card" role="figure" aria-label="Connections and listeners over time" style={{ height: 240 }}>
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={data.points} margin={{ top: 8, right: 16, bottom: 0, left: -16 }}>
            <XAxis dataKey="at" type="number" scale="time" domain={['dataMin', 'dataMax']} tickFormatter={clockTicks} stroke="#666" fontSize={10} />
            {frame}
            <Line type="stepAfter" dataKey="connections" name="open connections" stroke="#4ea1ff" dot={false} isAnimationActive={false} />
            {countLines(data.listenerKeys, 'listeners', 0)}
            {data.points.length > 1 && (
              <Brush
                dataKey="at"
                height={20}
                stroke="#4ea1ff"
                fill="#1b1c1f"
                travellerWidth={8}
                startIndex={brushStart}
                endIndex={brushEnd}
                tickFormatter={clockTicks}
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
                {/* Follows the brushed window of the chart above. */}
                <XAxis
                  dataKey="at"
                  type="number"
                  scale="time"
                  domain={window ? [window.from, window.to] : ['dataMin', 'dataMax']}
                  allowDataOverflow
                  tickFormatter={clockTicks}
                  stroke="#666"
                  fontSize={10}
                />
                {frame}
                {countLines(data.handleKeys, 'handles', 3)}
              </LineChart>
            </ResponsiveContainer>
          </div>
        </>
      )}
    </>
  );
});
