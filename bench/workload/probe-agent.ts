/**
 * probe.*.agent-* child: a host with one agent (stacks off) and nothing else,
 * as an app embeds it. Run in its own process because the inspector must not
 * share the host's heap and CPU time (its frames' garbage was collected during
 * the app's calls) and because the in-process probe figures before it left the
 * same probe code's inline caches shaped by another sink and 10-frame stacks,
 * which a host with one agent never sees.
 * Replies `ready` with the agent URL; `measure` replies `measured` with the
 * median ns per listener add + remove and per handle store + drop.
 */
import { EventEmitter } from 'node:events';
import { createAgent } from '../../agent/index.js';
import { median } from '../result.js';
import { onCommand, reply } from './child.js';

const ROUNDS = 5;
const ITERATIONS = 50_000;
/**
 * Rounds run before measuring. In a fresh process the listener pair costs
 * about 1,400-1,900 ns in its first round, 800-1,100 in its second and
 * settles at 500-600 from the third, as V8 optimises the patched methods.
 */
const WARMUP_ROUNDS = 3;

/**
 * Median ns per call, yielding to the event loop every 1,000 calls so that
 * work the agent defers (batching, serialising, sending to inspectors) runs
 * between them: `onCall` is the time spent in the app's calls (what the
 * probe costs the app), `total` the whole window (the deferred work too).
 */
async function nsPerOpAcrossTurns(op: () => void): Promise<{ onCall: number; total: number }> {
  const run = async (): Promise<{ onCall: number; total: number }> => {
    let onCall = 0n;
    const start = process.hrtime.bigint();
    for (let i = 0; i < ITERATIONS; i += 1000) {
      const callsStart = process.hrtime.bigint();
      for (let j = i; j < i + 1000 && j < ITERATIONS; j++) op();
      onCall += process.hrtime.bigint() - callsStart;
      await new Promise((resolve) => setImmediate(resolve));
    }
    return { onCall: Number(onCall) / ITERATIONS, total: Number(process.hrtime.bigint() - start) / ITERATIONS };
  };
  for (let r = 0; r < WARMUP_ROUNDS; r++) await run();
  const samples: Array<{ onCall: number; total: number }> = [];
  for (let r = 0; r < ROUNDS; r++) samples.push(await run());
  return { onCall: median(samples.map((s) => s.onCall)), total: median(samples.map((s) => s.total)) };
}

const noop = (): void => {};
const chunk = Buffer.alloc(64);
const agent = createAgent({ name: 'probes-bench', port: 0, captureStacks: false, logger: false });
await agent.ready;
const watched = new EventEmitter();
agent.watchEmitter(watched, { name: 'bench' });
const table = agent.handleTable('bench');

onCommand(async (command) => {
  if (command.type !== 'measure') return;
  const listener = await nsPerOpAcrossTurns(() => watched.on('x', noop).off('x', noop));
  const handles = await nsPerOpAcrossTurns(() => table.drop(table.store(chunk)));
  reply({ type: 'measured', listener, handles });
});
reply({ type: 'ready', agentUrl: agent.url });
