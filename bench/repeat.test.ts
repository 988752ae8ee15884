import { describe, expect, it } from 'vitest';
import { medianOfRuns, parseRunArgs } from './repeat.js';

describe('npm run bench --repeat', () => {
  it('reports each figure as the median of its runs and lists every run in its note', () => {
    const run = (value: number, note?: string) => [{ name: 'host.throughput.ratio.idle', value, unit: 'x', budget: { op: '>=' as const, value: 0.97 }, ...(note && { note }) }];
    const [figure] = medianOfRuns([run(0.961, 'first run'), run(0.992), run(0.975)]);
    expect(figure!.value).toBe(0.975);
    expect(figure!.budget).toEqual({ op: '>=', value: 0.97 });
    expect(figure!.note).toBe("first run (median of 3 runs: 0.961 / 0.992 / 0.975; the rest of this note is the first run's)");
  });

  it('leaves out a run that could not measure a figure', () => {
    const run = (value: number) => [{ name: 'ui.open_recording.ms', value, unit: 'ms' }];
    expect(medianOfRuns([run(Number.NaN), run(3000), run(2000)])[0]!.value).toBe(2500);
    expect(medianOfRuns([run(Number.NaN)])[0]!.value).toBeNaN();
  });

  it('reads --repeat in either form beside the benchmark names, and refuses a count that is not a whole number', () => {
    expect(parseRunArgs(['host', '--repeat', '3', 'probes'])).toEqual({ names: ['host', 'probes'], repeat: 3 });
    expect(parseRunArgs(['--repeat=2'])).toEqual({ names: [], repeat: 2 });
    expect(parseRunArgs(['host'])).toEqual({ names: ['host'], repeat: 1 });
    expect(parseRunArgs(['--repeat', '0'])).toEqual({ error: '--repeat takes a whole number of runs (1 or more), got "0"' });
    expect(parseRunArgs(['--repeat'])).toEqual({ error: '--repeat takes a whole number of runs (1 or more), got ""' });
  });
});
