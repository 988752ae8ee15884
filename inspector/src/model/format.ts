/** Formatting helpers shared by every view: short, fixed, devtools-style. */

/** A duration in ms as `0.4 ms`, `12 ms`, `3.2 s`, `4 min`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  const abs = Math.abs(ms);
  if (abs < 10) return `${round(ms, 1)} ms`;
  if (abs < 1000) return `${Math.round(ms)} ms`;
  if (abs < 60_000) return `${round(ms / 1000, 1)} s`;
  if (abs < 3_600_000) return `${round(ms / 60_000, 1)} min`;
  return `${round(ms / 3_600_000, 1)} h`;
}

/** A relative offset with its sign: `+0.4 ms`. */
export function formatOffset(ms: number): string {
  return `${ms < 0 ? '−' : '+'}${formatDuration(Math.abs(ms))}`;
}

/** Wall-clock time of an absolute epoch ms, with milliseconds (`14:03:07.123`). */
export function formatClock(epochMs: number): string {
  const d = new Date(epochMs);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${round(n / 1024, 1)} KiB`;
  return `${round(n / (1024 * 1024), 1)} MiB`;
}

/** One formatter for every count: `toLocaleString` builds one per call, which a table of thousands of rows feels. */
const COUNT = new Intl.NumberFormat('en-US');

export function formatCount(n: number): string {
  return COUNT.format(n);
}

function round(n: number, digits: number): string {
  const s = n.toFixed(digits);
  return s.endsWith('.0') ? s.slice(0, -2) : s;
}
