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
 * run has a second no-agent server, `control`, whose ratio to `none` shows
 * that run's; the figures "vs no agent" are against the mean of the two.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../shared/node/package-root.js';
import { median, type BenchResult } from './result.js';
import { type Child, startChild } from './workload/child.js';
import { EventCounter } from './workload/event-counter.js';
import type { HostVariant } from './workload/host-server.js';
import type { BridgeVariant } from './workload/reflector-server.js';

/** The installed version of a devDependency (neither package exports its package.json). */
const installed = (name: string): string =>
  (JSON.parse(readFileSync(join(packageRoot() ?? process.cwd(), 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
const REFLECTOR_VERSION = installed('rpc-reflector');
const WHY_VERSION = installed('why-is-node-running');

const VARIANTS: HostVariant[] = ['none', 'control', 'agent', 'attached', 'async', 'stacks'];
const CLIENTS = 8;
/** Requests per variant before measuring: the server processes warm up their JIT. */
const WARMUP = Number(process.env.BENCH_HOST_WARMUP ?? 60_000);
/** Requests per slice (about 60 ms) and cycles of one slice per variant. */
const SLICE = 5_000;
const CYCLES = Number(process.env.BENCH_HOST_CYCLES ?? 150);

/** The rpc-reflector bridge: variants, 4 clients of 16 calls in flight each, calls per slice. */
const BRIDGE_VARIANTS: BridgeVariant[] = ['none', 'control', 'agent', 'attached', 'why'];
const BRIDGE_CLIENTS = 4;
const BRIDGE_WARMUP = Number(process.env.BENCH_BRIDGE_WARMUP ?? 40_000);
const BRIDGE_SLICE = 4_000;
const BRIDGE_CYCLES = Number(process.env.BENCH_BRIDGE_CYCLES ?? 60);

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
  variant: string;
  child: Child;
  counter?: EventCounter;
  slices: Slice[];
}

/** One workload: its server and load-generator children and how a slice is asked for. */
interface Workload {
  server: string;
  loadgen: string;
  clients: number;
  /** The load generator's `run` command for `count` requests. */
  run(group: string, count: number): Record<string, unknown>;
}

const DEMO: Workload = {
  server: 'host-server',
  loadgen: 'host-clients',
  clients: CLIENTS,
  run: (group, requests) => ({ type: 'run', group, requests, measure: true }),
};

const BRIDGE: Workload = {
  server: 'reflector-server',
  loadgen: 'reflector-clients',
  clients: BRIDGE_CLIENTS,
  run: (group, calls) => ({ type: 'run', group, calls }),
};

async function startServer(workload: Workload, variant: string, loadgen: Child, dir: string): Promise<Server> {
  const socketPath = join(dir, `${workload.server}-${variant}.sock`);
  // BENCH_CPU_PROF=<dir> profiles every server process (node --cpu-prof) to find what dominates.
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = startChild(workload.server, [variant, socketPath], profile);
  pin(child.process.pid, 0);
  const { agentUrl } = await child.next<{ type: string; agentUrl: string }>('ready');
  const server: Server = { variant, child, slices: [] };
  if (variant === 'attached') {
    server.counter = new EventCounter(agentUrl);
    await server.counter.opened;
  }
  loadgen.send({ type: 'open', group: variant, socketPath, clients: workload.clients });
  await loadgen.next('opened');
  return server;
}

async function drive(workload: Workload, server: Server, loadgen: Child, count: number, measure: boolean): Promise<void> {
  server.child.send({ type: 'cpu-start' });
  loadgen.send(workload.run(server.variant, count));
  const { rps } = await loadgen.next<{ type: string; rps: number }>('result');
  server.child.send({ type: 'cpu-stop' });
  const { micros } = await server.child.next<{ type: string; micros: number }>('cpu');
  if (measure) server.slices.push({ rps, cpuPerRequest: micros / count });
}

/**
 * Every variant up at once, warmed up, then `cycles` cycles of one slice per
 * variant (the starting variant rotates each cycle). `during` runs with the
 * servers still up (latency queries); returns the servers with their slices
 * and the attached inspector's events per second.
 */
async function interleave(
  workload: Workload,
  variants: readonly string[],
  settings: { warmup: number; slice: number; cycles: number },
  during: (servers: Server[], loadgen: Child) => Promise<void> = async () => {},
): Promise<{ servers: Server[]; pinned: boolean; eventsPerS: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'bridgescope-bench-host-'));
  const loadgen = startChild(workload.loadgen);
  const servers: Server[] = [];
  let pinned = false;
  let eventsPerS = 0;
  try {
    await loadgen.next('ready');
    pinned = pin(loadgen.process.pid, 1);
    for (const variant of variants) servers.push(await startServer(workload, variant, loadgen, dir));
    for (const server of servers) await drive(workload, server, loadgen, settings.warmup, false);
    const attached = servers.find((s) => s.variant === 'attached');
    const eventsBefore = attached?.counter?.received ?? 0;
    let attachedMs = 0;
    for (let cycle = 0; cycle < settings.cycles; cycle++) {
      for (let k = 0; k < servers.length; k++) {
        const server = servers[(cycle + k) % servers.length]!;
        const started = performance.now();
        await drive(workload, server, loadgen, settings.slice, true);
        if (server === attached) attachedMs += performance.now() - started;
      }
    }
    if (attached?.counter) eventsPerS = ((attached.counter.received - eventsBefore) / attachedMs) * 1000;
    await during(servers, loadgen);
  } finally {
    for (const server of servers) {
      server.counter?.close();
      await server.child.stop();
    }
    await loadgen.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return { servers, pinned, eventsPerS };
}

/**
 * The servers with no agent. A ratio "vs no agent" is against their mean in
 * the same cycle: one process's heap layout and JIT luck moves its CPU per
 * request by up to 0.33 µs (none vs control in one run), more than the
 * idle budget, and two baselines halve what one of them can move a ratio.
 */
const NO_AGENT = ['none', 'control'];

/** Median of per-cycle ratios of `of(baseline) / of(variant)` (CPU per request) or `of(variant) / of(baseline)` (throughput). */
function medianRatio(servers: Server[], variant: string, by: 'rps' | 'cpu', baseline: readonly string[] = NO_AGENT): number {
  const slicesOf = (v: string) => servers.find((s) => s.variant === v)!.slices;
  const bases = baseline.map(slicesOf);
  const base = (i: number, pick: (s: Slice) => number) => bases.reduce((sum, slices) => sum + pick(slices[i]!), 0) / bases.length;
  return round3(
    median(slicesOf(variant).map((s, i) => (by === 'rps' ? s.rps / base(i, (b) => b.rps) : base(i, (b) => b.cpuPerRequest) / s.cpuPerRequest))),
  );
}

function medianOf(servers: Server[], variant: string, pick: (s: Slice) => number): number {
  return median(servers.find((s) => s.variant === variant)!.slices.map(pick));
}

export default async function host(): Promise<BenchResult[]> {
  const latency = new Map<string, number>();
  const demo = await interleave(DEMO, VARIANTS, { warmup: WARMUP, slice: SLICE, cycles: CYCLES }, async (servers, loadgen) => {
    for (const { variant } of servers) {
      loadgen.send({ type: 'latency', group: variant });
      latency.set(variant, (await loadgen.next<{ type: string; p99: number }>('latency')).p99);
    }
  });
  const bridge = await interleave(BRIDGE, BRIDGE_VARIANTS, { warmup: BRIDGE_WARMUP, slice: BRIDGE_SLICE, cycles: BRIDGE_CYCLES });

  const { servers } = demo;
  const cpu = (v: string) => round3(medianOf(servers, v, (s) => s.cpuPerRequest));
  const setup =
    `${CLIENTS} clients per variant, ${WARMUP.toLocaleString('en-US')} warm-up requests each, then ${CYCLES} cycles of one ` +
    `${SLICE.toLocaleString('en-US')}-request slice per variant; ${demo.pinned ? 'servers pinned to CPU 0, load generator to CPU 1' : 'not pinned (no taskset)'}`;
  const bridgeCpu = (v: string) => round3(medianOf(bridge.servers, v, (s) => s.cpuPerRequest));
  const bridgeSetup =
    `rpc-reflector ${REFLECTOR_VERSION} over a Unix socket, ${BRIDGE_CLIENTS} clients × 16 calls in flight (1 in 10 setVolume, heard by every ` +
    `subscribed client; the rest getStatus), a reload per client per second driven; ${BRIDGE_WARMUP.toLocaleString('en-US')} warm-up calls, ` +
    `then ${BRIDGE_CYCLES} cycles of one ${BRIDGE_SLICE.toLocaleString('en-US')}-call slice per variant; ratios are server CPU per call, no agent (the mean of none and control) / variant`;
  return [
    ...VARIANTS.map((v): BenchResult => ({
      name: `host.throughput.rps.${v}`,
      value: Math.round(medianOf(servers, v, (s) => s.rps)),
      unit: 'req/s',
      ...(v === 'none' && { note: setup }),
    })),
    ...VARIANTS.map((v): BenchResult => ({ name: `host.p99.ms.${v}`, value: round3(latency.get(v) ?? NaN), unit: 'ms' })),
    // Server CPU per request: what the ratios are made of.
    ...VARIANTS.map((v): BenchResult => ({ name: `host.cpu_us_per_req.${v}`, value: cpu(v), unit: 'µs' })),
    {
      name: 'host.cpu_us_per_req.idle_minus_none',
      value: round3(cpu('agent') - (cpu('none') + cpu('control')) / 2),
      unit: 'µs',
      budget: { op: '<=', value: 0.25 },
      note:
        'what an idle agent adds to each request: host.cpu_us_per_req.agent − the mean of .none and .control (medians of the same run); ' +
        `against none alone ${round3(cpu('agent') - cpu('none'))}, against control alone ${round3(cpu('agent') - cpu('control'))}`,
    },
    { name: 'host.throughput.ratio.control', value: medianRatio(servers, 'control', 'rps', ['none']), unit: 'x', note: 'a second server with no agent, vs the first: how far a ratio strays from 1 in this run' },
    { name: 'host.throughput.ratio.idle', value: medianRatio(servers, 'agent', 'rps'), unit: 'x', budget: { op: '>=', value: 0.97 }, note: "agent embedded (attribution 'sync', captureStacks false), no inspector, vs no agent (per cycle, the mean of none and control)" },
    {
      name: 'host.throughput.ratio.attached',
      value: medianRatio(servers, 'attached', 'rps'),
      unit: 'x',
      budget: { op: '>=', value: 0.96 },
      note: `agent as in idle + one inspector receiving everything (~${Math.round(demo.eventsPerS).toLocaleString('en-US')} events/s), vs no agent`,
    },
    { name: 'host.throughput.ratio.async', value: medianRatio(servers, 'async', 'rps'), unit: 'x', note: "agent with attribution across async work (the default 'async'), captureStacks false, no inspector, vs no agent" },
    { name: 'host.throughput.ratio.stacks', value: medianRatio(servers, 'stacks', 'rps'), unit: 'x', note: "agent with its defaults (attribution 'async', 10-frame creation stacks), no inspector, vs no agent" },
    ...BRIDGE_VARIANTS.map((v): BenchResult => ({ name: `host.bridge.cpu_us_per_call.${v}`, value: bridgeCpu(v), unit: 'µs', ...(v === 'none' && { note: bridgeSetup }) })),
    { name: 'host.bridge.ratio.control', value: medianRatio(bridge.servers, 'control', 'cpu', ['none']), unit: 'x', note: 'a second bridge with no agent, vs the first' },
    { name: 'host.bridge.ratio.idle', value: medianRatio(bridge.servers, 'agent', 'cpu'), unit: 'x', budget: { op: '>=', value: 0.98 }, note: "agent embedded (attribution 'sync', captureStacks false, the API object watched), no inspector" },
    {
      name: 'host.bridge.ratio.attached',
      value: medianRatio(bridge.servers, 'attached', 'cpu'),
      unit: 'x',
      budget: { op: '>=', value: 0.97 },
      note: `as idle + one inspector receiving everything (~${Math.round(bridge.eventsPerS).toLocaleString('en-US')} events/s)`,
    },
    {
      name: 'host.peer.why_is_node_running.ratio',
      value: medianRatio(bridge.servers, 'why', 'cpu'),
      unit: 'x',
      note: `why-is-node-running ${WHY_VERSION} loaded (an async hook recording every resource with its stack), no agent; attached Bridgescope must measure higher`,
    },
    {
      name: 'host.peer.why_is_node_running.margin',
      value: round3(medianRatio(bridge.servers, 'attached', 'cpu') - medianRatio(bridge.servers, 'why', 'cpu')),
      unit: 'x',
      budget: { op: '>=', value: 0 },
      note: 'host.bridge.ratio.attached − host.peer.why_is_node_running.ratio: an attached Bridgescope must cost the bridge less than the peer',
    },
  ];
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
