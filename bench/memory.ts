/**
 * memory.*: the agent's heap growth over 10,000,000 events (a watched
 * emitter's adds and removes) streamed to an inspector that stopped reading.
 * The agent (bench/workload/publisher.ts, default options, run with
 * --expose-gc) measures heapUsed after a full GC before and after; the
 * paused inspector lives in this process.
 *
 * Measured from a warm agent: 1,000,000 events read to the end, 1,000,000
 * more to the paused inspector, and the rest read once it resumes first run
 * the whole path, so its code is compiled and the ring is already full (it
 * holds as many events of the same shapes after). Bytecode is kept
 * (--no-flush-bytecode): V8 discards that of functions idle for a few
 * collections, and the startup code's (about 0.3 MiB) left the heap during
 * the run, more of it the more collections ran, which a faster agent measured
 * as more growth.
 *
 * Budget: what may grow is the frames queued for the peer that stopped
 * reading: the send budget (default 4 MiB) plus one batch frame beyond it
 * (the budget is checked before each frame). Nothing else grows: the ring is
 * fixed, the live state holds only what the app keeps alive (here nothing),
 * and the agent runs no analysis.
 */
import { type BenchResult } from './result.js';
import { startChild } from './workload/child.js';
import { EventCounter } from './workload/event-counter.js';

const EVENTS = Number(process.env.BENCH_MEMORY_EVENTS ?? 10_000_000);
const WARMUP_EVENTS = 1_000_000;
const BUFFER_SIZE = 10_000;
const SEND_BUDGET_MIB = 4;
const BATCH_SIZE = 500;
const MIB = 2 ** 20;

export default async function memory(): Promise<BenchResult[]> {
  const publisher = startChild('publisher', [JSON.stringify({ bufferSize: BUFFER_SIZE }), 'listeners'], ['--expose-gc', '--no-flush-bytecode']);
  let inspector: EventCounter | undefined;
  try {
    const { url } = await publisher.next<{ type: string; url: string }>('ready');
    publisher.send({ type: 'bytes-per-event', count: 100_000 });
    const { perEvent } = await publisher.next<{ type: string; perEvent: number }>('bytes');

    const marked = new Map<string, () => void>();
    const counter = (inspector = new EventCounter(url, (label) => marked.get(label)?.()));
    /** Publishes `count` events, then waits until the inspector has read them all. */
    const readThrough = async (count: number, label: string): Promise<void> => {
      const arrived = new Promise<void>((resolve) => marked.set(label, resolve));
      publisher.send({ type: 'publish', count, chunk: 1_000 });
      await publisher.next('published');
      publisher.send({ type: 'mark', label });
      await publisher.next('marked');
      await arrived;
    };
    await counter.opened;
    // Warm: the whole path runs before measuring, the paused reader's too
    // (the send budget reached, events dropped, the gap sent on resuming).
    await readThrough(WARMUP_EVENTS, 'warm');
    counter.pause();
    publisher.send({ type: 'publish', count: WARMUP_EVENTS, chunk: 1_000 });
    await publisher.next('published');
    counter.resume();
    await readThrough(BUFFER_SIZE, 'warm again');
    counter.pause();
    publisher.send({ type: 'heap' });
    const before = await publisher.next<{ type: string; heapUsed: number; external: number }>('heap');
    const started = performance.now();
    publisher.send({ type: 'publish', count: EVENTS, chunk: 1_000 });
    await publisher.next('published', 600_000);
    const seconds = (performance.now() - started) / 1000;
    publisher.send({ type: 'heap' });
    const after = await publisher.next<{ type: string; heapUsed: number; external: number }>('heap');

    const growth = (after.heapUsed - before.heapUsed) / MIB;
    // A batch frame is the events' JSON: about 121 bytes each here, bounded by their heap size.
    const batchMib = (BATCH_SIZE * perEvent) / MIB;
    const bound = SEND_BUDGET_MIB + batchMib;
    return [
      {
        name: 'memory.heap_growth.mb',
        value: round2(growth),
        unit: 'MiB',
        budget: { op: '<=', value: round2(bound) },
        note:
          `${EVENTS.toLocaleString('en-US')} events in ${seconds.toFixed(1)} s to a paused inspector, after a warm-up (${WARMUP_EVENTS.toLocaleString('en-US')} read, as many to the paused inspector, ${BUFFER_SIZE.toLocaleString('en-US')} read on resuming; ` +
          `the ring of ${BUFFER_SIZE.toLocaleString('en-US')} events, ${round2((BUFFER_SIZE * perEvent) / MIB)} MiB at ${Math.round(perEvent)} B/event, full before and after); ` +
          `bound = send budget ${SEND_BUDGET_MIB} MiB + one batch (${BATCH_SIZE} events, ${round2(batchMib)} MiB); external memory ${round2(before.external / MIB)} → ${round2(after.external / MIB)} MiB`,
      },
      { name: 'memory.heap_used.before.mb', value: round2(before.heapUsed / MIB), unit: 'MiB' },
      { name: 'memory.heap_used.after.mb', value: round2(after.heapUsed / MIB), unit: 'MiB' },
      { name: 'memory.bytes_per_event', value: Math.round(perEvent), unit: 'B' },
    ];
  } finally {
    inspector?.close();
    await publisher.stop();
  }
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
