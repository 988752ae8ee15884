/**
 * What the probes cost the host, instrumented vs plain, measured in the same
 * run: per socket event, per listener add/remove pair, per handle store/drop
 * and per handle retrieve; then the same through a real agent, idle and with
 * an inspector attached. Not a test: `npm run bench` (bench/run.ts) runs it,
 * or alone:
 *   npx tsx -e "import('./bench/probes.ts').then(m=>m.default()).then(r=>console.table(r))"
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { WebSocket } from 'ws';
import { AgentClock } from '../agent/clock.js';
import { EventLog } from '../agent/event-log.js';
import { createAgent } from '../agent/index.js';
import { createProbes } from '../agent/probes/index.js';
import type { EventSink, Probes } from '../agent/types.js';
import type { BenchResult } from './result.js';

const ROUNDS = 5;

/** Median ns per call of `op` over ROUNDS rounds of `iterations` calls, after a warm-up round. */
function nsPerOp(iterations: number, op: (i: number) => void): number {
  for (let i = 0; i < iterations; i++) op(i);
  const samples: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) op(i);
    samples.push(Number(process.hrtime.bigint() - start) / iterations);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

/**
 * Median ns per call, yielding to the event loop every 1,000 calls so that
 * work the agent defers (batching, serialising, sending to inspectors) runs
 * inside the measured window.
 */
async function nsPerOpAcrossTurns(iterations: number, op: () => void): Promise<number> {
  const run = async (): Promise<number> => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) {
      op();
      if (i % 1000 === 999) await new Promise((resolve) => setImmediate(resolve));
    }
    return Number(process.hrtime.bigint() - start) / iterations;
  };
  await run();
  const samples: number[] = [];
  for (let r = 0; r < ROUNDS; r++) samples.push(await run());
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

/** `budget`: the most ns an instrumented op may cost (generous: a regression guard, not a target). */
function pair(name: string, plain: number, instrumented: number, budget?: number): BenchResult[] {
  return [
    { name: `probe.${name}.ns.plain`, value: round(plain), unit: 'ns/op' },
    {
      name: `probe.${name}.ns.instrumented`,
      value: round(instrumented),
      unit: 'ns/op',
      ...(budget !== undefined && { budget: { op: '<=' as const, value: budget } }),
    },
    { name: `probe.${name}.ratio`, value: round(instrumented / plain), unit: 'x' },
  ];
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

function startProbes(stackFrames: number): { probes: Probes; log: EventLog } {
  const clock = new AgentClock();
  const log = new EventLog(10_000, clock.now);
  const sink: EventSink = { publish: (e) => log.publish(e), now: clock.now, recent: () => clock.recent, flush: () => undefined };
  const probes = createProbes(sink, {
    autoInstrument: true,
    stackFrames,
    attribution: 'async',
    actionTimeout: 2000,
    ioInterval: 1000,
    logger: console,
  });
  return { probes, log };
}

/** A connected server-side socket (accepted by a fresh server) and a cleanup. */
async function acceptedSocket(): Promise<{ socket: net.Socket; close: () => Promise<void> }> {
  const server = net.createServer();
  const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  const socket = await accepted;
  return {
    socket,
    close: () =>
      new Promise<void>((resolve) => {
        client.destroy();
        socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export default async function probesBench(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const noop = (): void => {};
  const chunk = Buffer.alloc(64);

  // Socket events: the per-event path of an accepted socket ('data' with one app listener).
  const plainSocket = await acceptedSocket();
  const { probes, log } = startProbes(10);
  const tracked = await acceptedSocket();
  plainSocket.socket.on('data', noop);
  tracked.socket.on('data', noop);
  const eventPlain = nsPerOp(200_000, () => plainSocket.socket.emit('data', chunk));
  const eventInstrumented = nsPerOp(200_000, () => tracked.socket.emit('data', chunk));
  results.push(...pair('socket-event', eventPlain, eventInstrumented, 2_000));

  // Listener add/remove pair on a watched emitter, with the default 10-frame stacks and without.
  // Stack capture dominates: fewer iterations keep the run short.
  const plainEmitter = new EventEmitter();
  const watched = new EventEmitter();
  probes.watchEmitter(watched, { name: 'bench' });
  const listenerPlain = nsPerOp(5_000, () => plainEmitter.on('x', noop).off('x', noop));
  const listenerInstrumented = nsPerOp(5_000, () => watched.on('x', noop).off('x', noop));
  results.push(...pair('listener', listenerPlain, listenerInstrumented));
  const noStacks = startProbes(0);
  const watchedNoStacks = new EventEmitter();
  noStacks.probes.watchEmitter(watchedNoStacks, { name: 'bench' });
  results.push({
    name: 'probe.listener.ns.instrumented-nostack',
    value: round(nsPerOp(5_000, () => watchedNoStacks.on('x', noop).off('x', noop))),
    unit: 'ns/op',
  });

  // Handles: the agent's table vs the plain Map a backend would otherwise use.
  const plainTable = new Map<number, unknown>();
  let plainNext = 1;
  const table = probes.handleTable('bench');
  const storeDropPlain = nsPerOp(5_000, () => {
    const id = plainNext++;
    plainTable.set(id, chunk);
    plainTable.delete(id);
  });
  const storeDropInstrumented = nsPerOp(5_000, () => table.drop(table.store(chunk)));
  results.push(...pair('handle-store-drop', storeDropPlain, storeDropInstrumented));
  const kept = table.store(chunk);
  plainTable.set(0, chunk);
  let sink: unknown;
  const retrievePlain = nsPerOp(200_000, () => {
    sink = plainTable.get(0);
  });
  const retrieveInstrumented = nsPerOp(200_000, () => {
    sink = table.retrieve(kept);
  });
  void sink;
  results.push(...pair('handle-retrieve', retrievePlain, retrieveInstrumented, 20_000));

  results.push({ name: 'probe.events-published', value: log.lastSeq, unit: 'events' });
  noStacks.probes.close();
  probes.close();
  await plainSocket.close();
  await tracked.close();
  results.push(...(await throughAgent()));
  return results;
}

/**
 * The per-event paths through a real agent (stacks off, to isolate the
 * transport), first with no inspector, then with one attached that reads
 * everything: what attaching an inspector (the live analysis starts, events
 * are sent) adds to each probe.
 */
async function throughAgent(): Promise<BenchResult[]> {
  const noop = (): void => {};
  const chunk = Buffer.alloc(64);
  const agent = createAgent({ name: 'probes-bench', port: 0, captureStacks: false, logger: false });
  await agent.ready;
  const watched = new EventEmitter();
  agent.watchEmitter(watched, { name: 'bench' });
  const table = agent.handleTable('bench');
  const connection = await acceptedSocket();
  connection.socket.on('data', noop);
  const measure = async (label: string): Promise<BenchResult[]> => [
    {
      name: `probe.socket-event.ns.agent-${label}`,
      value: round(await nsPerOpAcrossTurns(100_000, () => connection.socket.emit('data', chunk))),
      unit: 'ns/op',
    },
    { name: `probe.listener.ns.agent-${label}`, value: round(await nsPerOpAcrossTurns(20_000, () => watched.on('x', noop).off('x', noop))), unit: 'ns/op' },
    { name: `probe.handle-store-drop.ns.agent-${label}`, value: round(await nsPerOpAcrossTurns(20_000, () => table.drop(table.store(chunk)))), unit: 'ns/op' },
  ];
  const results = await measure('idle');
  const inspector = new WebSocket(agent.url);
  let received = 0;
  inspector.on('message', () => received++);
  await new Promise((resolve, reject) => inspector.once('open', resolve).once('error', reject));
  results.push(...(await measure('attached')));
  results.push({ name: 'probe.agent-attached.frames-received', value: received, unit: 'frames' });
  inspector.close();
  await connection.close();
  await agent.close();
  return results;
}
