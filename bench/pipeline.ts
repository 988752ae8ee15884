/**
 * pipeline.*: lifecycle events per second from a real agent (its own process,
 * bench/workload/publisher.ts: a listener added to and removed from a watched
 * emitter as fast as the event loop allows, the probe included; default
 * agent options except captureStacks false) to one and to
 * three counting inspectors (bench/workload/inspectors.ts, one process each),
 * over loopback WebSockets. Each inspector checks seq continuity, so a lost
 * event is either announced by a gap record or counted as silent.
 *
 * Below saturation the publisher yields to the event loop every CHUNK events,
 * as a real backend does between I/O callbacks; above it, bursts larger than
 * the ring buffer are published without yielding, so the pump cannot run
 * until the ring has wrapped.
 */
import { type BenchResult } from './result.js';
import { type Child, startChild } from './workload/child.js';

const EVENTS = Number(process.env.BENCH_PIPELINE_EVENTS ?? 2_000_000);
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

async function paced(publisher: Child, count: number): Promise<void> {
  publisher.send({ type: 'publish', count, chunk: CHUNK });
  await publisher.next('published', 300_000);
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
      const paced1 = await run(publisher, inspectors, () => paced(publisher, EVENTS));
      const saturated = await run(publisher, inspectors, () => bursts(publisher));
      return { paced: paced1, saturated };
    });
    const three = await withInspectors(url, 3, async (inspectors) => {
      await run(publisher, inspectors, () => paced(publisher, WARMUP_EVENTS));
      return run(publisher, inspectors, () => paced(publisher, EVENTS));
    });

    const satLost = lost(one.saturated);
    const satCounted = one.saturated.reduce((sum, w) => sum + w.gapped, 0);
    const silent = silentOrDisordered([...one.paced, ...one.saturated, ...three]);
    return [
      {
        name: 'pipeline.events_per_s.one',
        value: Math.round(rate(one.paced)),
        unit: 'events/s',
        budget: { op: '>=', value: 500_000 },
        note: `${EVENTS.toLocaleString('en-US')} events from a watched emitter's add/remove (listener probe included), publisher yielding every ${CHUNK}; agent defaults (batchSize 500, 4 MiB send budget), captureStacks false; every event delivered (pipeline.lost.one)`,
      },
      { name: 'pipeline.events_per_s.three', value: Math.round(rate(three)), unit: 'events/s', note: 'per inspector, three inspector processes, slowest one timed' },
      { name: 'pipeline.lost.one', value: lost(one.paced), unit: 'events', budget: { op: '<=', value: 0 } },
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
