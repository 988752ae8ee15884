/**
 * memory.*: the agent's heap after streaming 10,000,000 events (a watched
 * emitter's adds and removes) to an inspector that stopped reading. The agent (bench/workload/publisher.ts,
 * default options, run with --expose-gc) measures heapUsed after a full GC
 * before and after; the paused inspector lives in this process.
 *
 * Budget: bufferSize × bytes per event (measured in the same process on
 * objects shaped like the log's) + the inspector's send budget (frames
 * queued for a peer that stopped reading, default 4 MiB) + one batch frame
 * beyond it (the budget is checked before each frame). Nothing else grows:
 * the live state holds only what the app keeps alive (here nothing), and the
 * agent runs no analysis.
 */
import { type BenchResult } from './result.js';
import { startChild } from './workload/child.js';
import { EventCounter } from './workload/event-counter.js';

const EVENTS = Number(process.env.BENCH_MEMORY_EVENTS ?? 10_000_000);
const BUFFER_SIZE = 10_000;
const SEND_BUDGET_MIB = 4;
const BATCH_SIZE = 500;
const MIB = 2 ** 20;

export default async function memory(): Promise<BenchResult[]> {
  const publisher = startChild('publisher', [JSON.stringify({ bufferSize: BUFFER_SIZE }), 'listeners'], ['--expose-gc']);
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
    // A batch frame is the events' JSON: about a third of their heap size, bounded here by their heap size.
    const batchMib = (BATCH_SIZE * perEvent) / MIB;
    const bound = (BUFFER_SIZE * perEvent) / MIB + SEND_BUDGET_MIB + batchMib;
    return [
      {
        name: 'memory.heap_growth.mb',
        value: round2(growth),
        unit: 'MiB',
        budget: { op: '<=', value: round2(bound) },
        note:
          `${EVENTS.toLocaleString('en-US')} events in ${seconds.toFixed(1)} s to a paused inspector; bound = bufferSize ${BUFFER_SIZE.toLocaleString('en-US')} × ` +
          `${Math.round(perEvent)} B/event + send budget ${SEND_BUDGET_MIB} MiB + one batch (${BATCH_SIZE} events, ${round2(batchMib)} MiB); external memory ${round2(before.external / MIB)} → ${round2(after.external / MIB)} MiB`,
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
