import { type BenchResult, median } from './result.js';

/**
 * Several runs of one benchmark as one set of figures: each figure's value
 * is the median of its runs, and its note lists every run's value. Where a
 * budget's margin is smaller than the spread between two runs on the same
 * code (host.* on a shared machine), one run passing or failing says little.
 */
export function medianOfRuns(runs: BenchResult[][]): BenchResult[] {
  if (runs.length === 1) return runs[0]!;
  return runs[0]!.map((first) => {
    const values = runs.map((run) => run.find((r) => r.name === first.name)?.value ?? Number.NaN);
    const measured = values.filter(Number.isFinite);
    const listed = `median of ${runs.length} runs: ${values.map((v) => Math.round(v * 1000) / 1000).join(' / ')}`;
    return {
      ...first,
      value: measured.length ? median(measured) : Number.NaN,
      note: first.note ? `${first.note} (${listed}; the rest of this note is the first run's)` : listed,
    };
  });
}

/** `--repeat N` (or `--repeat=N`) and the benchmark names around it. */
export function parseRunArgs(args: string[]): { names: string[]; repeat: number } | { error: string } {
  const names: string[] = [];
  let repeat = 1;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg !== '--repeat' && !arg.startsWith('--repeat=')) {
      names.push(arg);
      continue;
    }
    const text = arg === '--repeat' ? args[++i] : arg.slice('--repeat='.length);
    repeat = Number(text);
    if (!Number.isInteger(repeat) || repeat < 1) return { error: `--repeat takes a whole number of runs (1 or more), got "${text ?? ''}"` };
  }
  return { names, repeat };
}
