/** Tick steps a time axis may use, in ms: each label differs from the next, at a round interval. */
const STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000, 7_200_000, 21_600_000, 43_200_000, 86_400_000];

export interface TimeTicks {
  /** Absolute epoch ms, evenly spaced, inside [from, to]. */
  ticks: number[];
  step: number;
  /** Formats a tick as precisely as the step needs: `14:03:10`, `14:03:10.500`. */
  format(at: number): string;
}

/**
 * Evenly spaced ticks at a round step (1 s, 2 s, 5 s, 10 s, 30 s, 1 min…)
 * so that at most `maxTicks` fit; labels as precise as the step, so no two
 * read the same.
 */
export function timeTicks(from: number, to: number, maxTicks: number): TimeTicks {
  const span = Math.max(1, to - from);
  const step = STEPS.find((s) => span / s <= maxTicks) ?? STEPS[STEPS.length - 1]!;
  // Round in local time, so that minutes and hours land on :00.
  const offset = new Date(from).getTimezoneOffset() * 60_000;
  const first = Math.ceil((from - offset) / step) * step + offset;
  const ticks: number[] = [];
  for (let at = first; at <= to; at += step) ticks.push(at);
  const withMs = step < 1000;
  const withSeconds = step < 60_000;
  return { ticks, step, format: (at) => clock(at, withSeconds, withMs) };
}

function clock(at: number, seconds: boolean, ms: boolean): string {
  const d = new Date(at);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  let text = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  if (seconds) text += `:${pad(d.getSeconds())}`;
  if (ms) text += `.${pad(d.getMilliseconds(), 3)}`;
  return text;
}

/** The time axis' title: the unit the labels are in. */
export function timeAxisTitle(step: number): string {
  return step < 1000 ? 'local time (h:min:s.ms)' : step < 60_000 ? 'local time (h:min:s)' : 'local time (h:min)';
}
