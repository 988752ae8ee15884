import { randomBytes } from 'node:crypto';
import { AgentError } from './errors.js';
import { EventLog } from './event-log.js';
import { resolveOptions, type ResolvedOptions } from './options.js';
import { createProbes } from './probes/index.js';
import type { ActionInfo, AgentInfo, EventInput, SettleResult } from '../shared/protocol.js';
import { Dialer } from './transport/dial.js';
import { Pump } from '../shared/node/protocol-server/pump.js';
import { AgentServer } from './transport/server.js';
import { SessionSet } from './transport/sessions.js';
import { describeError } from './probes/actions.js';
import { bracketHost } from '../shared/host-policy.js';
import { AgentClock } from './clock.js';
import { Emitter } from '../shared/emitter.js';
import type { ActOptions, Agent, AgentCore, AgentEvents, AgentOptions, EventSink, Logger, Probes } from './types.js';

/** Milliseconds an unauthenticated inspector has to send its `auth` message. */
const AUTH_TIMEOUT = 5000;
/** How long close() waits for inspectors to answer the close handshake. */
const CLOSE_GRACE = 1000;

/** Creates and starts an agent. Never throws for runtime problems: they go to `'error'` and the logger. */
export function createAgent(options: AgentOptions = {}): Agent {
  return new AgentImpl(resolveOptions(options));
}

/** The agent's events: a listener that throws is logged, never thrown into the host; an `error` nobody listens to is logged. */
class AgentEmitter extends Emitter<AgentEvents> {
  constructor(logger: Logger) {
    super({
      onListenerError: (event, err) => logger.error(`a bridgescope '${String(event)}' listener threw`, err),
      onUnheard: (event, args) => {
        if (event !== 'error') return;
        const err = args[0] as Error & { code?: string };
        logger.error(err.code ? `${err.code}: ${err.message}` : err.message);
      },
    });
  }

  override emit<K extends keyof AgentEvents>(event: K, ...args: AgentEvents[K]): void {
    super.emit(event, ...args);
  }
}

interface GlobalAction {
  fn: () => unknown;
  info: ActionInfo;
  running: boolean;
}

class AgentImpl implements Agent {
  readonly info: AgentInfo;
  readonly ready: Promise<void>;
  readonly token: string;
  private readonly log: EventLog;
  private readonly sink: EventSink;
  private readonly probes: Probes;
  private readonly emitter: AgentEmitter;
  private readonly logger: Logger;
  private readonly pump: Pump;
  private readonly sessions: SessionSet;
  private readonly server: AgentServer | undefined;
  private readonly dialer: Dialer | undefined;
  private readonly actions = new Map<string, GlobalAction>();
  private nextActionId = 1;
  private listeningUrl = '';
  private closing: Promise<void> | undefined;

  constructor(private readonly options: ResolvedOptions) {
    this.logger = options.logger;
    this.emitter = new AgentEmitter(this.logger);
    this.token = options.token;
    this.info = {
      name: options.name,
      pid: process.pid,
      runtime: `node ${process.version}`,
      startedAt: Date.now(),
      instance: randomBytes(8).toString('hex'),
      ...(options.client === undefined ? {} : { client: options.client }),
    };
    const clock = new AgentClock();
    const { now } = clock;
    this.log = new EventLog(options.bufferSize, now);
    this.sink = {
      publish: (event: EventInput) => {
        try {
          return this.log.publish(event);
        } catch (err) {
          this.logger.error('could not record an event', err);
          return 0;
        }
      },
      now,
      recent: () => clock.recent,
      flush: () => {
        try {
          this.pump?.flushNow();
        } catch (err) {
          this.logger.error('could not flush events', err);
        }
      },
    };
    this.probes = createProbes(this.sink, {
      autoInstrument: options.autoInstrument,
      stackFrames: options.stackFrames,
      attribution: options.attribution,
      actionTimeout: options.actionTimeout,
      ioInterval: options.ioInterval,
      logger: this.logger,
    });
    this.log.holdWith(this.probes.holdings);
    this.pump = new Pump(this.log, options, this.logger);
    this.sessions = new SessionSet(
      this.core(),
      this.pump,
      { ...options, authTimeout: AUTH_TIMEOUT },
      {
        inspector: (info) => this.emitter.emit('inspector', info),
        inspectorLeft: (info) => this.emitter.emit('inspector-left', info),
      },
      this.logger,
    );
    if (options.listen) {
      this.server = new AgentServer(options, this.sessions, this.logger);
      this.ready = this.listen(this.server);
    } else {
      this.ready = Promise.resolve();
    }
    if (options.dial) {
      this.dialer = new Dialer({ url: options.dial, maxMessageSize: options.maxMessageSize }, this.sessions, { error: (err) => this.emitter.emit('error', err) }, this.logger);
      this.dialer.start();
    }
  }

  get url(): string {
    return this.listeningUrl;
  }

  get port(): number {
    return this.server?.port ?? 0;
  }

  get inspectors(): number {
    return this.sessions.count;
  }

  trackConnection: Agent['trackConnection'] = (target, options) => this.probes.trackConnection(target, options);
  connectionClosed: Agent['connectionClosed'] = (ref) => this.probes.connectionClosed(ref);
  watchEmitter: Agent['watchEmitter'] = (target, options) => this.probes.watchEmitter(target, options);
  mirrorHandles: Agent['mirrorHandles'] = (name) => this.probes.mirrorHandles(name);

  handleTable<T = unknown>(name: string) {
    return this.probes.handleTable<T>(name);
  }

  runAs<R>(ref: string | object, fn: () => R): R {
    return this.probes.runAs(ref, fn);
  }

  act(connection: string | null, name: string, options: { timeout?: number } = {}): Promise<SettleResult> {
    return this.runAction(connection, name, { ...options, source: 'code' });
  }

  defineAction(name: string, fn: () => unknown, options: { label?: string } = {}): () => void {
    const action: GlobalAction = { fn, running: false, info: { name, source: 'app', ...(options.label ? { label: options.label } : {}) } };
    this.actions.set(name, action);
    return () => {
      if (this.actions.get(name) === action) this.actions.delete(name);
    };
  }

  mark(label: string): void {
    this.sink.publish({ type: 'mark', label: String(label) });
  }

  on<K extends keyof AgentEvents>(event: K, listener: (...args: AgentEvents[K]) => void): this {
    this.emitter.on(event, listener);
    return this;
  }

  off<K extends keyof AgentEvents>(event: K, listener: (...args: AgentEvents[K]) => void): this {
    this.emitter.off(event, listener);
    return this;
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.dialer?.stop();
    await this.sessions.closeAll(CLOSE_GRACE);
    this.pump.close();
    await this.server?.close();
    this.listeningUrl = '';
    try {
      this.probes.close();
    } catch (err) {
      this.logger.error('closing the probes failed', err);
    }
  }

  private async listen(server: AgentServer): Promise<void> {
    const outcome = await server.listen();
    if ('error' in outcome) {
      const { error } = outcome;
      this.emitter.emit('error', Object.assign(new Error(`bridgescope agent cannot listen on ${this.options.host}:${this.options.port}: ${error.message}`), { code: error.code ?? 'LISTEN_FAILED' }));
      return;
    }
    if (this.closing) return void server.close();
    this.listeningUrl = `ws://${bracketHost(this.options.host)}:${outcome.port}/?token=${encodeURIComponent(this.token)}`;
  }

  /** What the transport sees of the agent. */
  private core(): AgentCore {
    return {
      info: this.info,
      readonly: this.options.readonly,
      log: this.log,
      globalActions: () => [...this.actions.values()].map((a) => a.info),
      act: (connection, name, options) => this.runAction(connection, name, options),
      mark: (label) => this.sink.publish({ type: 'mark', label }),
    };
  }

  private runAction(connection: string | null, name: string, options: ActOptions): Promise<SettleResult> {
    const resolved = { ...options, timeout: actionTimeout(options.timeout, this.options.actionTimeout) };
    if (connection !== null) return this.probes.act(connection, name, resolved);
    return this.runGlobalAction(name, resolved);
  }

  /**
   * An agent-wide action: `clean` with the JSON of what it returned, `failed`
   * with what it threw, or `stuck` when it has not settled within the timeout
   * (the inspector gets an answer either way).
   */
  private async runGlobalAction(name: string, options: ActOptions): Promise<SettleResult> {
    const action = this.actions.get(name);
    if (!action) throw new AgentError('UNKNOWN_ACTION', `no agent-wide action named "${name}"`);
    if (action.running) throw new AgentError('ACTION_BUSY', `action "${name}" is already running`);
    const timeout = options.timeout ?? this.options.actionTimeout;
    const id = `agent:${this.nextActionId++}`;
    const started = this.sink.now();
    this.sink.publish({ type: 'action.start', action: id, conn: null, name, source: options.source, timeout });
    action.running = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const base = { listenersRemoved: 0, handlesDropped: 0 };
    let result: SettleResult;
    try {
      const outcome = await Promise.race([
        Promise.resolve().then(action.fn).then((value) => ({ value })),
        new Promise<'stuck'>((resolve) => {
          timer = setTimeout(() => resolve('stuck'), timeout);
          timer.unref();
        }),
      ]);
      const duration = this.sink.now() - started;
      if (outcome === 'stuck') result = { verdict: 'stuck', duration, ...base };
      else {
        const value = toJson(outcome.value);
        result = { verdict: 'clean', duration, ...base, ...(value === undefined ? {} : { value }) };
      }
    } catch (err) {
      result = { verdict: 'failed', duration: this.sink.now() - started, ...base, error: describeError(err) };
    } finally {
      clearTimeout(timer);
      action.running = false;
    }
    this.sink.publish({ type: 'action.settle', action: id, conn: null, name, result });
    return result;
  }
}

/** Longest delay setTimeout honours; beyond it Node fires after 1 ms and prints a TimeoutOverflowWarning to the host's stderr. */
const MAX_TIMER_DELAY = 2 ** 31 - 1;

/**
 * The one place an action's timeout is decided: the default when none (or
 * NaN) is given; otherwise at most what timers honour (an inspector may send
 * 1e300).
 */
function actionTimeout(timeout: number | undefined, fallback: number): number {
  if (timeout === undefined || Number.isNaN(timeout)) return fallback;
  return Math.min(Math.max(timeout, 0), MAX_TIMER_DELAY);
}

/** A JSON-safe copy of an action's return value (a description when it cannot be serialised). */
function toJson(value: unknown): unknown {
  if (value === undefined) return undefined;
  try {
    const text = JSON.stringify(value);
    return text === undefined ? undefined : JSON.parse(text);
  } catch {
    return String(value);
  }
}
