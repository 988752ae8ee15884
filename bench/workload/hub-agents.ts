/**
 * Dialling agents for hub.*: argv[2] JSON { hubUrl, names[], perSecond }.
 * Each agent dials the hub and, once told to `run`, publishes `perSecond`
 * events (handle store/drop pairs, no stacks) in 10 ms ticks for `seconds`.
 *   → { type: 'ready' } once every agent is live (its first subscribe answered)
 *   ← run { seconds } → { type: 'ran', published: { [name]: lastSeq } }
 *   ← seqs → { type: 'seqs', published: { [name]: lastSeq } }
 */
import { createAgent } from '../../agent/index.js';
import { onCommand, reply } from './child.js';

const { hubUrl, names, perSecond } = JSON.parse(process.argv[2]!) as { hubUrl: string; names: string[]; perSecond: number };
const agents = names.map((name) => {
  const agent = createAgent({ name, dial: hubUrl, listen: false, autoInstrument: false, captureStacks: false, logger: false });
  return { name, agent, table: agent.handleTable<object>('bench') };
});
const value = {};
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const published = () => Object.fromEntries(agents.map(({ name, agent }) => [name, (agent as unknown as { log: { lastSeq: number } }).log.lastSeq]));

while (agents.some(({ agent }) => agent.inspectors === 0)) await sleep(50);
reply({ type: 'ready' });

onCommand(async (command) => {
  if (command.type === 'seqs') return reply({ type: 'seqs', published: published() });
  if (command.type !== 'run') return;
  const until = performance.now() + Number(command.seconds) * 1000;
  const started = performance.now();
  let due = 0;
  let done = 0;
  while (performance.now() < until) {
    // Catch up with the schedule after a late tick, so the rate holds under load.
    due = Math.floor(((performance.now() - started) / 1000) * perSecond);
    const pairs = Math.max(0, Math.floor((due - done) / 2));
    for (const { table } of agents) for (let i = 0; i < pairs; i++) table.drop(table.store(value, { type: 'item' }));
    done += pairs * 2;
    await sleep(10);
  }
  reply({ type: 'ran', published: published() });
});
