import type WebSocket from 'ws';
import type { ActRequest, HelloMessage, MarkRequest } from '../../shared/protocol.js';
import type { TargetInfo } from '../../shared/hub-protocol.js';
import { printable } from '../../shared/printable.js';
import { Pump } from '../../shared/node/protocol-server/pump.js';
import { CloseCode, ProtocolSession, type PeerInfo, type ProtocolSessionConfig, type SessionHost } from '../../shared/node/protocol-server/session.js';
import type { Answer, StartPlan, StreamReader, StreamSource } from '../../shared/node/protocol-server/stream.js';
import { CLOSE_REPLACED, type HubAgentSocket, type StreamMessage } from './hub-agent-socket.js';
import { REPLAY_BATCH, TargetHistory, type HistoryBounds } from './history.js';
import type { HubLog } from './hub-log.js';
import type { TargetRecorder } from './recorder.js';

/** How long relayed events wait to be batched for the UIs at most. */
const RELAY_INTERVAL = 10;
/** Attach and detach notices printed a minute before they are only counted (an agent that reconnects in a loop). */
const NOTICE_BURST = 30;

/** One target's figures (InspectorServer.stats). */
export interface TargetStats {
  key: string;
  live: boolean;
  /** The current run's last seq. */
  lastSeq: number;
  /** Events received since the hub started (all runs). */
  received: number;
  /** Events the agent reported it could not send (its gaps), since the hub started. */
  lost: number;
  /** Bytes its history holds (estimated). */
  historyBytes: number;
}

export interface TargetHooks {
  log: HubLog;
  /** How UI sessions are served (token, budgets). */
  session: ProtocolSessionConfig;
  /** Called whenever the target's list entry may have changed. */
  changed(): void;
  recorder?: TargetRecorder;
  /** Set when this target shares its name with another one (the key of that one). */
  duplicateOf?: string;
}

/**
 * A backend across its restarts (same name and client): its history, the
 * link to its live agent if any, and the UIs watching it. A new instance
 * starts a new run (the restart marker); the same instance coming back
 * resumes from the last seq the hub holds. To the UIs it is a stream
 * source like an agent: the same protocol session serves both.
 */
export class HubTarget implements StreamSource {
  readonly history: TargetHistory;
  private readonly sessions = new Set<ProtocolSession>();
  private readonly pump: Pump;
  private readonly sessionHost: SessionHost;
  private link: HubAgentSocket | undefined;
  private lastLink: HubAgentSocket | undefined;
  private nextSessionId = 1;
  /** What the agent of the current run proved to be (see HubAgentSocket.identity). */
  private runIdentity: string | undefined;
  /** Events received, and events its agent reported lost (gaps), since the hub started. */
  private readonly counts = { received: 0, lost: 0 };
  /** Epoch ms since when no agent is attached (undefined while one is). */
  offlineSince: number | undefined = Date.now();

  constructor(
    readonly key: string,
    bounds: HistoryBounds,
    private readonly hooks: TargetHooks,
  ) {
    this.history = new TargetHistory(bounds);
    this.pump = new Pump(this.history.positions, { batchSize: REPLAY_BATCH, flushInterval: RELAY_INTERVAL }, hooks.log.logger);
    this.sessionHost = {
      source: this,
      config: hooks.session,
      pump: this.pump,
      logger: hooks.log.logger,
      started: () => {},
      ended: (session) => this.sessions.delete(session),
    };
  }

  get live(): boolean {
    return this.link !== undefined;
  }

  /** The key without a duplicate's `#N`: every target of one name and client shares it. */
  get base(): string {
    return this.hooks.duplicateOf ?? this.key;
  }

  /** What the agent of the current run proved to be; undefined for an older agent that only showed the token. */
  get identity(): string | undefined {
    return this.runIdentity;
  }

  /** No agent attached and no UI watching: the hub may forget it. */
  get forgettable(): boolean {
    return this.link === undefined && this.sessions.size === 0;
  }

  /** Whether an agent is attached and answers a ping within `timeoutMs`. */
  agentAnswers(timeoutMs: number): Promise<boolean> {
    return this.link ? this.link.answers(timeoutMs) : Promise.resolve(false);
  }

  /** Serves a UI on `/target/<key>` (authenticated at the upgrade, or by its first message). */
  serve(ws: WebSocket, peer: Omit<PeerInfo, 'id' | 'direction'>): ProtocolSession {
    const session = new ProtocolSession(ws, { id: `u${this.nextSessionId++}`, direction: 'in', ...peer }, this.sessionHost);
    this.sessions.add(session);
    return session;
  }

  greeting(plan: StartPlan): HelloMessage | undefined {
    // A fresh start replays every run, each greeted by its own hello.
    return plan.kind === 'fresh' ? undefined : this.history.current?.hello;
  }

  open(plan: Exclude<StartPlan, { kind: 'wait' }>): StreamReader {
    return plan.kind === 'fresh' ? this.history.readAll() : this.history.readCurrent(plan.since);
  }

  subscribe(since: number | undefined): { lastSeq: number; reader: StreamReader } {
    return { lastSeq: this.history.current?.lastSeq ?? 0, reader: this.history.readCurrent(since) };
  }

  deferred(): boolean {
    return this.link !== undefined;
  }

  /** Relays `act` and `mark` to the live agent; AGENT_CLOSED while the target is offline. */
  perform(request: ActRequest | MarkRequest): Answer | Promise<Answer> {
    if (!this.link) return { error: { code: 'AGENT_CLOSED', message: `target ${this.key} is offline` } };
    const { id: _id, ...relayed } = request;
    return this.link.request(relayed).then((response) => (response.error ? { error: response.error } : { result: response.result }));
  }

  /** The hub decided `link` belongs here (Hub.home): the same process resumes, a new one starts a run. */
  attach(link: HubAgentSocket, hello: HelloMessage): void {
    const previous = this.link;
    this.link = link;
    this.lastLink = link;
    this.offlineSince = undefined;
    // Newest wins: the old socket is this same process's, or one that no longer answers.
    if (previous && previous !== link) previous.close(CLOSE_REPLACED, 'replaced by a newer connection of the same target');

    const run = this.history.current;
    const sameInstance = run?.hello.agent.instance === hello.agent.instance;
    const since = sameInstance && run.lastSeq > 0 ? run.lastSeq : undefined;
    if (sameInstance) this.history.refreshHello(hello);
    else {
      this.runIdentity = link.identity;
      this.history.startRun(hello);
      this.hooks.recorder?.hello(hello);
      for (const session of this.sessions) session.announce(hello);
    }
    const who = `"${printable(this.key, 80)}"`;
    this.hooks.log.debug(
      'attach',
      `${who} attached (${link.direction === 'in' ? 'dialled in from' : 'dialled out to'} ${link.remote}, ` +
        `${since !== undefined ? `resuming after seq ${since}` : run && !sameInstance ? 'restarted: new run' : 'new target'}` +
        `${this.hooks.duplicateOf !== undefined ? `; another agent holds the name ${printable(this.hooks.duplicateOf, 80)}` : ''})`,
      NOTICE_BURST,
    );
    void link.request(since === undefined ? { type: 'subscribe' } : { type: 'subscribe', since }).then((response) => {
      if (response.error && link.isOpen) this.hooks.log.warn('subscribe', `${who} refused to subscribe: ${printable(String(response.error.code), 40)}: ${printable(String(response.error.message))}`);
    });
    this.hooks.changed();
  }

  receive(link: HubAgentSocket, message: StreamMessage): void {
    if (link !== this.link) return;
    if (message.type === 'gap') {
      if (!this.history.appendGap(message)) return;
      this.counts.lost += message.count;
      this.hooks.recorder?.gap(message);
      return;
    }
    // Snapshots are kept as events: to a UI, history and live look the same.
    const fresh = this.history.appendEvents(message.events, message.now);
    this.counts.received += fresh.length;
    this.hooks.recorder?.events(fresh, message.now);
  }

  /** What it received and holds, for diagnostics (InspectorServer.stats). */
  stats(): TargetStats {
    return { key: this.key, live: this.live, lastSeq: this.history.current?.lastSeq ?? 0, ...this.counts, historyBytes: this.history.bytes };
  }

  detached(link: HubAgentSocket, reason: string): void {
    if (link !== this.link) return;
    this.link = undefined;
    this.offlineSince = Date.now();
    this.hooks.log.debug('detach', `"${printable(this.key, 80)}" went offline (${printable(reason)})`, NOTICE_BURST);
    this.hooks.changed();
  }

  info(url: string): TargetInfo | undefined {
    const run = this.history.current;
    const link = this.lastLink;
    if (!run || !link) return undefined;
    const agent = run.hello.agent;
    return {
      key: this.key,
      name: agent.name,
      ...(agent.client !== undefined ? { client: agent.client } : {}),
      instance: agent.instance,
      state: this.link ? 'live' : 'offline',
      direction: link.direction,
      remote: link.remote,
      url,
      verified: this.runIdentity !== undefined,
      ...(this.hooks.duplicateOf !== undefined ? { duplicateOf: this.hooks.duplicateOf } : {}),
    };
  }

  /** Closes its agent link and UIs; resolves once its recording is on disk. */
  close(): Promise<void> {
    this.link?.close(1001, 'hub closing');
    for (const session of this.sessions) void session.close(CloseCode.goingAway, 'hub closing', 1000);
    this.pump.close();
    return this.hooks.recorder?.close() ?? Promise.resolve();
  }
}
