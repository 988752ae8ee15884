/**
 * Helpers for the hub tests: fixture agents and `bridgescope` commands in
 * their own processes, a UI socket that records what it receives, and
 * condition waits.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import type { Logger } from '../../shared/logger.js';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const fixture = join(repoRoot, 'e2e/fixtures/attach-agent.ts');

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
