/**
 * hub.*: `bridgescope serve` under a fleet. 50 agents dial the hub (5
 * processes of 10) and each publishes 2,000 events/s for 60 s (handle
 * store/drop pairs); one UI is attached the whole time, through the hub
 * protocol as the UI speaks it (AgentLink feeding a Target that runs the
 * analysis, in this process), and switches to another target every 2 s.
 *
 * Figures:
 * - hub.rss.peak.mb: the hub's resident memory at its highest (sampled every
 *   250 ms in the hub's process, so a busy bench process cannot miss it).
 *   Budget: its memory at start + the history budget for all targets
 *   (maxHistoryBytes, 256 MiB by default) + 96 MiB for what is in flight
 *   (agents' frames being parsed, the UI's 4 MiB send budget) and the
 *   collector's slack.
 *   The note says where the memory is at the peak; BENCH_HUB_TRACE=<file>
 *   writes every sample.
 * - hub.history.mb: what the histories hold at the end (≤ maxHistoryBytes).
 * - hub.delivered.min: per agent, events the hub received / events published;
 *   the lowest of the 50 (no agent starved: ≥ 0.99). Events an agent could not
 *   send count as not delivered.
 * - hub.switch.ms.*: a target switch, from opening its URL to having every
 *   event the hub held for it at that moment, applied to the analysis.
 */
import { writeFileSync } from 'node:fs';
import WebSocket from 'ws';
import { AgentLink } from '../inspector/client/link.js';
import { Target } from '../inspector/client/target.js';
import type { TargetStats } from '../inspector/server/index.js';
import { median, percentile, type BenchResult } from './result.js';
import { type Child, startChild } from './workload/child.js';
import type { MemorySample } from './workload/hub-server.js';

const AGENTS = Number(process.env.BENCH_HUB_AGENTS ?? 50);
const PER_PROCESS = 10;
const PER_SECOND = Number(process.env.BENCH_HUB_RATE ?? 2000);
const SECONDS = Number(process.env.BENCH_HUB_SECONDS ?? 60);
const SWITCH_EVERY_MS = 2000;
const HISTORY_BUDGET_MIB = 256;
const IN_FLIGHT_MIB = 96;
const MIB = 2 ** 20;

interface HubStats extends MemorySample {
  type: string;
  targets: TargetStats[];
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A switch that has not caught up by then counts as taking this long. */
const SWITCH_GIVE_UP_MS = 30_000;

/**
 * Opens a target as the UI does; resolves once every event the hub held at
 * `lastSeq` is applied (or it gave up), with when its first message (the
 * hello) arrived: how long the hub took to start answering.
 */
async function switchTo(url: string, lastSeq: number): Promise<{ ms: number; firstMs: number; close: () => Promise<void> }> {
  const started = performance.now();
  const link = new AgentLink({ url, WebSocket: WebSocket as unknown as ConstructorParameters<typeof AgentLink>[0]['WebSocket'], reconnect: false });
  let firstMs: number | undefined;
  link.on('message', () => {
    firstMs ??= performance.now() - started;
  });
  const target = new Target();
  target.attach(link);
  await new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      off();
      resolve();
    };
    const timer = setTimeout(done, SWITCH_GIVE_UP_MS);
    const off = target.subscribe(() => {
      if ((target.currentRun()?.lastSeq ?? 0) >= lastSeq) done();
    });
  });
  return { ms: Math.min(performance.now() - started, SWITCH_GIVE_UP_MS), firstMs: firstMs ?? SWITCH_GIVE_UP_MS, close: () => link.close() };
}

export default async function hub(): Promise<BenchResult[]> {
  // BENCH_CPU_PROF=<dir> profiles the hub process (node --cpu-prof) to find what dominates.
  const server = startChild('hub-server', [], process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []);
  const fleets: Child[] = [];
  try {
    const { port, token } = await server.next<{ type: string; port: number; token: string }>('ready');
    server.send({ type: 'stats' });
    const start = await server.next<HubStats>('stats');
    const baseline = start.rss;
    const hubUrl = `ws://127.0.0.1:${port}/agent?token=${token}`;
    const names = Array.from({ length: AGENTS }, (_, i) => `agent-${String(i).padStart(2, '0')}`);
    for (let i = 0; i < AGENTS; i += PER_PROCESS) {
      fleets.push(startChild('hub-agents', [JSON.stringify({ hubUrl, names: names.slice(i, i + PER_PROCESS), perSecond: PER_SECOND })]));
    }
    await Promise.all(fleets.map((fleet) => fleet.next('ready', 60_000)));
    const started = performance.now();

    server.send({ type: 'sample-start' });
    server.send({ type: 'cpu-start' });
    const runs = fleets.map((fleet) => {
      fleet.send({ type: 'run', seconds: SECONDS });
      const ran = fleet.next<{ type: string; published: Record<string, number> }>('ran', (SECONDS + 120) * 1000);
      // Awaited after the switches; a fleet that dies meanwhile must not crash the run before that.
      ran.catch(() => {});
      return ran;
    });
    const switches: number[] = [];
    const firsts: number[] = [];
    let current: { close: () => Promise<void> } | undefined;
    for (let n = 0; performance.now() - started < SECONDS * 1000; n++) {
      const name = names[(n * 7) % AGENTS]!;
      server.send({ type: 'stats' });
      const stats = await server.next<HubStats>('stats');
      const lastSeq = stats.targets.find((t) => t.key === name)?.lastSeq ?? 0;
      await current?.close();
      const switched = await switchTo(`ws://127.0.0.1:${port}/target/${encodeURIComponent(name)}?token=${token}`, lastSeq);
      switches.push(switched.ms);
      firsts.push(switched.firstMs);
      current = switched;
      await sleep(SWITCH_EVERY_MS);
    }
    const published: Record<string, number> = Object.assign({}, ...(await Promise.all(runs)).map((r) => r.published));
    const elapsed = (performance.now() - started) / 1000;
    // Let the hub take in what is still on its way, then count.
    await sleep(3000);
    server.send({ type: 'sample-stop' });
    const { samples } = await server.next<{ type: string; samples: MemorySample[] }>('samples');
    const peak = samples.reduce((max, sample) => (sample.rss > max.rss ? sample : max), start);
    server.send({ type: 'cpu-stop' });
    const { micros } = await server.next<{ type: string; micros: number }>('cpu');
    await current?.close();
    server.send({ type: 'stats' });
    const end = await server.next<HubStats>('stats');
    const deliveries = names.map((name) => {
      const target = end.targets.find((t) => t.key === name);
      return Math.min(1, (target?.received ?? 0) / Math.max(1, published[name] ?? 0));
    });
    const received = end.targets.reduce((sum, t) => sum + t.received, 0);
    const lost = end.targets.reduce((sum, t) => sum + t.lost, 0);
    if (process.env.BENCH_HUB_TRACE) writeFileSync(process.env.BENCH_HUB_TRACE, samples.map((sample) => `${sample.ms} ${breakdown(sample)}\n`).join(''));
    const budget = baseline / MIB + HISTORY_BUDGET_MIB + IN_FLIGHT_MIB;
    const setup = `${AGENTS} agents (${fleets.length} processes) × ${PER_SECOND.toLocaleString('en-US')} events/s for ${SECONDS} s, one UI switching every ${SWITCH_EVERY_MS / 1000} s`;
    return [
      {
        name: 'hub.rss.peak.mb',
        value: round1(peak.rss / MIB),
        unit: 'MiB',
        budget: { op: '<=', value: round1(budget) },
        note:
          `${setup}; budget = at start ${round1(baseline / MIB)} MiB + history ${HISTORY_BUDGET_MIB} MiB + in flight and GC slack ${IN_FLIGHT_MIB} MiB; ` +
          `at the peak (${round1(peak.ms / 1000)} s): ${breakdown(peak)}; at start: ${breakdown(start)}`,
      },
      { name: 'hub.history.mb', value: round1(end.historyBytes / MIB), unit: 'MiB', budget: { op: '<=', value: HISTORY_BUDGET_MIB } },
      {
        name: 'hub.delivered.min',
        value: round3(Math.min(...deliveries)),
        unit: 'ratio',
        budget: { op: '>=', value: 0.99 },
        note: `per agent, received by the hub / published; median ${round3(median(deliveries))}; agents reported ${lost.toLocaleString('en-US')} events lost in gaps`,
      },
      { name: 'hub.events_per_s', value: Math.round(received / elapsed), unit: 'events/s', note: `received by the hub over ${round1(elapsed)} s (offered: ${(AGENTS * PER_SECOND).toLocaleString('en-US')}/s)` },
      {
        name: 'hub.cpu_us_per_event',
        value: round3(micros / Math.max(1, received)),
        unit: 'µs',
        note: 'the hub process\'s CPU time (user + system) over the run per event received, relaying to the UI included: what it can take per core, whatever the machine\'s load',
      },
      { name: 'hub.switch.ms.p50', value: round1(median(switches)), unit: 'ms' },
      {
        name: 'hub.switch.ms.max',
        value: round1(Math.max(...switches)),
        unit: 'ms',
        budget: { op: '<=', value: 500 },
        note:
          `${switches.length} switches via the hub protocol (AgentLink + Target with its analysis, in the bench process), p90 ${round1(percentile(switches, 90))} ms; ` +
          `slowest: ${slowest(switches)}; the hello arrived after p50 ${round1(median(firsts))} ms, max ${round1(Math.max(...firsts))} ms`,
      },
    ];
  } finally {
    await Promise.all(fleets.map((fleet) => fleet.stop()));
    await server.stop();
  }
}

/** Where the hub's memory is, in MiB: resident, JS heap (used/total, the young generation's share), outside it (Buffers), what the histories hold. */
function breakdown(sample: MemorySample): string {
  const mib = (n: number) => Math.round(n / MIB);
  return (
    `rss ${mib(sample.rss)}, heap ${mib(sample.heapUsed)}/${mib(sample.heapTotal)} (new space ${mib(sample.newSpace)}), ` +
    `external ${mib(sample.external)} (array buffers ${mib(sample.arrayBuffers)}), history ${mib(sample.historyBytes)}`
  );
}

/** The three slowest switches with their place in the run (1 = the first, the code still cold). */
function slowest(switches: number[]): string {
  return switches
    .map((ms, i) => ({ ms, n: i + 1 }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 3)
    .map(({ ms, n }) => `#${n} ${Math.round(ms)} ms`)
    .join(', ');
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
