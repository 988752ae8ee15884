/**
 * memory.*: the agent's heap after streaming 10,000,000 events to an
 * inspector that stopped reading. The agent (bench/workload/publisher.ts,
 * default options, run with --expose-gc) measures heapUsed after a full GC
 * before and after; the paused inspector lives in this process.
 *
 * Budget: bufferSize × bytes per event (measured in the same process on
 * objects shaped like the log's) + CONSTANT_MIB, where the constant covers
 * what the agent bounds by other means: the inspector's send budget (frames
 * queued for a peer that stopped reading, default 4 MiB) and the live
 * analysis's retained history (retainDead 5,000 objects, seriesLimit 2,000
 * points) — 4 MiB each.
 */
import { type BenchResult } from './result.js';
import { startChild } from './workload/child.js';
import { EventCounter } from './workload/event-counter.js';

const EVENTS = Number(process.env.BENCH_MEMORY_EVENTS ?? 10_000_000);
const BUFFER_SIZE = 10_000;
const CONSTANT_MIB = 8;
const MIB = 2 ** 20;

export default async function memory(): Promise<BenchResult[]> {
  const publisher = startChild('publisher', [JSON.stringify({ bufferSize: BUFFER_SIZE })], ['--expose-gc']);
  let inspector: EventCounter | undefined;
  try {
    const { url } = await publisher.next<{ type: string; url: string }>('ready');
    publisher.send({ type: 'bytes-per-event', count: 100_000 });
    const { perEvent } = await publisher.next<{ type: string; perEvent: number }>('bytes');

    inspector = new EventCounter(url);
    await inspector.opened;
    inspector.pause();
    publisher.send({ type: 'heap' });
    const before = await publisher.next<{ type: string; heapUsed: number; external: number }>('heap');
    const started = performance.now();
    publisher.send({ type: 'publish', count: EVENTS, chunk: 1_000 });
    await publisher.next('published', 600_000);
    const seconds = (performance.now() - started) / 1000;
    publisher.send({ type: 'heap' });
    const after = await publisher.next<{ type: string; heapUsed: number; external: number }>('heap');

    const growth = (after.heapUsed - before.heapUsed) / MIB;
    const bound = (BUFFER_SIZE * perEvent) / MIB + CONSTANT_MIB;
    return [
      {
        name: 'memory.heap_growth.mb',
        value: round2(growth),
        unit: 'MiB',
        budget: { op: '<=', value: round2(bound) },
        note:
          `${EVENTS.toLocaleString('en-US')} events in ${seconds.toFixed(1)} s to a paused inspector; bound = bufferSize ${BUFFER_SIZE.toLocaleString('en-US')} × ` +
          `${Math.round(perEvent)} B/event + ${CONSTANT_MIB} MiB (send budget 4 MiB + live analysis history 4 MiB); external memory ${round2(before.external / MIB)} → ${round2(after.external / MIB)} MiB`,
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
