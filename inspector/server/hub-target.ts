import type WebSocket from 'ws';
import type { ActRequest, HelloMessage, MarkRequest } from '../../shared/protocol.js';
import type { Logger } from '../../shared/logger.js';
import type { TargetInfo } from '../../shared/hub-protocol.js';
import { Pump } from '../../shared/node/protocol-server/pump.js';
import { CloseCode, ProtocolSession, type PeerInfo, type ProtocolSessionConfig, type SessionHost } from '../../shared/node/protocol-server/session.js';
import type { Answer, StartPlan, StreamReader, StreamSource } from '../../shared/node/protocol-server/stream.js';
import { CLOSE_REPLACED, type HubAgentSocket, type StreamMessage } from './hub-agent-socket.js';
import { REPLAY_BATCH, TargetHistory } from './history.js';
import type { TargetRecorder } from './recorder.js';

/** How long relayed events wait to be batched for the UIs at most. */
const RELAY_INTERVAL = 10;

export interface TargetHooks {
  logger: Logger;
  /** How UI sessions are served (token, budgets). */
  session: ProtocolSessionConfig;
  /** Called whenever the target's list entry may have changed. */
  changed(): void;
  recorder?: TargetRecorder;
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

  constructor(
    readonly key: string,
    maxLines: number,
    private readonly hooks: TargetHooks,
  ) {
    this.history = new TargetHistory(maxLines);
    this.pump = new Pump(this.history.positions, { batchSize: REPLAY_BATCH, flushInterval: RELAY_INTERVAL }, hooks.logger);
    this.sessionHost = {
      source: this,
      config: hooks.session,
      pump: this.pump,
      logger: hooks.logger,
      started: () => {},
      ended: (session) => this.sessions.delete(session),
    };
  }

  get live(): boolean {
    return this.link !== undefined;
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

  attach(link: HubAgentSocket, hello: HelloMessage): void {
    const previous = this.link;
    this.link = link;
    this.lastLink = link;
    // Newest wins: an old socket of a restarted process may not have noticed it is dead yet.
    if (previous && previous !== link) previous.close(CLOSE_REPLACED, 'replaced by a newer connection of the same target');

    const run = this.history.current;
    const sameInstance = run?.hello.agent.instance === hello.agent.instance;
    const since = sameInstance && run.lastSeq > 0 ? run.lastSeq : undefined;
    if (sameInstance) this.history.refreshHello(hello);
    else {
      this.history.startRun(hello);
      this.hooks.recorder?.hello(hello);
      for (const session of this.sessions) session.announce(hello);
    }
    const who = `"${hello.agent.name}"${hello.agent.client ? ` (client ${hello.agent.client})` : ''}`;
    this.hooks.logger.debug?.(
      `${who} attached (${link.direction === 'in' ? 'dialled in from' : 'dialled out to'} ${link.remote}, ` +
        `${since !== undefined ? `resuming after seq ${since}` : run && !sameInstance ? 'restarted: new run' : 'new target'})`,
    );
    void link.request(since === undefined ? { type: 'subscribe' } : { type: 'subscribe', since }).then((response) => {
      if (response.error && link.isOpen) this.hooks.logger.warn(`${who} refused to subscribe: ${response.error.code}: ${response.error.message}`);
    });
    this.hooks.changed();
  }

  receive(link: HubAgentSocket, message: StreamMessage): void {
    if (link !== this.link) return;
    if (message.type === 'gap') {
      if (this.history.appendGap(message)) this.hooks.recorder?.gap(message);
      return;
    }
    // Snapshots are kept as events: to a UI, history and live look the same.
    const fresh = this.history.appendEvents(message.events, message.now);
    this.hooks.recorder?.events(fresh, message.now);
  }

  detached(link: HubAgentSocket, reason: string): void {
    if (link !== this.link) return;
    this.link = undefined;
    this.hooks.logger.debug?.(`"${link.hello?.agent.name}" went offline (${reason})`);
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
    };
  }

  close(): void {
    this.link?.close(1001, 'hub closing');
    for (const session of this.sessions) void session.close(CloseCode.goingAway, 'hub closing', 1000);
    this.pump.close();
    this.hooks.recorder?.close();
  }
}
