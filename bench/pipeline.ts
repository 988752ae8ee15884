/**
 * pipeline.*: lifecycle events per second from a real agent (its own process,
 * bench/workload/publisher.ts: a listener added to and removed from a watched
 * emitter, the probe included; default agent options except captureStacks
 * false) to one and to three counting inspectors
 * (bench/workload/inspectors.ts, one process each), over loopback WebSockets.
 * Each inspector checks seq continuity, so a lost event is either announced
 * by a gap record or counted as silent.
 *
 * Below saturation the publisher yields to the event loop every CHUNK events,
 * as a real backend does between I/O callbacks. For one inspector it
 * publishes at rising steady rates (RATES, STEP_SECONDS each); the figure is
 * the rate measured at the inspector on the highest step that delivered every
 * event, the way ui.ingest is measured. Unpaced, the publisher outruns one
 * inspector's JSON.parse and what the figure would measure is that race.
 * Above saturation, bursts larger than the ring buffer are published without
 * yielding, so the pump cannot run until the ring has wrapped.
 */
import { type BenchResult } from './result.js';
import { type Child, startChild } from './workload/child.js';

const EVENTS = Number(process.env.BENCH_PIPELINE_EVENTS ?? 2_000_000);
/** Events per second; the first is the budget, so its loss is pipeline.lost.one. */
const RATES = [500_000, 625_000, 750_000, 875_000, 1_000_000, 1_250_000];
const STEP_SECONDS = 3;
const WARMUP_EVENTS = 200_000;
const CHUNK = 1_000;
/** Five bursts of five ring buffers each. */
const BURST = 50_000;
const BURSTS = 5;

interface Window {
  expected: number;
  received: number;
  gapped: number;
  silent: number;
  disorder: number;
  ms: number;
}

let runNumber = 0;

/** One delimited run: arm the inspectors, mark start, publish, mark end, collect. */
async function run(publisher: Child, inspectors: Child[], publish: () => Promise<void>): Promise<Window[]> {
  const start = `start-${++runNumber}`;
  const end = `end-${runNumber}`;
  for (const i of inspectors) i.send({ type: 'arm', start, end });
  publisher.send({ type: 'mark', label: start });
  await publisher.next('marked');
  await Promise.all(inspectors.map((i) => i.next('started')));
  await publish();
  publisher.send({ type: 'mark', label: end });
  await publisher.next('marked');
  const done = await Promise.all(inspectors.map((i) => i.next<{ type: string; runs: Window[] }>('done', 300_000)));
  return done.flatMap((d) => d.runs);
}

async function paced(publisher: Child, count: number, perSecond?: number): Promise<void> {
  publisher.send({ type: 'publish', count, chunk: CHUNK, perSecond });
  await publisher.next('published', 300_000);
}

interface Step {
  perSecond: number;
  windows: Window[];
}

/** Rising steady rates until one loses an event; the last step is the one that lost (or the top of RATES). */
async function ladder(publisher: Child, inspectors: Child[]): Promise<Step[]> {
  const steps: Step[] = [];
  for (const perSecond of RATES) {
    const windows = await run(publisher, inspectors, () => paced(publisher, perSecond * STEP_SECONDS, perSecond));
    steps.push({ perSecond, windows });
    if (lost(windows) > 0) break;
  }
  return steps;
}

async function bursts(publisher: Child): Promise<void> {
  for (let i = 0; i < BURSTS; i++) {
    publisher.send({ type: 'burst', count: BURST });
    await publisher.next('published');
  }
}

async function withInspectors<T>(url: string, n: number, fn: (inspectors: Child[]) => Promise<T>): Promise<T> {
  const inspectors = Array.from({ length: n }, () => startChild('inspectors', [url, '1']));
  try {
    await Promise.all(inspectors.map((i) => i.next('ready')));
    return await fn(inspectors);
  } finally {
    await Promise.all(inspectors.map((i) => i.stop()));
  }
}

/** Events per second each inspector received, taking the slowest inspector's time. */
function rate(windows: Window[]): number {
  const events = Math.min(...windows.map((w) => w.received));
  return (events / Math.max(...windows.map((w) => w.ms))) * 1000;
}

const lost = (windows: Window[]) => windows.reduce((sum, w) => sum + (w.expected - w.received), 0);
const silentOrDisordered = (windows: Window[]) => windows.reduce((sum, w) => sum + w.silent + w.disorder, 0);

export default async function pipeline(): Promise<BenchResult[]> {
  const publisher = startChild('publisher', ['{}', 'listeners']);
  try {
    const { url } = await publisher.next<{ type: string; url: string }>('ready');
    const one = await withInspectors(url, 1, async (inspectors) => {
      await run(publisher, inspectors, () => paced(publisher, WARMUP_EVENTS));
      const steps = await ladder(publisher, inspectors);
      const saturated = await run(publisher, inspectors, () => bursts(publisher));
      return { steps, saturated };
    });
    const three = await withInspectors(url, 3, async (inspectors) => {
      await run(publisher, inspectors, () => paced(publisher, WARMUP_EVENTS));
      return run(publisher, inspectors, () => paced(publisher, EVENTS));
    });

    const satLost = lost(one.saturated);
    const satCounted = one.saturated.reduce((sum, w) => sum + w.gapped, 0);
    const silent = silentOrDisordered([...one.steps.flatMap((s) => s.windows), ...one.saturated, ...three]);
    const delivered = one.steps.filter((s) => lost(s.windows) === 0);
    const steps = one.steps.map((s) => `${s.perSecond / 1000}k: ${Math.round(rate(s.windows) / 1000)}k delivered, ${lost(s.windows).toLocaleString('en-US')} lost`).join('; ');
    return [
      {
        name: 'pipeline.events_per_s.one',
        value: delivered.length === 0 ? 0 : Math.round(rate(delivered.at(-1)!.windows)),
        unit: 'events/s',
        budget: { op: '>=', value: 500_000 },
        note: `highest steady rate with every event delivered, measured at the inspector; ${STEP_SECONDS} s per step from a watched emitter's add/remove (listener probe included), publisher yielding every ${CHUNK}; agent defaults (batchSize 500, 4 MiB send budget), captureStacks false. Steps: ${steps}`,
      },
      { name: 'pipeline.events_per_s.three', value: Math.round(rate(three)), unit: 'events/s', note: 'per inspector, three inspector processes, slowest one timed' },
      {
        name: 'pipeline.lost.one',
        value: lost(one.steps[0]!.windows),
        unit: 'events',
        budget: { op: '<=', value: 0 },
        note: `events one inspector did not get at ${RATES[0]!.toLocaleString('en-US')} events/s`,
      },
      { name: 'pipeline.lost.three', value: lost(three), unit: 'events', budget: { op: '<=', value: 0 } },
      {
        name: 'pipeline.lost_counted.saturated',
        // 1 = every lost event was announced by a gap record; with nothing lost, nothing went uncounted.
        value: satLost === 0 ? 1 : satCounted / satLost,
        unit: 'ratio',
        budget: { op: '>=', value: 1 },
        note: `${BURSTS} bursts of ${BURST.toLocaleString('en-US')} events without yielding (ring 10,000): ${satLost.toLocaleString('en-US')} lost, ${satCounted.toLocaleString('en-US')} announced by gap records`,
      },
      { name: 'pipeline.silent_losses', value: silent, unit: 'events', budget: { op: '<=', value: 0 }, note: 'missing or out-of-order seqs no gap record announced, over every run' },
    ];
  } finally {
    await publisher.stop();
  }
}
