/**
 * host.*: what the agent costs the backend that embeds it, on the demo bridge
 * workload (bench/workload/host-server.ts + host-clients.ts). Four variants,
 * each round in a fresh server process, interleaved none → agent → attached →
 * stacks, ROUNDS times; one warmed-up load-generator process drives them all.
 * Ratios are medians of the per-round ratios (each round's variants ran back
 * to back, so slow drift of the shared machine cancels out).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, type BenchResult } from './result.js';
import { startChild } from './workload/child.js';
import { EventCounter } from './workload/event-counter.js';
import type { HostVariant } from './workload/host-server.js';

const VARIANTS: HostVariant[] = ['none', 'agent', 'attached', 'stacks'];
const ROUNDS = Number(process.env.BENCH_HOST_ROUNDS ?? 5);
const CLIENTS = 8;
/**
 * Requests before measuring (the fresh server process warms up its JIT), and
 * measured per round. Rounds of 40,000 after 8,000 (half a second) mostly
 * measured the agent's code still warming up: ratios 0.65 there against 0.77
 * here, in steady state.
 */
const WARMUP = 40_000;
const REQUESTS = 200_000;

interface RoundResult {
  rps: number;
  p99: number;
  /** Server CPU time (user + system) per measured request, in µs. */
  cpuPerRequest: number;
  /** Events the attached inspector received per second of the round (attached only). */
  eventsPerS?: number;
}

async function runRound(variant: HostVariant, loadgen: ReturnType<typeof startChild>, dir: string, round: number): Promise<RoundResult> {
  const socketPath = join(dir, `${variant}-${round}.sock`);
  // BENCH_CPU_PROF=<dir> profiles every server process (node --cpu-prof) to find what dominates.
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const server = startChild('host-server', [variant, socketPath], profile);
  let counter: EventCounter | undefined;
  try {
    const { agentUrl } = await server.next<{ type: string; agentUrl: string }>('ready');
    if (variant === 'attached') {
      counter = new EventCounter(agentUrl);
      await counter.opened;
    }
    const started = performance.now();
    const before = counter?.received ?? 0;
    loadgen.send({ type: 'run', socketPath, clients: CLIENTS, warmup: WARMUP, requests: REQUESTS });
    await loadgen.next('measuring');
    server.send({ type: 'cpu-start' });
    const result = await loadgen.next<{ type: string; rps: number; p99: number }>('result');
    server.send({ type: 'cpu-stop' });
    const { micros } = await server.next<{ type: string; micros: number }>('cpu');
    const seconds = (performance.now() - started) / 1000;
    return {
      rps: result.rps,
      p99: result.p99,
      cpuPerRequest: micros / REQUESTS,
      ...(counter && { eventsPerS: (counter.received - before) / seconds }),
    };
  } finally {
    counter?.close();
    await server.stop();
  }
}

export default async function host(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bridgescope-bench-host-'));
  const loadgen = startChild('host-clients');
  const rounds: Record<HostVariant, RoundResult[]> = { none: [], agent: [], attached: [], stacks: [] };
  try {
    await loadgen.next('ready');
    for (let round = 0; round < ROUNDS; round++) {
      for (const variant of VARIANTS) rounds[variant].push(await runRound(variant, loadgen, dir, round));
    }
  } finally {
    await loadgen.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  const ratio = (variant: HostVariant) => round3(median(rounds[variant].map((r, i) => r.rps / rounds.none[i]!.rps)));
  const perRound = (variant: HostVariant) => rounds[variant].map((r) => Math.round(r.rps)).join(', ');
  const events = median(rounds.attached.map((r) => r.eventsPerS ?? 0));
  const setup = `${CLIENTS} clients, ${REQUESTS.toLocaleString('en-US')} measured requests per round after ${WARMUP.toLocaleString('en-US')} warm-up, ${ROUNDS} interleaved rounds`;
  return [
    ...VARIANTS.map((v): BenchResult => ({
      name: `host.throughput.rps.${v}`,
      value: Math.round(median(rounds[v].map((r) => r.rps))),
      unit: 'req/s',
      ...(v === 'none' && { note: `${setup}; per round: ${VARIANTS.map((x) => `${x} [${perRound(x)}]`).join('; ')}` }),
    })),
    ...VARIANTS.map((v): BenchResult => ({ name: `host.p99.ms.${v}`, value: round3(median(rounds[v].map((r) => r.p99))), unit: 'ms' })),
    // Server CPU per request: steadier than throughput on a busy machine, and what the ratios are made of.
    ...VARIANTS.map((v): BenchResult => ({ name: `host.cpu_us_per_req.${v}`, value: round3(median(rounds[v].map((r) => r.cpuPerRequest))), unit: 'µs' })),
    { name: 'host.throughput.ratio.idle', value: ratio('agent'), unit: 'x', budget: { op: '>=', value: 0.99 }, note: 'agent embedded (captureStacks false), no inspector, vs no agent' },
    {
      name: 'host.throughput.ratio.attached',
      value: ratio('attached'),
      unit: 'x',
      budget: { op: '>=', value: 0.97 },
      note: `agent + one inspector receiving everything (~${Math.round(events).toLocaleString('en-US')} events/s), vs no agent`,
    },
    { name: 'host.throughput.ratio.stacks', value: ratio('stacks'), unit: 'x', note: 'agent with creation stacks on (the default, 10 frames), no inspector, vs no agent' },
  ];
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
