import type WebSocket from 'ws';
import type { HelloMessage } from '../../shared/protocol.js';
import type { TargetInfo } from '../../shared/hub-protocol.js';
import type { Heartbeat } from '../../shared/node/protocol-server/heartbeat.js';
import type { ProtocolSessionConfig } from '../../shared/node/protocol-server/session.js';
import { HubAgentSocket, type Pairing } from './hub-agent-socket.js';
import type { HistoryBounds } from './history.js';
import { HistoryBudget } from './history-budget.js';
import type { HubLog } from './hub-log.js';
import type { Recorder } from './recorder.js';
import { HubTarget, type TargetStats } from './hub-target.js';
import { targetKey } from './target-key.js';

export interface HubOptions {
  log: HubLog;
  /** Bounds of each target's history. */
  history: HistoryBounds;
  /** Bytes of history kept for all targets together. */
  maxHistoryBytes: number;
  /** Milliseconds an offline target nobody watches stays listed. */
  forgetAfter: number;
  /** Targets kept at most; past it the one offline the longest is forgotten. */
  maxTargets: number;
  recorder?: Recorder;
  /** The `/target/<key>` URL for a key, token included. */
  targetUrl(key: string): string;
  helloTimeout: number;
  /** How long a target's live agent has to answer a ping before a newcomer of the same name may take its place. */
  livenessTimeout: number;
  /** Drops agent links that stop answering pings. */
  heartbeat: Heartbeat;
  /** How UIs of every target are served (token, budgets). */
  session: ProtocolSessionConfig;
}

/**
 * The registry of targets. Agent sockets from either direction are adopted
 * here; once one says hello it joins the target it can show it belongs to
 * (see {@link Hub.home}), and targets nobody needs any more are forgotten.
 */
export class Hub {
  private readonly targets = new Map<string, HubTarget>();
  private readonly links = new Set<HubAgentSocket>();
  private readonly listeners = new Set<() => void>();
  private readonly budget: HistoryBudget;
  private readonly sweeper: ReturnType<typeof setInterval>;
  private notifyScheduled = false;

  constructor(private readonly options: HubOptions) {
    this.budget = new HistoryBudget(options.maxHistoryBytes);
    this.sweeper = setInterval(() => this.sweep(), Math.max(1000, Math.min(60_000, options.forgetAfter / 4)));
    this.sweeper.unref();
  }

  /** Bytes of history held for all targets together. */
  get historyBytes(): number {
    return this.budget.bytes;
  }

  /** Takes over an open agent socket; `pairing` when the agent dialled with a challenge. */
  adopt(ws: WebSocket, direction: 'in' | 'out', remote: string, pairing?: Pairing): HubAgentSocket {
    let target: HubTarget | undefined;
    const link = new HubAgentSocket(
      ws,
      {
        direction,
        remote,
        log: this.options.log,
        helloTimeout: this.options.helloTimeout,
        heartbeat: this.options.heartbeat,
        ...(pairing ? { pairing } : {}),
      },
      {
        hello: (_link, hello) => {
          void this.home(link, hello).then((home) => {
            if (!link.isOpen) return;
            target = home;
            home.attach(link, hello);
          });
        },
        stream: (_link, message) => target?.receive(link, message),
        closed: (_link, reason) => {
          this.links.delete(link);
          target?.detached(link, reason);
        },
      },
    );
    this.links.add(link);
    return link;
  }

  /** The target for a key, created empty if unknown (a UI may wait for it). */
  target(key: string, duplicateOf?: string): HubTarget {
    let target = this.targets.get(key);
    if (!target) {
      this.makeRoom();
      const recorder = this.options.recorder?.forTarget(key);
      target = new HubTarget(key, this.options.history, {
        log: this.options.log,
        session: this.options.session,
        changed: () => this.changed(),
        ...(recorder ? { recorder } : {}),
        ...(duplicateOf !== undefined ? { duplicateOf } : {}),
      });
      this.budget.add(target.history);
      this.targets.set(key, target);
    }
    return target;
  }

  /** Targets that have said hello at least once, in the order they first appeared. */
  list(): TargetInfo[] {
    const out: TargetInfo[] = [];
    for (const target of this.targets.values()) {
      const info = target.info(this.options.targetUrl(target.key));
      if (info) out.push(info);
    }
    return out;
  }

  /** Every target's figures. */
  stats(): TargetStats[] {
    return [...this.targets.values()].map((target) => target.stats());
  }

  /** Called (coalesced) whenever the list may have changed. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Closes every link and target; resolves once every recording is on disk. */
  async close(): Promise<void> {
    clearInterval(this.sweeper);
    for (const link of this.links) link.close(1001, 'hub closing');
    this.listeners.clear();
    await Promise.all([...this.targets.values()].map((target) => target.close()));
  }

  /**
   * Where an agent that said hello belongs. A target is bound to what its
   * current process proved (its instance key, or the URL the hub dialled),
   * so the pairing token alone can neither take over a live target nor
   * write into its history:
   * 1. the same process coming back — same instance, same proven key —
   *    continues its target (an older agent that proved nothing only while
   *    nobody live holds it);
   * 2. a new process of that name (a restart) continues a target of that
   *    name whose agent is gone — offline, or no longer answering pings;
   * 3. anyone else, among them a process claiming an instance it cannot
   *    prove, gets a target of its own, listed as a duplicate (`name#2`).
   */
  private async home(link: HubAgentSocket, hello: HelloMessage): Promise<HubTarget> {
    const base = targetKey(hello.agent.name, hello.agent.client);
    const family = [...this.targets.values()].filter((t) => t.base === base);
    const { instance } = hello.agent;
    const claimed = family.find((t) => t.history.current?.hello.agent.instance === instance);
    if (claimed) {
      if (link.identity !== undefined && claimed.identity === link.identity) return claimed;
      if (link.identity === undefined && claimed.identity === undefined && (await this.vacant(claimed))) return claimed;
      return this.duplicate(base);
    }
    for (const target of family) if (await this.vacant(target)) return target;
    return family.length === 0 ? this.target(base) : this.duplicate(base);
  }

  private vacant(target: HubTarget): Promise<boolean> {
    return target.agentAnswers(this.options.livenessTimeout).then((answers) => !answers);
  }

  private duplicate(base: string): HubTarget {
    let n = 2;
    while (this.targets.has(`${base}#${n}`)) n++;
    return this.target(`${base}#${n}`, base);
  }

  /** Forgets targets offline for longer than `forgetAfter` that nobody watches (their recordings stay on disk). */
  private sweep(): void {
    const now = Date.now();
    for (const target of [...this.targets.values()]) {
      if (target.forgettable && now - target.offlineSince! >= this.options.forgetAfter) this.forget(target);
    }
  }

  /** Before a new target: past `maxTargets`, the one offline the longest goes first. */
  private makeRoom(): void {
    if (this.targets.size < this.options.maxTargets) return;
    let oldest: HubTarget | undefined;
    for (const target of this.targets.values()) {
      if (target.forgettable && (!oldest || target.offlineSince! < oldest.offlineSince!)) oldest = target;
    }
    if (oldest) this.forget(oldest);
  }

  private forget(target: HubTarget): void {
    this.targets.delete(target.key);
    this.budget.remove(target.history);
    void target.close();
    this.options.log.debug('forget', `forgot ${target.key}: offline and unwatched`);
    this.changed();
  }

  private changed(): void {
    if (this.notifyScheduled) return;
    this.notifyScheduled = true;
    queueMicrotask(() => {
      this.notifyScheduled = false;
      for (const listener of this.listeners) listener();
    });
  }
}
