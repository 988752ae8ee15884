/** One benchmark figure. `name` is stable: results.json consumers key on it. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  /** A budget the figure must meet, checked by the report (never by a test). */
  budget?: { op: '>=' | '<='; value: number };
  /** Free-form context printed beside the figure (e.g. what dominated). */
  note?: string;
}

export interface CheckedResult extends BenchResult {
  pass: boolean | null;
}

export function check(result: BenchResult): CheckedResult {
  if (!result.budget) return { ...result, pass: null };
  const { op, value } = result.budget;
  return { ...result, pass: op === '>=' ? result.value >= value : result.value <= value };
}

/** A benchmark module's default export. */
export type Bench = () => Promise<BenchResult[]>;

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
