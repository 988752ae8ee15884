/**
 * An agent publishing lifecycle events on command, for pipeline.*, memory.*
 * and ui.*, as fast as asked, two events per pair and nothing left alive:
 * argv[3] `listeners`, a listener added to and removed from a watched emitter
 * (the listener probe included); otherwise (`handles`) a handle stored in and
 * dropped from a real handle table.
 * argv[2]: JSON AgentOptions merged over { port: 0, captureStacks: false, logger: false }.
 *
 * Commands (each answered once):
 *   mark { label }                    → marked { at: Date.now() }
 *   publish { count, chunk, perSecond? }  publish `count` events, `chunk` per event-loop turn, no faster
 *                                     than `perSecond` when given → published { ms }
 *   burst { count }                   publish `count` events in one synchronous run → published { ms }
 *   rate { perSecond, seconds }       publish at a steady rate (10 ms ticks) → published { ms, count }
 *   heap                              → heap { heapUsed, external } after a full GC (needs --expose-gc)
 *   bytes-per-event { count }         → bytes { perEvent }: heap held by `count` events shaped like the log's
 */
import { EventEmitter } from 'node:events';
import { createAgent } from '../../agent/index.js';
import type { AgentOptions } from '../../agent/types.js';
import { onCommand, reply } from './child.js';

const options = JSON.parse(process.argv[2] ?? '{}') as AgentOptions;
const agent = createAgent({ name: 'bench-publisher', port: 0, captureStacks: false, logger: false, ...options });
await agent.ready;
const listeners = process.argv[3] === 'listeners';
const emitter = new EventEmitter();
const listener = (): void => {};
const table = agent.handleTable<object>('bench');
const value = {};
if (listeners) agent.watchEmitter(emitter, { name: 'bench' });

/** Publishes `count` events (rounded up to pairs). */
function publishPairs(count: number): void {
  if (listeners) for (let i = 0; i < count; i += 2) emitter.on('update', listener).off('update', listener);
  else for (let i = 0; i < count; i += 2) table.drop(table.store(value, { type: 'item' }));
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
      const perMs = command.perSecond === undefined ? Infinity : Number(command.perSecond) / 1000;
      for (let done = 0; done < count; done += chunk) {
        publishPairs(Math.min(chunk, count - done));
        // Ahead of schedule: wait for the clock; otherwise yield one turn, as a backend does between callbacks.
        const aheadMs = (done + chunk) / perMs - (performance.now() - started);
        await (aheadMs >= 1 ? sleep(aheadMs) : nextTurn());
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
      // The shapes EventLog.publish stores: the probe's events plus seq and t, in the order published.
      const held = Array.from({ length: count }, (_, i) => {
        if (!listeners) return { type: i % 2 === 0 ? 'handle.store' : 'handle.drop', table: 'bench', handle: i + 1, handleType: 'item', owner: null, seq: i + 1, t: i / 1000 };
        return i % 2 === 0
          ? { type: 'listener.add', listener: `l${i + 1}`, emitter: 'e1', event: 'update', owner: null, once: false, seq: i + 1, t: i / 1000 }
          : { type: 'listener.remove', listener: `l${i}`, emitter: 'e1', event: 'update', how: 'remove', seq: i + 1, t: i / 1000 };
      });
      const after = heap().heapUsed;
      reply({ type: 'bytes', perEvent: (after - before) / held.length });
      return;
    }
  }
});
reply({ type: 'ready', url: agent.url });
