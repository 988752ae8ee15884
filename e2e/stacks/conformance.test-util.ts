/**
 * The conformance run of one stack: a correct and a leaky server process,
 * both driven by one client process, with 1, 4 and 16 clients per server
 * that connect at the same instant, subscribe, send a load, keep a steady trickle of
 * requests and reload three times; `bridgescope check` runs right after the
 * load, during the trickle (`--for 3s`) and after the reloads (`--for 3s`).
 *
 * Correct servers: no finding, ever (the inspector attached from the start
 * sees none opened, even for a moment). Leaky servers: nothing before a
 * client left; after the reloads, an `orphan-listener` per leaked
 * subscription, owned by the session that subscribed, added at the stack's
 * own line, and `listener-growth` per instance.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCheck } from '../../inspector/cli/check.js';
import { connectInspector, type Inspector } from '../../inspector/testing/index.js';
import type { Finding } from '../../shared/protocol.js';
import type { Instance, StackMessage, Variant } from './fixtures/stack.js';

export interface Expectation {
  /** The stack's module in fixtures/. */
  file: string;
  /** Text of the line the app's code subscribes from: where findings must say it was added. */
  subscribesAt: string;
  /** The module that line is in, when not `file` itself. */
  source?: string;
  /** `protocol` of the session that owns a subscription; undefined for the raw connection. */
  owner?: string;
  /** Every closed session leaked exactly one listener (clients × reloads per instance). Default true. */
  exact?: boolean;
  /** The clients are worker threads of the server process (fixtures/stack.ts `inProcess`). */
  inProcess?: boolean;
}

const RELOADS = 3;
/** What each `--for 3s` check took, for docs/stacks.md. */
const durations: string[] = [];

afterAll(() => {
  if (durations.length > 0) console.info(durations.join('\n'));
});

export function conformance(name: string, expectation: Expectation): void {
  describe(name, () => {
    it('correct: no finding at any time; leaky: the right rule, owner and line once clients left', async () => {
      const path = fileURLToPath(new URL(`./fixtures/${expectation.file}`, import.meta.url));
      const clientProcess = expectation.inProcess ? undefined : spawnRole(path, ['client']);
      const [correct, leaky] = await Promise.all([StackServerRun.start(path, 'correct'), StackServerRun.start(path, 'leaky')]);
      // One client process drives both servers, or each server drives its own worker threads.
      const drivers = clientProcess
        ? [new ClientsRun(path, clientProcess, [...correct.instances, ...leaky.instances])]
        : [new ClientsRun(path, correct.child, correct.instances), new ClientsRun(path, leaky.child, leaky.instances)];
      const clients = { reload: () => Promise.all(drivers.map((d) => d.reload())), stop: () => Promise.all(drivers.map((d) => d.stop())) };
      try {
        await Promise.all(drivers.map((d) => d.drive()));

        // Right after the load: nothing has leaked yet, even on the leaky server.
        const afterLoad = await Promise.all([correct.check('0s'), leaky.check('0s')]);
        expect(afterLoad.map((r) => r.code), report(afterLoad)).toEqual([0, 0]);

        // During the trickle, while every client reloads three times.
        const during = Promise.all([correct.check('3s'), leaky.check('3s')]);
        await new Promise((resolve) => setTimeout(resolve, 500));
        for (let i = 0; i < RELOADS; i++) await clients.reload();
        const trickle = await during;
        expect(trickle[0]!.code, report(trickle)).toBe(0);
        const [clean, leaked] = await Promise.all([correct.check('3s'), leaky.check('3s')]);
        for (const [phase, result] of [['during the reloads', trickle], ['after the reloads', [clean, leaked]]] as const) {
          durations.push(`${name} check --for 3s ${phase}: correct ${result[0]!.ms} ms, leaky ${result[1]!.ms} ms`);
        }

        expect(clean.code, report([clean])).toBe(0);
        expect(correct.inspector.findings({ includeResolved: true }), 'a finding opened on the correct server at some point').toEqual([]);

        expect(leaked.code, report([leaked])).toBe(1);
        leaky.expectLeaks(leaked.findings, expectation.source ? fileURLToPath(new URL(`./fixtures/${expectation.source}`, import.meta.url)) : path, expectation);
      } finally {
        await Promise.all([clients.stop(), correct.stop(), leaky.stop()]);
      }
    });
  });
}

interface CheckResult {
  code: number;
  ms: number;
  findings: Finding[];
  output: string;
}

function report(results: CheckResult[]): string {
  return results.map((r) => r.output).join('\n');
}

/** One server process (correct or leaky) and an inspector attached to its agent from the start. */
class StackServerRun {
  private constructor(
    readonly child: ChildProcess,
    readonly agentUrl: string,
    readonly instances: Instance[],
    readonly inspector: Inspector,
  ) {}

  static async start(path: string, variant: Variant): Promise<StackServerRun> {
    const server = spawnRole(path, ['server', variant]);
    try {
      const ready = await nextMessage(server, 'server-ready');
      if (ready.type !== 'server-ready') throw new Error('unreachable');
      const inspector = await connectInspector(ready.agentUrl);
      return new StackServerRun(server, ready.agentUrl, ready.instances, inspector);
    } catch (error) {
      await stop(server);
      throw error;
    }
  }

  async check(duration: string): Promise<CheckResult> {
    let output = '';
    const started = performance.now();
    const code = await runCheck([this.agentUrl, '--for', duration, '--json'], { stdout: (t) => (output += t), stderr: (t) => (output += t) });
    const ms = Math.round(performance.now() - started);
    const json = output.slice(output.indexOf('{'), output.lastIndexOf('}') + 1);
    const findings = json ? ((JSON.parse(json) as { findings: Finding[] }).findings ?? []) : [];
    return { code, ms, findings, output };
  }

  /** What a leaky server must show after the reloads, per instance. */
  expectLeaks(findings: Finding[], path: string, expectation: Expectation): void {
    const model = this.inspector.state();
    const line = lineOf(path, expectation.subscribesAt);
    for (const instance of this.instances) {
      const orphans = findings.filter((f) => f.rule === 'orphan-listener' && emitterOf(f) === instance.emitter);
      const what = `${instance.clients} client(s), ${instance.emitter}: ${JSON.stringify(
        model.listeners.filter((l) => l.emitterName === instance.emitter).map((l) => [l.id, l.owner, l.removedSeq, model.connections.find((c) => c.id === l.owner)?.state, model.connections.find((c) => c.id === l.owner)?.closedT]),
      )} now ${model.now}, gaps ${JSON.stringify(model.gaps)}`;
      if (expectation.exact ?? true) expect(orphans, what).toHaveLength(instance.clients * RELOADS);
      else expect(orphans.length, what).toBeGreaterThan(0);
      const owners = new Set<string>();
      for (const orphan of orphans) {
        const owner = model.connections.find((c) => c.id === orphan.subjects[1]);
        expect(owner, `${what}: the owner of ${orphan.id}`).toBeDefined();
        expect(owner!.state, what).toBe('closed');
        expect(owner!.protocol, `${what}: who owns ${orphan.id}`).toBe(expectation.owner);
        owners.add(owner!.id);
        expect(orphan.message, what).toContain(`Added at `);
        expect(orphan.message, what).toContain(`${path}:${line}:`);
        expect(orphan.stack?.some((frame) => frame.includes(`${path}:${line}:`)), what).toBe(true);
      }
      // One listener per session: each orphan has its own owner.
      if (expectation.exact ?? true) expect(owners.size, what).toBe(orphans.length);
      const growth = findings.filter((f) => f.rule === 'listener-growth' && f.subjects[0] === emitterIdOf(instance.emitter));
      expect(growth, `${what}: listener-growth`).toHaveLength(1);
      expect(growth[0]!.message, what).toContain(`${path}:${line}:`);
    }
    const unexpected = findings.filter((f) => f.rule !== 'orphan-listener' && f.rule !== 'listener-growth');
    expect(unexpected, 'findings other than the leak').toEqual([]);

    function emitterOf(finding: Finding): string | undefined {
      return model.listeners.find((l) => l.id === finding.subjects[0])?.emitterName;
    }
    function emitterIdOf(name: string): string | undefined {
      return model.emitters.find((e) => e.name === name)?.id;
    }
  }

  async stop(): Promise<void> {
    await this.inspector.close();
    await stop(this.child);
  }
}

/** The process that drives the clients of some instances (a client process, or a server driving its own workers). */
class ClientsRun {
  private readonly messages: StackMessage[] = [];
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly path: string,
    private readonly child: ChildProcess,
    private readonly instances: Instance[],
  ) {
    this.child.on('message', (message: StackMessage) => {
      this.messages.push(message);
      for (const wake of [...this.waiters]) wake();
    });
  }

  /** Lets the clients loose; resolves once they are connected, subscribed and loaded. */
  async drive(): Promise<void> {
    this.child.send({ type: 'instances', instances: this.instances });
    await this.next('clients-ready');
  }

  async reload(): Promise<void> {
    this.child.send('reload');
    await this.next('reloaded');
    // Some trickle on the new sessions before the next reload.
    await new Promise((resolve) => setTimeout(resolve, 300));
  }

  stop(): Promise<void> {
    return stop(this.child);
  }

  private next(type: StackMessage['type']): Promise<StackMessage> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`${this.path}: no ${type} within 30 s`)), 30_000);
      const finish = (error?: Error): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
        if (error) reject(error);
      };
      const check = (): void => {
        const failed = this.messages.find((m) => m.type === 'failed');
        if (failed && failed.type === 'failed') return finish(new Error(failed.message));
        const index = this.messages.findIndex((m) => m.type === type);
        if (index < 0) return;
        const [message] = this.messages.splice(index, 1);
        finish();
        resolve(message!);
      };
      this.waiters.add(check);
      check();
    });
  }
}

function spawnRole(path: string, args: string[]): ChildProcess {
  return fork(path, args, { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

function nextMessage(child: ChildProcess, type: StackMessage['type']): Promise<StackMessage> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: StackMessage): void => {
      if (message.type === 'failed') reject(new Error(message.message));
      else if (message.type === type) resolve(message);
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`exited (${code}) before ${type}`)));
  });
}

function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** 1-based line number of the first line containing `text`. */
function lineOf(path: string, text: string): number {
  const index = readFileSync(path, 'utf8').split('\n').findIndex((l) => l.includes(text));
  if (index < 0) throw new Error(`${path} has no line with ${JSON.stringify(text)}`);
  return index + 1;
}
