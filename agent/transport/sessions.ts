import type WebSocket from 'ws';
import type { AgentCore, AgentEvents, Logger } from '../types.js';
import type { Pump } from './pump.js';
import { CloseCode, Session, type SessionConfig, type SessionHost, type StartPlan } from './session.js';

export interface SessionSetOptions extends SessionConfig {
  heartbeatInterval: number;
}

export interface SessionEvents {
  inspector(info: AgentEvents['inspector'][0]): void;
  inspectorLeft(info: AgentEvents['inspector-left'][0]): void;
}

/**
 * Every attached inspector, whichever side dialled: ids, the heartbeat, the
 * inspector / inspector-left notifications, and closing them all.
 */
export class SessionSet {
  private readonly sessions = new Set<Session>();
  private readonly host: SessionHost;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private nextId = 1;
  private isClosing = false;
  private startedCount = 0;

  constructor(
    core: AgentCore,
    pump: Pump,
    private readonly options: SessionSetOptions,
    private readonly events: SessionEvents,
    logger: Logger,
  ) {
    this.host = {
      core,
      pump,
      logger,
      config: options,
      closing: () => this.isClosing,
      started: (session) => {
        this.startedCount++;
        events.inspector({ id: session.id, remote: session.remote, direction: session.direction });
      },
      ended: (session, reason) => this.ended(session, reason),
    };
  }

  /** Authenticated inspectors (those that received `hello`). */
  get count(): number {
    return this.startedCount;
  }

  /** Every session, authenticated or not (for tests and diagnostics). */
  list(): Session[] {
    return [...this.sessions];
  }

  attach(ws: WebSocket, remote: string, direction: 'in' | 'out', authenticated: boolean, plan: StartPlan): Session | undefined {
    if (this.isClosing) {
      ws.terminate();
      return undefined;
    }
    const session = new Session(`i${this.nextId++}`, ws, remote, direction, this.host, authenticated, plan);
    this.sessions.add(session);
    this.startHeartbeat();
    return session;
  }

  /** Refuse new work and close every session with 1001. */
  async closeAll(graceMs: number): Promise<void> {
    this.isClosing = true;
    this.stopHeartbeat();
    await Promise.all([...this.sessions].map((s) => s.close(CloseCode.goingAway, 'agent closing', graceMs)));
  }

  private ended(session: Session, reason: string): void {
    if (!this.sessions.delete(session)) return;
    if (session.isAuthenticated) {
      this.startedCount--;
      this.events.inspectorLeft({ id: session.id, reason });
    }
    if (this.sessions.size === 0) this.stopHeartbeat();
  }

  private startHeartbeat(): void {
    if (this.heartbeat) return;
    this.heartbeat = setInterval(() => this.beat(), this.options.heartbeatInterval);
    this.heartbeat.unref();
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  /** A peer that did not answer the previous ping is gone (or stalled): drop it. */
  private beat(): void {
    for (const session of this.sessions) {
      if (!session.alive) {
        session.terminate('heartbeat timeout');
        continue;
      }
      session.alive = false;
      try {
        session.ws.ping();
      } catch {
        session.terminate('ping failed');
      }
    }
  }
}
