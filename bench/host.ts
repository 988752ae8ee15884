/**
 * host.*: what the agent costs the backend that embeds it, on the demo bridge
 * workload (bench/workload/host-server.ts + host-clients.ts). Each variant is
 * its own server process, all running side by side; one load-generator
 * process keeps a group of clients connected to each and drives them one at a
 * time in short slices, cycling through the variants (the starting variant
 * rotates each cycle). Ratios are medians of per-cycle ratios: a cycle lasts
 * about a quarter of a second, so the shared machine's drift and bursts hit
 * every variant alike. Where `taskset` exists, servers share one CPU and the
 * load generator has the other, so the scheduler cannot move them around.
 * Measured noise (A/A, four identical "none" servers): medians within ±1.5 %
 * of each other, against 0.78–1.28 with separate multi-second rounds. Every
 * run has a second no-agent server, `control`, whose ratio shows that run's.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, type BenchResult } from './result.js';
import { type Child, startChild } from './workload/child.js';
import { EventCounter } from './workload/event-counter.js';
import type { HostVariant } from './workload/host-server.js';

const VARIANTS: HostVariant[] = ['none', 'control', 'agent', 'attached', 'async', 'stacks'];
const CLIENTS = 8;
/** Requests per variant before measuring: the server processes warm up their JIT. */
const WARMUP = Number(process.env.BENCH_HOST_WARMUP ?? 60_000);
/** Requests per slice (about 60 ms) and cycles of one slice per variant. */
const SLICE = 5_000;
const CYCLES = Number(process.env.BENCH_HOST_CYCLES ?? 150);

/** Pins a process (all its threads) to one CPU, where the machine has two and `taskset`; false otherwise. */
function pin(pid: number | undefined, cpu: number): boolean {
  if (pid === undefined || process.platform !== 'linux' || cpus().length < 2) return false;
  try {
    execFileSync('taskset', ['-apc', String(cpu), String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

interface Slice {
  rps: number;
  /** Server CPU time (user + system) per request, in µs. */
  cpuPerRequest: number;
}

interface Server {
  variant: HostVariant;
  child: Child;
  counter?: EventCounter;
  slices: Slice[];
}

async function startServer(variant: HostVariant, loadgen: Child, dir: string): Promise<Server> {
  const socketPath = join(dir, `${variant}.sock`);
  // BENCH_CPU_PROF=<dir> profiles every server process (node --cpu-prof) to find what dominates.
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = startChild('host-server', [variant, socketPath], profile);
  pin(child.process.pid, 0);
  const { agentUrl } = await child.next<{ type: string; agentUrl: string }>('ready');
  const server: Server = { variant, child, slices: [] };
  if (variant === 'attached') {
    server.counter = new EventCounter(agentUrl);
    await server.counter.opened;
  }
  loadgen.send({ type: 'open', group: variant, socketPath, clients: CLIENTS });
  await loadgen.next('opened');
  return server;
}

async function drive(server: Server, loadgen: Child, requests: number, measure: boolean): Promise<void> {
  server.child.send({ type: 'cpu-start' });
  loadgen.send({ type: 'run', group: server.variant, requests, measure });
  const { rps } = await loadgen.next<{ type: string; rps: number }>('result');
  server.child.send({ type: 'cpu-stop' });
  const { micros } = await server.child.next<{ type: string; micros: number }>('cpu');
  if (measure) server.slices.push({ rps, cpuPerRequest: micros / requests });
}

export default async function host(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bridgescope-bench-host-'));
  const loadgen = startChild('host-clients');
  const servers: Server[] = [];
  const latency = new Map<HostVariant, number>();
  let eventsPerS = 0;
  let pinned = false;
  try {
    await loadgen.next('ready');
    pinned = pin(loadgen.process.pid, 1);
    for (const variant of VARIANTS) servers.push(await startServer(variant, loadgen, dir));
    for (const server of servers) await drive(server, loadgen, WARMUP, false);
    const attached = servers.find((s) => s.variant === 'attached')!;
    const eventsBefore = attached.counter!.received;
    let attachedMs = 0;
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      for (let k = 0; k < servers.length; k++) {
        const server = servers[(cycle + k) % servers.length]!;
        const started = performance.now();
        await drive(server, loadgen, SLICE, true);
        if (server === attached) attachedMs += performance.now() - started;
      }
    }
    eventsPerS = ((attached.counter!.received - eventsBefore) / attachedMs) * 1000;
    for (const { variant } of servers) {
      loadgen.send({ type: 'latency', group: variant });
      latency.set(variant, (await loadgen.next<{ type: string; p99: number }>('latency')).p99);
    }
  } finally {
    for (const server of servers) {
      server.counter?.close();
      await server.child.stop();
    }
    await loadgen.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  const slicesOf = (variant: HostVariant) => servers.find((s) => s.variant === variant)!.slices;
  const ratio = (variant: HostVariant) => round3(median(slicesOf(variant).map((s, i) => s.rps / slicesOf('none')[i]!.rps)));
  const setup =
    `${CLIENTS} clients per variant, ${WARMUP.toLocaleString('en-US')} warm-up requests each, then ${CYCLES} cycles of one ` +
    `${SLICE.toLocaleString('en-US')}-request slice per variant; ${pinned ? 'servers pinned to CPU 0, load generator to CPU 1' : 'not pinned (no taskset)'}`;
  return [
    ...VARIANTS.map((v): BenchResult => ({
      name: `host.throughput.rps.${v}`,
      value: Math.round(median(slicesOf(v).map((s) => s.rps))),
      unit: 'req/s',
      ...(v === 'none' && { note: setup }),
    })),
    ...VARIANTS.map((v): BenchResult => ({ name: `host.p99.ms.${v}`, value: round3(latency.get(v) ?? NaN), unit: 'ms' })),
    // Server CPU per request: what the ratios are made of.
    ...VARIANTS.map((v): BenchResult => ({ name: `host.cpu_us_per_req.${v}`, value: round3(median(slicesOf(v).map((s) => s.cpuPerRequest))), unit: 'µs' })),
    { name: 'host.throughput.ratio.control', value: ratio('control'), unit: 'x', note: 'a second server with no agent, vs no agent: how far a ratio strays from 1 in this run' },
    { name: 'host.throughput.ratio.idle', value: ratio('agent'), unit: 'x', budget: { op: '>=', value: 0.99 }, note: "agent embedded (attribution 'sync', captureStacks false), no inspector (so its analysis does not run), vs no agent" },
    {
      name: 'host.throughput.ratio.attached',
      value: ratio('attached'),
      unit: 'x',
      budget: { op: '>=', value: 0.97 },
      note: `agent as in idle + one inspector receiving everything (~${Math.round(eventsPerS).toLocaleString('en-US')} events/s), vs no agent`,
    },
    { name: 'host.throughput.ratio.async', value: ratio('async'), unit: 'x', note: "agent with attribution across async work (the default 'async'), captureStacks false, no inspector, vs no agent" },
    { name: 'host.throughput.ratio.stacks', value: ratio('stacks'), unit: 'x', note: "agent with its defaults (attribution 'async', 10-frame creation stacks), no inspector, vs no agent" },
  ];
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
