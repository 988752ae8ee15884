/**
 * Helpers for the hub tests: fixture agents and `bridgescope` commands in
 * their own processes, a UI socket that records what it receives, and
 * condition waits.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import type { PairRequest } from '../../shared/protocol.js';
import { agentProof, InstanceKey, newNonce } from '../../shared/node/pairing.js';
import type { Logger } from '../../shared/logger.js';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const fixture = join(repoRoot, 'e2e/fixtures/attach-agent.ts');
const hubFixture = join(repoRoot, 'inspector/server/fixtures/hub.ts');

export async function waitFor<T>(probe: () => T | undefined | false, what: string, timeout = 15_000): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export interface FixtureLine {
  type: string;
  [key: string]: unknown;
}

/** One fixture backend (e2e/fixtures/attach-agent.ts) in its own process. */
export class FixtureAgent {
  readonly lines: FixtureLine[] = [];
  readonly stderr: string[] = [];
  readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<number | null>;

  constructor(env: Record<string, string>) {
    this.child = spawn(process.execPath, ['--import', 'tsx', fixture], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      try {
        this.lines.push(JSON.parse(line) as FixtureLine);
      } catch {
        this.stderr.push(line);
      }
    });
    createInterface({ input: this.child.stderr }).on('line', (line) => this.stderr.push(line));
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  async ready(): Promise<{ instance: string; pid: number; url: string }> {
    const line = await waitFor(() => this.lines.find((l) => l.type === 'ready'), 'the fixture agent to start', 20_000);
    return line as unknown as { instance: string; pid: number; url: string };
  }

  /** Sends a command and waits for its `ok`. */
  async command(text: string): Promise<void> {
    const before = this.lines.filter((l) => l.type === 'ok').length;
    this.child.stdin.write(`${text}\n`);
    await waitFor(() => this.lines.filter((l) => l.type === 'ok').length > before, `fixture command "${text}"`);
  }

  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}

/** A WebSocket that keeps every JSON message it receives. */
export class RecordingSocket {
  readonly messages: Array<{ type: string; [key: string]: unknown }> = [];
  readonly ws: WebSocket;
  readonly opened: Promise<void>;

  constructor(url: string, options: WebSocket.ClientOptions = {}) {
    this.ws = new WebSocket(url, options);
    this.ws.on('message', (data) => this.messages.push(JSON.parse(String(data))));
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
  }

  send(message: unknown): void {
    this.ws.send(JSON.stringify(message));
  }

  close(): void {
    this.ws.terminate();
  }
}

/** Event seqs of one instance's run in what a /target socket received. */
export function seqsOf(messages: RecordingSocket['messages']): number[] {
  return messages.flatMap((m) => (m.type === 'batch' ? (m.events as Array<{ seq: number }>).map((e) => e.seq) : []));
}

export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    debug: (m) => lines.push(`debug: ${m}`),
    warn: (m) => lines.push(`warn: ${m}`),
    error: (m) => lines.push(`error: ${m}`),
  };
}

export async function tempDir(): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'bridgescope-serve-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** `bridgescope <command>` in its own process, as a user runs it (through tsx, from the checkout). */
export interface CliProcess {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout matches, with the match. */
  printed(pattern: RegExp, timeout?: number): Promise<RegExpMatchArray>;
  alive(): boolean;
  stop(): Promise<void>;
}

export function startCli(args: string[], env: Record<string, string> = {}): CliProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'inspector/cli/main.ts', ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  child.stderr.on('data', (chunk) => (err += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    alive,
    async printed(pattern, timeout = 60_000) {
      const deadline = Date.now() + timeout;
      for (;;) {
        const match = pattern.exec(out);
        if (match) return match;
        if (!alive()) throw new Error(`bridgescope ${args.join(' ')} exited: ${err}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern} in: ${out}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async stop() {
      if (alive()) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A TCP relay whose connections can be cut, to drop a link without restarting either side. */
export async function relay(port: number): Promise<{ port: number; cut(): void; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((inbound) => {
    const outbound = createConnection(port, '127.0.0.1');
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    cut: () => {
      for (const s of sockets) s.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A hub in its own process (fixtures/hub.ts), with any startInspectorServer options. */
export class HubProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly stderr: string[] = [];
  private readonly lines: FixtureLine[] = [];

  constructor(options: Record<string, unknown> = {}) {
    this.child = spawn(process.execPath, ['--import', 'tsx', '--expose-gc', hubFixture], {
      cwd: repoRoot,
      env: { ...process.env, HUB_OPTIONS: JSON.stringify(options) },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    createInterface({ input: this.child.stdout }).on('line', (line) => this.lines.push(JSON.parse(line) as FixtureLine));
    createInterface({ input: this.child.stderr }).on('line', (line) => this.stderr.push(line));
  }

  async ready(): Promise<{ port: number; token: string; pairingToken: string }> {
    const line = await waitFor(() => this.lines.find((l) => l.type === 'ready'), 'the hub to start', 20_000);
    return line as unknown as { port: number; token: string; pairingToken: string };
  }

  /** What the hub retains after a full GC: its JS heap plus memory outside it (Buffers). */
  async retained(): Promise<number> {
    const before = this.lines.length;
    this.child.stdin.write('heap\n');
    const line = await waitFor(() => this.lines.slice(before).find((l) => l.type === 'heap'), 'the hub heap');
    return (line.heapUsed as number) + (line.external as number);
  }

  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGKILL');
    await exited;
  }
}

/**
 * A dialling agent written by hand, knowing the pairing token and nothing
 * else: it pairs with a key of its own, or (`legacy`) puts the token on the
 * URL as agents older than pairing did. Records every request the hub sends.
 */
export class RawAgent {
  readonly requests: Array<{ type: string; id: string | number; since?: number; [key: string]: unknown }> = [];
  readonly closed: Promise<number>;
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const message = JSON.parse(String(data));
      if (message.type !== 'pair') this.requests.push(message);
    });
    this.closed = new Promise((resolve) => ws.once('close', (code) => resolve(code)));
  }

  static async dial(port: number, pairingToken: string, how: 'pair' | 'legacy' = 'pair'): Promise<RawAgent> {
    const url = how === 'legacy' ? `ws://127.0.0.1:${port}/agent?token=${encodeURIComponent(pairingToken)}` : `ws://127.0.0.1:${port}/agent?challenge=${newNonce()}`;
    const ws = new WebSocket(url);
    ws.on('error', () => {});
    const key = new InstanceKey();
    await new Promise<void>((resolve, reject) => {
      ws.once('error', reject);
      if (how === 'legacy') return void ws.once('open', () => resolve());
      ws.once('message', (data) => {
        const pair = JSON.parse(String(data)) as PairRequest;
        ws.send(JSON.stringify({ type: 'response', id: pair.id, result: { proof: agentProof(pairingToken, pair.nonce), key: key.publicKey, signature: key.sign(pair.nonce) } }));
        resolve();
      });
    });
    return new RawAgent(ws);
  }

  send(message: unknown): void {
    this.ws.send(JSON.stringify(message));
  }

  hello(name: string, instance: string): void {
    this.send({ type: 'hello', protocol: 1, agent: { name, pid: 1, runtime: 'raw', startedAt: 0, instance }, now: 1, lastSeq: 0, readonly: false, actions: [], bufferSize: 10 });
  }

  /** Answers the hub's subscribe, then sends `messages`. */
  async stream(...messages: unknown[]): Promise<void> {
    const subscribe = await waitFor(() => this.requests.find((r) => r.type === 'subscribe'), 'the hub to subscribe');
    this.send({ type: 'response', id: subscribe.id, result: { lastSeq: 0 } });
    for (const message of messages) this.send(message);
  }

  close(): void {
    this.ws.terminate();
  }
}
