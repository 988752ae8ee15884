/**
 * probe.once-fire-20k child: a host with one agent (stacks off) and nothing
 * else, like probe-agent.ts and for the same reason: in the bench's own
 * process the heap and inline caches carry what the probes before it left.
 * Node's removeListener scans the whole list for each once-wrapper that
 * fires, so the figure is mostly that scan, and the scan slows with whatever
 * else the heap holds between the wrappers (one 4-field object kept per
 * listener slowed it about 20 % with no agent at all).
 * `measure { listeners, rounds }` → measured { plain[], watched[] } in ms,
 * plain and watched alternating, each adding `listeners` once listeners to
 * one event and firing them.
 */
import { EventEmitter } from 'node:events';
import { createAgent } from '../../agent/index.js';
import { onCommand, reply } from './child.js';

const agent = createAgent({ name: 'once-fire-bench', port: 0, captureStacks: false, logger: false });
await agent.ready;

function fire(emitter: EventEmitter, listeners: number): number {
  emitter.setMaxListeners(0);
  const started = performance.now();
  for (let i = 0; i < listeners; i++) emitter.once('tick', () => {});
  emitter.emit('tick');
  return performance.now() - started;
}

onCommand((command) => {
  if (command.type !== 'measure') return;
  const listeners = Number(command.listeners);
  const plain: number[] = [];
  const watched: number[] = [];
  for (let round = 0; round < Number(command.rounds); round++) {
    plain.push(fire(new EventEmitter(), listeners));
    const emitter = new EventEmitter();
    agent.watchEmitter(emitter, { name: 'many' });
    watched.push(fire(emitter, listeners));
  }
  reply({ type: 'measured', plain, watched });
});
reply({ type: 'ready' });
