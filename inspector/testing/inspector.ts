/**
 * `connectInspector`: a headless inspector for tests and CI. It attaches to
 * an agent over the same link and analysis the web UI uses and answers
 * "what is alive, what leaked" with plain values and assertions.
 */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import type { AnalysisOptions } from '../../shared/analysis/options.js';
import type { CountsSnapshot, FindingFilter, Model } from '../../shared/analysis/types.js';
import type { Finding, HelloMessage, RecordingLine, RuleId, SettleResult } from '../../shared/protocol.js';
import { AgentClockEstimate } from '../client/agent-clock.js';
import { redactToken } from '../client/agent-url.js';
import { ClientError } from '../client/errors.js';
import { AgentLink, type LinkState } from '../client/link.js';
import { createRecordingHeader, serializeRecording } from '../client/recording.js';
import { Target, type MalformedEvents } from '../client/target.js';
import { boundedness, type Boundedness } from './bounded.js';
import { leakReport } from './report.js';

export interface ConnectOptions {
  /** ms to wait for the agent's hello and its backlog. Default 10000. */
  timeout?: number;
  /** Analysis thresholds (grace periods, growth sessions). Defaults as in docs/rules.md. */
  analysis?: AnalysisOptions;
  /** Default ms a request (act, mark) may take. Default 30000. */
  requestTimeout?: number;
}

export interface WaitOptions {
  /** ms before rejecting with code TIMEOUT. Default 10000. */
  timeout?: number;
}

export interface SettleOptions {
  /** ms for events in flight to arrive, and the findings must then stay unchanged. Default 200. */
  quiet?: number;
  /** ms before rejecting with code TIMEOUT. Default 30000. */
  timeout?: number;
}

export interface CyclesOptions extends SettleOptions {
  /** Settle after each cycle before taking its counts. Default true. */
  settle?: boolean;
}

export interface CyclesResult {
  /** Counts after each cycle. */
  counts: CountsSnapshot[];
  /** Whether each series stayed bounded (see docs/testing.md for the rule). */
  bounded: Boundedness;
}

export interface Inspector {
  /** The agent's latest hello (identity, actions). */
  readonly hello: HelloMessage;
  /** The link's state (`live`, `reconnecting`…). */
  readonly linkState: LinkState;
  /** Events skipped because they were malformed (docs/protocol.md, "Events"): how many, and what was wrong with the latest. */
  readonly malformed: MalformedEvents;
  /** The current run's model (a backend restart starts a new run). */
  state(): Model;
  /** Open findings; `{ rule }` filters, `{ includeResolved: true }` adds resolved ones. */
  findings(filter?: FindingFilter): Finding[];
  counts(): CountsSnapshot;
  /** Resolves with the model once `predicate` holds; rejects with code TIMEOUT. */
  waitFor(predicate: (state: Model) => boolean, options?: WaitOptions): Promise<Model>;
  /**
   * Resolves once the findings are stable: every grace period running when
   * the events in flight had arrived (`quiet` ms after the call) has run out,
   * and no finding opened, resolved or changed for `quiet` ms. Steady
   * traffic does not hold it up; findings that never stop changing do
   * (TIMEOUT).
   */
  settle(options?: SettleOptions): Promise<void>;
  /** Runs an action on a connection; resolves with its verdict once the settle event is in the model. */
  act(connectionId: string, name: string, options?: { timeout?: number }): Promise<SettleResult>;
  /** Puts a mark into the stream; resolves once it is in the model. */
  mark(label: string): Promise<void>;
  /** Everything received so far as recording text (header, hellos, events, gaps, clock ticks). */
  record(): string;
  /** Throws an Error listing every open finding (except ignored rules). */
  expectNoLeaks(options?: { ignore?: RuleId[] }): void;
  /** Runs `n` cycles: marks `cycle:i`, runs `fn(i)`, settles, records counts. */
  cycles(n: number, fn: (i: number) => unknown, options?: CyclesOptions): Promise<CyclesResult>;
  close(): Promise<void>;
}

/** How far behind the agent's estimated clock we advance: covers its flush interval. */
const CLOCK_MARGIN = 100;
/** How long act() and mark() wait for their own events to arrive after the reply. */
const ECHO_WAIT = 5000;

/** Attaches to the agent at `url` (`ws://host:port/?token=T`). */
export async function connectInspector(url: string, options: ConnectOptions = {}): Promise<Inspector> {
  const client = new InspectorClient(url, options);
  try {
    await client.ready(options.timeout ?? 10_000);
  } catch (error) {
    await client.close();
    throw error;
  }
  return client;
}

class InspectorClient implements Inspector {
  private readonly link: AgentLink;
  private readonly target: Target;
  private readonly lines: RecordingLine[] = [];
  private readonly createdAt = Date.now();
  private readonly clock = new AgentClockEstimate();

  constructor(
    private readonly url: string,
    options: ConnectOptions,
  ) {
    this.target = new Target({
      analysis: options.analysis,
      onLine: (line) => this.lines.push(line),
    });
    this.link = new AgentLink({
      url,
      WebSocket,
      reconnect: true,
      requestTimeout: options.requestTimeout ?? 30_000,
    });
    this.target.attach(this.link);
    this.link.on('message', (delivery) => this.clock.observe(delivery));
  }

  get hello(): HelloMessage {
    return this.run().hello;
  }

  get linkState(): LinkState {
    return this.link.state;
  }

  get malformed(): MalformedEvents {
    return { ...this.target.malformed };
  }

  /** Resolves once the first hello arrived and the backlog up to its lastSeq was applied. */
  ready(timeout: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const where = redactToken(this.link.url.ws);
      let helloSeq: number | undefined;
      const finish = (error?: Error): void => {
        clearTimeout(timer);
        offState();
        offMessage();
        if (error) reject(error);
        else resolve();
      };
      const timer = setTimeout(
        () => finish(new ClientError('TIMEOUT', `the agent at ${where} did not send its state within ${timeout} ms`)),
        timeout,
      );
      const offMessage = this.link.on('message', (delivery) => {
        if (delivery.type === 'hello') helloSeq = delivery.hello.lastSeq;
        if (helloSeq !== undefined && this.link.lastSeq >= helloSeq) finish();
      });
      const offState = this.link.on('state', (state) => {
        if (state.status === 'token-refused') finish(new ClientError('UNAUTHORIZED', state.message));
        else if (state.status === 'version-mismatch') finish(new ClientError('VERSION_MISMATCH', state.message));
        else if (state.status === 'reconnecting' || state.status === 'offline') {
          finish(new ClientError('UNREACHABLE', `cannot reach the agent at ${where}: ${state.reason}`));
        } else if (state.status === 'closed') finish(new ClientError('DISCONNECTED', 'closed before the agent answered'));
      });
    });
  }

  state(): Model {
    return this.run().analysis.model;
  }

  findings(filter?: FindingFilter): Finding[] {
    return this.run().analysis.findings(filter);
  }

  counts(): CountsSnapshot {
    return this.run().analysis.counts();
  }

  waitFor(predicate: (state: Model) => boolean, options: WaitOptions = {}): Promise<Model> {
    const timeout = options.timeout ?? 10_000;
    return new Promise((resolve, reject) => {
      let done = false;
      const check = (): void => {
        if (done) return;
        try {
          if (this.link.state.status === 'closed') finish(new ClientError('DISCONNECTED', 'the inspector was closed'));
          else if (predicate(this.state())) finish();
        } catch (error) {
          finish(error instanceof Error ? error : new Error(String(error)));
        }
      };
      const finish = (error?: Error): void => {
        done = true;
        clearTimeout(timer);
        unsubscribe();
        if (error) reject(error);
        else resolve(this.state());
      };
      const timer = setTimeout(() => finish(new ClientError('TIMEOUT', `waitFor: the condition did not hold within ${timeout} ms`)), timeout);
      const unsubscribe = this.target.subscribe(check);
      check();
    });
  }

  settle(options: SettleOptions = {}): Promise<void> {
    const quiet = options.quiet ?? 200;
    const timeout = options.timeout ?? 30_000;
    const started = performance.now();
    /** Agent time by which every grace period running once in-flight events arrived has run out (null: not taken yet). */
    let graceEnds: number | undefined | null = null;
    let version: number | undefined;
    let stableSince = started;
    return new Promise((resolve, reject) => {
      const poll = (): void => {
        if (this.link.state.status === 'closed') {
          reject(new ClientError('DISCONNECTED', 'the inspector was closed'));
          return;
        }
        const now = performance.now();
        const analysis = this.run().analysis;
        // Grace periods run out as the agent's time passes, events or not.
        const estimate = this.clock.now(CLOCK_MARGIN);
        const next = analysis.nextDeadline();
        if (estimate !== undefined && next !== undefined && estimate >= next) this.target.advance(estimate);
        if (analysis.findingsVersion !== version) {
          version = analysis.findingsVersion;
          stableSince = now;
        }
        // Quiet counts from the call: events the app caused just before may still be in flight.
        if (now - started >= quiet) {
          graceEnds ??= analysis.lastDeadline();
          const graceOver = graceEnds === undefined || analysis.model.now >= graceEnds;
          if (graceOver && now - stableSince >= quiet) {
            // Never ahead of the agent: events stamped before our estimate may still be in flight.
            if (estimate !== undefined && estimate > analysis.model.now) this.target.advance(estimate);
            resolve();
            return;
          }
        }
        if (now - started >= timeout) {
          reject(new ClientError('TIMEOUT', `settle: the findings were still changing after ${timeout} ms`));
          return;
        }
        setTimeout(poll, 25);
      };
      poll();
    });
  }

  async act(connectionId: string, name: string, options: { timeout?: number } = {}): Promise<SettleResult> {
    const before = this.state().seq;
    const result = await this.link.act(connectionId, name, options);
    await this.waitFor(
      (model) => model.actions.some((a) => a.connection === connectionId && a.name === name && a.startedSeq > before && a.settledSeq !== undefined),
      { timeout: ECHO_WAIT },
    ).catch(() => undefined);
    return result;
  }

  async mark(label: string): Promise<void> {
    const before = this.state().seq;
    await this.link.mark(label);
    await this.waitFor((model) => model.marks.some((m) => m.label === label && m.seq > before), { timeout: ECHO_WAIT }).catch(() => undefined);
  }

  record(): string {
    return serializeRecording(createRecordingHeader(this.createdAt), this.lines);
  }

  expectNoLeaks(options: { ignore?: RuleId[] } = {}): void {
    const ignored = new Set(options.ignore ?? []);
    const open = this.findings().filter((f) => !ignored.has(f.rule));
    if (open.length === 0) return;
    throw Object.assign(new Error(leakReport(open)), { findings: open });
  }

  async cycles(n: number, fn: (i: number) => unknown, options: CyclesOptions = {}): Promise<CyclesResult> {
    const counts: CountsSnapshot[] = [];
    for (let i = 0; i < n; i++) {
      await this.mark(`cycle:${i}`);
      await fn(i);
      if (options.settle ?? true) await this.settle(options);
      counts.push(this.counts());
    }
    return { counts, bounded: boundedness(counts) };
  }

  close(): Promise<void> {
    return this.link.close();
  }

  private run() {
    const run = this.target.currentRun();
    if (!run) throw new ClientError('DISCONNECTED', `no agent state yet from ${redactToken(this.url)}`);
    return run;
  }
}
