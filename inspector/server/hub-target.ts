import type { ActRequest, HelloMessage, MarkRequest, ResponseMessage } from '../../shared/protocol.js';
import type { Logger } from '../../shared/logger.js';
import type { TargetInfo } from '../../shared/hub-protocol.js';
import { CLOSE_REPLACED, type HubAgentSocket, type StreamMessage } from './hub-agent-socket.js';
import { TargetHistory } from './history.js';
import type { TargetRecorder } from './recorder.js';
import type { TargetSession } from './target-session.js';


export interface TargetHooks {
  logger: Logger;
  /** Called whenever the target's list entry may have changed. */
  changed(): void;
  recorder?: TargetRecorder;
}

/**
 * A backend across its restarts (same name and client): its history, the
 * link to its live agent if any, and the UIs watching it. A new instance
 * starts a new run (the restart marker); the same instance coming back
 * resumes from the last seq the hub holds.
 */
export class HubTarget {
  readonly history: TargetHistory;
  readonly sessions = new Set<TargetSession>();
  private link: HubAgentSocket | undefined;
  private lastLink: HubAgentSocket | undefined;

  constructor(
    readonly key: string,
    maxLines: number,
    private readonly hooks: TargetHooks,
  ) {
    this.history = new TargetHistory(maxLines);
  }

  get live(): boolean {
    return this.link !== undefined;
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
      for (const session of this.sessions) session.hello(hello);
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
      if (!this.history.appendGap(message)) return;
      this.hooks.recorder?.gap(message);
      for (const session of this.sessions) session.live(message);
      return;
    }
    const fresh = this.history.appendEvents(message.events, message.now);
    this.hooks.recorder?.events(fresh, message.now);
    if (fresh.length === 0) return;
    // Snapshots travel on as batches: to a UI, history and live look the same.
    const batch = { type: 'batch' as const, events: fresh, now: message.now };
    for (const session of this.sessions) session.live(batch);
  }

  detached(link: HubAgentSocket, reason: string): void {
    if (link !== this.link) return;
    this.link = undefined;
    this.hooks.logger.debug?.(`"${link.hello?.agent.name}" went offline (${reason})`);
    this.hooks.changed();
  }

  /** Forwards a UI's request to the live agent; AGENT_CLOSED while the target is offline. */
  forward(request: ActRequest | MarkRequest): Promise<ResponseMessage> {
    const { id, ...rest } = request;
    if (!this.link) {
      return Promise.resolve({ type: 'response', id, error: { code: 'AGENT_CLOSED', message: `target ${this.key} is offline` } });
    }
    return this.link.request(rest);
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
    for (const session of this.sessions) session.close();
    this.hooks.recorder?.close();
  }
}
