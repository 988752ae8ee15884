/**
 * `npm run soak -- --minutes N` (default 10; fractions allowed): a long run of
 * a bridge backend with the agent embedded, apps reloading against it (some
 * abandoning their old socket, as in the reload-leak story), inspectors
 * attaching and detaching (one of them slow), and teardown actions fired at
 * random. Prints events processed, events dropped by reason, peak and final
 * backend heap, and findings. Exits 1 when the backend heap grows past the
 * bound, or when any inspector lost an event without a gap counting it
 * (for every inspector: events received + gap counts == events published).
 *
 * The backend runs in its own process (`--role backend`, with --expose-gc) so
 * its heap is measured apart from the inspectors and apps driving it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { createAgent } from '../agent/index.js';
import { createAnalysis } from '../shared/analysis/index.js';
import type { AgentEvent, AgentMessage } from '../shared/protocol.js';

const TOKEN = 'soak-token';
/** Backend heap (after GC) may exceed its post-warm-up level by at most this much. */
const HEAP_BOUND = 48 * 1024 * 1024;
/** Share of the run before the heap baseline is taken: the ring buffer fills up first. */
const WARM_UP = 0.15;
const BUFFER_SIZE = 5000;

interface Stats {
  heapUsed: number;
  lastSeq: number;
  inspectors: number;
}

// ---------------------------------------------------------------------------
// Backend role: an app with the agent, a bridge-like server, a manager emitter
// and a handle table, much like demo/ but compact and self-contained.
// ---------------------------------------------------------------------------

async function backend(): Promise<void> {
  const agent = createAgent({
    port: 0,
    token: TOKEN,
    logger: false,
    name: 'soak-backend',
    bufferSize: BUFFER_SIZE,
    actionTimeout: 500,
  });
  const manager = new EventEmitter();
  manager.setMaxListeners(0);
  agent.watchEmitter(manager, { name: 'manager' });
  const rooms = agent.handleTable<{ peer: string }>('rooms');
  let strict = false;
  agent.defineAction('toggle-strict', () => (strict = !strict), { label: 'Toggle strict cleanup' });

  const lastSeen = new Map<net.Socket, number>();
  const server = net.createServer((socket) => {
    lastSeen.set(socket, Date.now());
    const onUpdate = (line: string) => socket.write(line);
    manager.on('update', onUpdate);
    const room = rooms.store({ peer: String(socket.remotePort) }, { type: 'room' });
    const tracks: (string | number)[] = [];
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      lastSeen.set(socket, Date.now());
      for (const line of chunk.split('\n')) {
        if (line === 'join') tracks.push(rooms.store({ peer: 'track' }, { type: 'track', parent: room }));
        else if (line === 'leave' && tracks.length > 0) rooms.drop(tracks.pop()!);
      }
    });
    socket.on('error', () => {});
    socket.on('end', () => socket.end());
    socket.on('close', () => {
      lastSeen.delete(socket);
      manager.off('update', onUpdate);
      rooms.drop(room);
    });
  });
  // Sessions idle for a while are reaped (faster in strict mode): an abandoned socket leaks only for a bounded time.
  const reaper = setInterval(() => {
    const limit = Date.now() - (strict ? 1000 : 3000);
    for (const [socket, seen] of lastSeen) if (seen < limit) socket.destroy();
  }, 250);
  let tick = 0;
  const emitter = setInterval(() => manager.emit('update', `tick ${++tick}\n`), 50);

  await agent.ready;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const internals = agent as unknown as { log: { lastSeq: number } };
  process.on('message', async (message: { type: string }) => {
    if (message.type === 'stats') {
      (globalThis as { gc?: () => void }).gc?.();
      const stats: Stats = { heapUsed: process.memoryUsage().heapUsed, lastSeq: internals.log.lastSeq, inspectors: agent.inspectors };
      process.send?.({ type: 'stats', ...stats });
    } else if (message.type === 'quiesce') {
      // Stop producing events, so every inspector can be checked against a final seq.
      clearInterval(emitter);
      clearInterval(reaper);
      for (const socket of lastSeen.keys()) socket.destroy();
      server.close();
      setTimeout(() => {
        agent.mark('soak:end');
        process.send?.({ type: 'quiet', lastSeq: internals.log.lastSeq });
      }, 1500);
    } else if (message.type === 'stop') {
      await agent.close();
      process.disconnect?.();
    }
  });
  process.send?.({ type: 'ready', agentUrl: agent.url, port: (server.address() as net.AddressInfo).port });
}

// ---------------------------------------------------------------------------
// Driver role: apps, inspectors and actions against the backend.
// ---------------------------------------------------------------------------

/** Whatever an inspector receives, accounted: every seq must be received once or covered by a gap. */
class SoakInspector {
  readonly ws: WebSocket;
  received = 0;
  /** Gap counts by reason, while attached. */
  readonly dropped: Record<string, number> = {};
  /** Events already gone from the ring when it attached (announced by the first, evicted gap): history, not a drop. */
  history = 0;
  /** Highest seq accounted for (received or covered by a gap). */
  covered = 0;
  /** Problems with the stream (a seq twice, out of order, or skipped without a gap). */
  readonly errors: string[] = [];
  /** The stream's findings, computed here as every inspector does. */
  readonly analysis = createAnalysis();
  readonly openConns = new Set<string>();
  private readonly pending = new Map<number, (message: Extract<AgentMessage, { type: 'response' }>) => void>();
  private nextId = 1;

  constructor(
    url: string,
    readonly name: string,
    /** Resumed after this seq (`?since=`), or undefined for a fresh subscribe. */
    private readonly since?: number,
  ) {
    this.covered = since ?? 0;
    this.ws = new WebSocket(since === undefined ? url : `${url}&since=${since}`);
    this.ws.on('error', () => {});
    this.ws.on('message', (data) => this.onMessage(JSON.parse(data.toString()) as AgentMessage));
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  request(body: Record<string, unknown>): Promise<Extract<AgentMessage, { type: 'response' }>> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.ws.send(JSON.stringify({ ...body, id }));
    });
  }

  /** Stop reading for a while (a slow inspector). */
  stall(ms: number): void {
    const socket = (this.ws as WebSocket & { _socket?: net.Socket })._socket;
    socket?.pause();
    setTimeout(() => socket?.resume(), ms).unref();
  }

  private onMessage(message: AgentMessage): void {
    switch (message.type) {
      case 'snapshot':
        // Events older than the ring that are still alive; the evicted gap that follows excludes them.
        for (const e of message.events) this.see(e, true);
        break;
      case 'batch':
        for (const e of message.events) {
          if (e.seq !== this.covered + 1) this.errors.push(`${this.name}: seq ${e.seq} after ${this.covered}`);
          this.covered = Math.max(this.covered, e.seq);
          this.see(e, false);
        }
        break;
      case 'gap':
        if (message.from === 1 && message.reason === 'evicted' && this.since === undefined) {
          this.history += message.count;
          this.covered = message.to;
        } else {
          this.dropped[message.reason] = (this.dropped[message.reason] ?? 0) + message.count;
          if (message.from !== this.covered + 1) this.errors.push(`${this.name}: gap from ${message.from} after ${this.covered}`);
          this.covered = message.to;
        }
        break;
      case 'response':
        this.pending.get(Number(message.id))?.(message);
        this.pending.delete(Number(message.id));
        break;
      default:
        break;
    }
  }

  private see(e: AgentEvent, inSnapshot: boolean): void {
    this.received++;
    // Snapshot events are older than the ring; without an evicted gap after them they cover 1..oldest-1 themselves.
    if (inSnapshot) this.covered = Math.max(this.covered, e.seq);
    this.analysis.apply(e);
    if (e.type === 'conn.open') this.openConns.add(e.conn);
    else if (e.type === 'conn.close') this.openConns.delete(e.conn);
  }

  /** Received + gap counts must equal the published count up to `covered`. */
  accountingError(): string | undefined {
    if (this.errors.length > 0) return this.errors[0];
    const gaps = this.history + Object.values(this.dropped).reduce((a, b) => a + b, 0);
    const base = this.since ?? 0;
    if (base + this.received + gaps !== this.covered) {
      return `${this.name}: received ${this.received} + gaps ${gaps} (+ resumed after ${base}) != ${this.covered} published`;
    }
    return undefined;
  }
}

const random = (() => {
  let seed = 0x5eed;
  return () => {
    seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
})();

/** An app that connects, works a little, then reloads: properly (end) or leakily (abandons the socket). */
async function app(port: number, stop: () => boolean): Promise<void> {
  const abandoned: net.Socket[] = [];
  while (!stop()) {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => {});
    socket.resume();
    await new Promise<void>((resolve) => {
      socket.once('connect', resolve);
      socket.once('close', () => resolve());
    });
    for (let i = 0; i < 8 && !socket.destroyed; i++) {
      socket.write(random() < 0.6 ? 'join\n' : 'leave\n');
      await sleep(10 + random() * 60);
    }
    if (random() < 0.3) abandoned.push(socket);
    else socket.end();
    // Abandoned sockets are finally dropped by the client after a while (bounded, like a process restart).
    while (abandoned.length > 5) abandoned.shift()!.destroy();
  }
  for (const s of abandoned) s.destroy();
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function request<T>(child: ChildProcess, message: { type: string }, answer: string): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (reply: { type: string }) => {
      if (reply.type !== answer) return;
      child.off('message', onMessage);
      resolve(reply as T);
    };
    child.on('message', onMessage);
    child.send(message);
  });
}

function waitOpen(inspector: SoakInspector): Promise<boolean> {
  return new Promise((resolve) => {
    if (inspector.open) return resolve(true);
    inspector.ws.once('open', () => resolve(true));
    inspector.ws.once('close', () => resolve(false));
  });
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

async function driver(minutes: number): Promise<number> {
  const durationMs = minutes * 60_000;
  const child = fork(fileURLToPath(import.meta.url), ['--role', 'backend'], { execArgv: ['--import', 'tsx', '--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = await new Promise<{ agentUrl: string; port: number }>((resolve, reject) => {
    child.once('message', resolve as (m: unknown) => void);
    child.once('exit', (code) => reject(new Error(`the soak backend exited with ${code}`)));
  });
  const started = Date.now();
  const elapsed = () => Date.now() - started;
  let stopping = false;
  const problems: string[] = [];

  // Two inspectors stay for the whole run; the second one is slow now and then.
  const steady = [new SoakInspector(ready.agentUrl, 'steady'), new SoakInspector(ready.agentUrl, 'slow')];
  await Promise.all(steady.map(waitOpen));
  const finished: SoakInspector[] = [];
  const apps = Array.from({ length: 5 }, () => app(ready.port, () => stopping));

  let actions = 0;
  const verdicts: Record<string, number> = {};
  let transient = 0;
  let baseline: number | undefined;
  let peak = 0;
  let lastStats: Stats | undefined;

  const sample = async () => {
    const stats = await request<Stats>(child, { type: 'stats' }, 'stats');
    lastStats = stats;
    if (baseline === undefined && elapsed() >= durationMs * WARM_UP) baseline = stats.heapUsed;
    if (baseline !== undefined) peak = Math.max(peak, stats.heapUsed);
  };

  const churn = (async () => {
    while (!stopping) {
      // Inspectors come and go: fresh subscribes and resumes, clean closes and dropped sockets.
      const since = random() < 0.3 && lastStats ? Math.max(0, lastStats.lastSeq - Math.floor(random() * BUFFER_SIZE * 2)) : undefined;
      const inspector = new SoakInspector(ready.agentUrl, `transient-${++transient}`, since);
      if (await waitOpen(inspector)) {
        await sleep(300 + random() * 2500);
        if (random() < 0.5) inspector.ws.close();
        else inspector.ws.terminate();
      }
      finished.push(inspector);
      await sleep(random() * 500);
    }
  })();

  const acting = (async () => {
    while (!stopping) {
      await sleep(200 + random() * 600);
      const [actor] = steady;
      if (!actor?.open) continue;
      const conns = [...actor.openConns];
      const body =
        random() < 0.1 || conns.length === 0
          ? { type: 'act', name: 'toggle-strict' }
          : { type: 'act', conn: conns[Math.floor(random() * conns.length)], name: random() < 0.5 ? 'disconnect' : 'close' };
      const reply = await actor.request(body);
      actions++;
      const key = reply.error ? reply.error.code : String((reply.result as { verdict?: string } | undefined)?.verdict);
      verdicts[key] = (verdicts[key] ?? 0) + 1;
    }
  })();

  const stalls = setInterval(() => steady[1]!.stall(1500 + random() * 1500), 8000);
  const report = setInterval(() => {
    if (lastStats) console.log(`[soak] ${(elapsed() / 1000).toFixed(0)}s: ${lastStats.lastSeq} events, heap ${mib(lastStats.heapUsed)}, ${lastStats.inspectors} inspectors`);
  }, 15_000);

  while (elapsed() < durationMs) {
    await sleep(1000);
    await sample();
  }
  stopping = true;
  clearInterval(stalls);
  clearInterval(report);
  await Promise.all([churn, acting, ...apps]);
  const quiet = await request<{ lastSeq: number }>(child, { type: 'quiesce' }, 'quiet');
  // The steady inspectors must account for every event up to the last one.
  const deadline = Date.now() + 30_000;
  while (steady.some((s) => s.covered < quiet.lastSeq) && Date.now() < deadline) await sleep(100);
  await sample();
  const final = lastStats!;
  for (const s of steady) {
    if (s.covered !== quiet.lastSeq) problems.push(`${s.name}: accounted up to seq ${s.covered}, but ${quiet.lastSeq} were published`);
    s.ws.close();
  }
  for (const inspector of [...steady, ...finished]) {
    const error = inspector.accountingError();
    if (error) problems.push(`event lost without being counted: ${error}`);
  }
  // The backend closes its agent and must then exit by itself.
  const exited = new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)));
  child.send({ type: 'stop' });
  const exitTimer = setTimeout(() => {
    problems.push('the backend did not exit by itself after agent.close()');
    child.kill('SIGKILL');
  }, 15_000);
  await exited;
  clearTimeout(exitTimer);

  const dropped: Record<string, number> = {};
  let history = 0;
  for (const inspector of [...steady, ...finished]) {
    history += inspector.history;
    for (const [reason, count] of Object.entries(inspector.dropped)) dropped[reason] = (dropped[reason] ?? 0) + count;
  }
  const rules: Record<string, number> = {};
  for (const { rule } of steady[0]!.analysis.findings()) rules[rule] = (rules[rule] ?? 0) + 1;
  const base = baseline ?? final.heapUsed;
  if (peak - base > HEAP_BOUND) problems.push(`backend heap grew from ${mib(base)} to a peak of ${mib(peak)} (bound: +${mib(HEAP_BOUND)})`);

  console.log(`soak: ${minutes} min (ring ${BUFFER_SIZE} events)`);
  console.log(`  events processed:  ${quiet.lastSeq}`);
  console.log(`  events dropped:    ${Object.entries(dropped).map(([r, n]) => `${r} ${n}`).join(', ') || 'none'} (summed over inspectors, every one counted in a gap)`);
  console.log(`  history skipped:   ${history} (older than the ring when an inspector attached; announced by its first gap)`);
  console.log(`  inspectors:        ${steady.length} steady, ${finished.length} transient`);
  console.log(`  actions:           ${actions} (${Object.entries(verdicts).map(([v, n]) => `${v} ${n}`).join(', ')})`);
  console.log(`  backend heap:      baseline ${mib(base)}, peak ${mib(peak)}, final ${mib(final.heapUsed)} (bound +${mib(HEAP_BOUND)})`);
  console.log(`  findings:          ${Object.entries(rules).map(([r, n]) => `${r} ${n}`).join(', ') || 'none'}`);
  console.log(problems.length === 0 ? 'soak: PASS' : `soak: FAIL\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return problems.length === 0 ? 0 : 1;
}

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10' }, role: { type: 'string', default: 'driver' } } });
if (values.role === 'backend') {
  await backend();
} else {
  const minutes = Number(values.minutes);
  if (!(minutes > 0)) {
    console.error('usage: npm run soak -- --minutes N (N > 0, fractions allowed)');
    process.exit(2);
  }
  process.exitCode = await driver(minutes);
}
