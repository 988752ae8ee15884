/**
 * The hub for hub.*: `bridgescope serve`'s server with its defaults, in its
 * own process so its memory is its own.
 *   → { type: 'ready', port, token }
 *   ← stats → { type: 'stats', ...MemorySample, targets: TargetStats[] }
 *   ← sample-start: samples its memory every 250 ms, here, so that a busy bench process cannot miss the peak
 *   ← sample-stop → { type: 'samples', samples: MemorySample[] }
 *   ← cpu-start, cpu-stop → { type: 'cpu', micros } (child.ts answerCpu)
 */
import { getHeapSpaceStatistics } from 'node:v8';
import { startInspectorServer } from '../../inspector/server/index.js';
import { answerCpu, onCommand, reply } from './child.js';

/** The hub's memory at one moment, in bytes; `ms` since sample-start. */
export interface MemorySample {
  ms: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  /** The young generation's share of heapTotal. */
  newSpace: number;
  external: number;
  arrayBuffers: number;
  historyBytes: number;
}

const SAMPLE_EVERY_MS = 250;

const server = await startInspectorServer({ port: 0, token: 'bench-token', logger: { warn() {}, error() {} } });
reply({ type: 'ready', port: server.port, token: server.token });

let since = performance.now();
function sample(): MemorySample {
  const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
  const newSpace = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.physical_space_size ?? 0;
  return { ms: Math.round(performance.now() - since), rss, heapUsed, heapTotal, newSpace, external, arrayBuffers, historyBytes: server.stats().historyBytes };
}

const samples: MemorySample[] = [];
let sampler: ReturnType<typeof setInterval> | undefined;
answerCpu();
onCommand((command) => {
  if (command.type === 'stats') reply({ type: 'stats', ...sample(), targets: server.stats().targets });
  if (command.type === 'sample-start') {
    since = performance.now();
    sampler = setInterval(() => samples.push(sample()), SAMPLE_EVERY_MS);
  }
  if (command.type === 'sample-stop') {
    clearInterval(sampler);
    reply({ type: 'samples', samples });
  }
});
