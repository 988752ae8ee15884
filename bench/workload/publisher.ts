/**
 * An agent publishing lifecycle events on command, for pipeline.*, memory.*
 * and ui.*: handle store/drop pairs on a real handle table (two events per
 * pair, nothing left alive), as fast as asked. argv[2]: JSON AgentOptions
 * merged over { port: 0, captureStacks: false, logger: false }.
 *
 * Commands (each answered once):
 *   mark { label }                    → marked { at: Date.now() }
 *   publish { count, chunk }          publish `count` events, `chunk` per event-loop turn → published { ms }
 *   burst { count }                   publish `count` events in one synchronous run → published { ms }
 *   rate { perSecond, seconds }       publish at a steady rate (10 ms ticks) → published { ms, count }
 *   heap                              → heap { heapUsed, external } after a full GC (needs --expose-gc)
 *   bytes-per-event { count }         → bytes { perEvent }: heap held by `count` events shaped like the log's
 */
import { createAgent } from '../../agent/index.js';
import type { AgentOptions } from '../../agent/types.js';
import { onCommand, reply } from './child.js';

const options = JSON.parse(process.argv[2] ?? '{}') as AgentOptions;
const agent = createAgent({ name: 'bench-publisher', port: 0, captureStacks: false, logger: false, ...options });
await agent.ready;
const table = agent.handleTable<object>('bench');
const value = {};

/** Publishes `count` events (rounded up to pairs). */
function publishPairs(count: number): void {
  for (let i = 0; i < count; i += 2) table.drop(table.store(value, { type: 'item' }));
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function heap(): { heapUsed: number; external: number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('heap needs --expose-gc');
  gc();
  gc();
  const { heapUsed, external } = process.memoryUsage();
  return { heapUsed, external };
}

onCommand(async (command) => {
  const started = performance.now();
  switch (command.type) {
    case 'mark':
      agent.mark(String(command.label));
      reply({ type: 'marked', at: Date.now() });
      return;
    case 'publish': {
      const count = Number(command.count);
      const chunk = Number(command.chunk);
      for (let done = 0; done < count; done += chunk) {
        publishPairs(Math.min(chunk, count - done));
        await nextTurn();
      }
      reply({ type: 'published', ms: performance.now() - started });
      return;
    }
    case 'burst':
      publishPairs(Number(command.count));
      reply({ type: 'published', ms: performance.now() - started });
      return;
    case 'rate': {
      const perMs = Number(command.perSecond) / 1000;
      const end = started + Number(command.seconds) * 1000;
      let sent = 0;
      for (let now = started; now < end; now = performance.now()) {
        const due = Math.floor((now - started) * perMs) - sent;
        if (due >= 2) {
          publishPairs(due);
          sent += due - (due % 2);
        }
        await sleep(10);
      }
      reply({ type: 'published', ms: performance.now() - started, count: sent });
      return;
    }
    case 'heap':
      reply({ type: 'heap', ...heap() });
      return;
    case 'bytes-per-event': {
      const count = Number(command.count);
      const before = heap().heapUsed;
      // The shape EventLog.publish stores: the probe's input spread plus seq and t.
      const held = Array.from({ length: count }, (_, i) => ({ type: 'handle.store', table: 'bench', handle: i + 1, handleType: 'item', owner: null, seq: i + 1, t: i / 1000 }));
      const after = heap().heapUsed;
      reply({ type: 'bytes', perEvent: (after - before) / held.length });
      return;
    }
  }
});
reply({ type: 'ready', url: agent.url });
