import type WebSocket from 'ws';
import { Heartbeat } from '../../shared/node/protocol-server/heartbeat.js';
import type { Pump } from '../../shared/node/protocol-server/pump.js';
import { CloseCode, ProtocolSession, type PeerInfo, type ProtocolSessionConfig, type SessionHost } from '../../shared/node/protocol-server/session.js';
import type { AgentCore, AgentEvents, Logger } from '../types.js';
import { AgentStream } from './agent-stream.js';

export interface SessionSetOptions extends ProtocolSessionConfig {
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
  private readonly sessions = new Set<ProtocolSession>();
  private readonly host: SessionHost;
  private readonly heartbeat: Heartbeat;
  private nextId = 1;
  private isClosing = false;
  private startedCount = 0;

  constructor(
    core: AgentCore,
    pump: Pump,
    options: SessionSetOptions,
    private readonly events: SessionEvents,
    logger: Logger,
  ) {
    this.heartbeat = new Heartbeat(options.heartbeatInterval);
    this.host = {
      source: new AgentStream(core, () => this.isClosing),
      pump,
      logger,
      config: options,
      started: (session) => {
        this.startedCount++;
        events.inspector(new InspectorInfo(session.id, session.remote, session.direction));
      },
      ended: (session, reason) => this.ended(session, reason),
    };
  }

  /** Authenticated inspectors (those that received `hello`). */
  get count(): number {
    return this.startedCount;
  }

  /** Every session, authenticated or not (for tests and diagnostics). */
  list(): ProtocolSession[] {
    return [...this.sessions];
  }

  attach(ws: WebSocket, peer: Omit<PeerInfo, 'id'>): ProtocolSession | undefined {
    if (this.isClosing) {
      ws.terminate();
      return undefined;
    }
    const session = new ProtocolSession(ws, { id: `i${this.nextId++}`, ...peer }, this.host);
    this.sessions.add(session);
    this.heartbeat.watch(ws, (reason) => session.terminate(reason));
    return session;
  }

  /** Refuse new work and close every session with 1001. */
  async closeAll(graceMs: number): Promise<void> {
    this.isClosing = true;
    this.heartbeat.stop();
    await Promise.all([...this.sessions].map((s) => s.close(CloseCode.goingAway, 'agent closing', graceMs)));
  }

  private ended(session: ProtocolSession, reason: string): void {
    if (!this.sessions.delete(session)) return;
    if (session.isAuthenticated) {
      this.startedCount--;
      this.events.inspectorLeft(new InspectorLeft(session.id, reason));
    }
  }
}

/*
 * What `agent.on('inspector' | 'inspector-left')` hears, as classes rather
 * than object literals starting with `id` (see ServerInfo in probes/servers.ts):
 * those would slow the app's parsing of JSON messages of the same shape.
 */
class InspectorInfo {
  constructor(
    readonly id: string,
    readonly remote: string,
    readonly direction: 'in' | 'out',
  ) {}
}

class InspectorLeft {
  constructor(
    readonly id: string,
    readonly reason: string,
  ) {}
}
