import type WebSocket from 'ws';
import type { Logger } from '../../shared/logger.js';
import type { Heartbeat } from '../../shared/node/protocol-server/heartbeat.js';
import type { ProtocolSessionConfig } from '../../shared/node/protocol-server/session.js';
import { HubAgentSocket } from './hub-agent-socket.js';
import type { Recorder } from './recorder.js';
import type { TargetInfo } from '../../shared/hub-protocol.js';
import { HubTarget } from './hub-target.js';
import { targetKey } from './target-key.js';

export interface HubOptions {
  logger: Logger;
  /** History bound per target, in lines (hellos, events, gaps). */
  maxLines: number;
  recorder?: Recorder;
  /** The `/target/<key>` URL for a key, token included. */
  targetUrl(key: string): string;
  helloTimeout: number;
  /** Drops agent links that stop answering pings. */
  heartbeat: Heartbeat;
  /** How UIs of every target are served (token, budgets). */
  session: ProtocolSessionConfig;
}

/**
 * The registry of targets. Agent sockets from either direction are adopted
 * here; once one says hello it joins the target for its name and client.
 */
export class Hub {
  private readonly targets = new Map<string, HubTarget>();
  private readonly links = new Set<HubAgentSocket>();
  private readonly refusedVersions = new Set<string>();
  private readonly listeners = new Set<() => void>();
  private notifyScheduled = false;

  constructor(private readonly options: HubOptions) {}

  /** Takes over an open agent socket. */
  adopt(ws: WebSocket, direction: 'in' | 'out', remote: string): HubAgentSocket {
    let target: HubTarget | undefined;
    const link = new HubAgentSocket(
      ws,
      {
        direction,
        remote,
        logger: this.options.logger,
        helloTimeout: this.options.helloTimeout,
        heartbeat: this.options.heartbeat,
        refusedVersions: this.refusedVersions,
      },
      {
        hello: (_link, hello) => {
          target = this.target(targetKey(hello.agent.name, hello.agent.client));
          target.attach(link, hello);
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
  target(key: string): HubTarget {
    let target = this.targets.get(key);
    if (!target) {
      const recorder = this.options.recorder?.forTarget(key);
      target = new HubTarget(key, this.options.maxLines, {
        logger: this.options.logger,
        session: this.options.session,
        changed: () => this.changed(),
        ...(recorder ? { recorder } : {}),
      });
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

  /** Called (coalesced) whenever the list may have changed. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    for (const link of this.links) link.close(1001, 'hub closing');
    for (const target of this.targets.values()) target.close();
    this.listeners.clear();
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
