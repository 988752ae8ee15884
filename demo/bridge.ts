/**
 * The bridge server: one session per accepted socket, each speaking framed
 * JSON through a SocketPort. Subscriptions forward manager events to the
 * session's port; rooms live in the handle table. Whatever a session
 * creates is created inside its socket's 'data' dispatch, which is how the
 * agent attributes it to that connection.
 */
import type { Socket } from 'node:net';
import type { HandleId } from '../shared/protocol.js';
import { isManagerEvent, type BridgeManager, type ManagerEvent } from './manager.js';
import { SocketPort } from './port.js';
import type { RoomService } from './rooms.js';
import { isBridgeRequest, type BridgeErrorInfo, type BridgeRequest } from './rpc.js';
import type { BackendMode } from './scenarios.js';

export interface BridgeOptions {
  manager: BridgeManager;
  rooms: RoomService;
  /** Read when a connection closes and on each disconnect, so it can switch at runtime. */
  mode: () => BackendMode;
  log?: (message: string) => void;
}

class BridgeRequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class BridgeSession {
  readonly port: SocketPort;
  private readonly subscriptions = new Map<ManagerEvent, (data: unknown) => void>();
  private readonly rooms = new Set<HandleId>();
  private socketClosed = false;

  constructor(
    readonly socket: Socket,
    private readonly bridge: Bridge,
    private readonly options: BridgeOptions,
  ) {
    this.port = new SocketPort(socket);
    // Writing to a dead peer fails with EPIPE/ECONNRESET: log, never crash.
    socket.on('error', (error: NodeJS.ErrnoException) => this.log(`socket error ${error.code ?? error.message}`));
    this.port.on('messageerror', (error) => this.log(`bad frame from peer: ${error.message}`));
    this.port.on('message', (message) => this.handle(message));
    this.port.on('close', () => {
      this.socketClosed = true;
      if (this.options.mode().cleanup) this.cleanup();
    });
  }

  get closed(): boolean {
    return this.socketClosed;
  }

  get subscriptionCount(): number {
    return this.subscriptions.size;
  }

  /** The per-connection cleanup: what a correct backend runs when a client goes away. */
  cleanup(): void {
    for (const [event, listener] of this.subscriptions) this.options.manager.off(event, listener);
    this.subscriptions.clear();
    this.options.rooms.disposeAll(this.rooms);
    this.rooms.clear();
    this.port.close();
    this.bridge.sessions.delete(this);
  }

  private handle(message: unknown): void {
    if (!isBridgeRequest(message)) {
      this.log('ignored a message that is not a request');
      return;
    }
    try {
      this.port.postMessage({ id: message.id, result: this.dispatch(message) });
    } catch (error) {
      this.port.postMessage({ id: message.id, error: toErrorInfo(error) });
    }
  }

  private dispatch(request: BridgeRequest): unknown {
    const params = request.params ?? {};
    switch (request.method) {
      case 'ping':
        return 'pong';
      case 'subscribe':
        return this.subscribe(managerEvent(params.event));
      case 'unsubscribe':
        return this.unsubscribe(managerEvent(params.event));
      case 'call':
        return this.call(params.method, params.args);
      case 'connect': {
        const handle = this.options.rooms.connect(String(params.room ?? 'lobby'));
        this.rooms.add(handle);
        return { handle };
      }
      case 'disconnect': {
        const handle = handleId(params.handle);
        this.options.rooms.disconnect(handle, (error) => {
          // The real server aborted the process here; we report and carry on.
          this.log(`disconnect task for room ${handle} failed: ${error instanceof Error ? error.message : String(error)}`);
          this.port.postMessage({ event: 'error', data: { ...toErrorInfo(error), handle } });
        });
        return { ok: true };
      }
      case 'dispose': {
        const handle = handleId(params.handle);
        this.rooms.delete(handle);
        return { dropped: this.options.rooms.dispose(handle) };
      }
      default:
        throw new BridgeRequestError('UNKNOWN_METHOD', `unknown method "${String(request.method)}"`);
    }
  }

  private subscribe(event: ManagerEvent): { subscribed: ManagerEvent } {
    if (!this.subscriptions.has(event)) {
      const forward = (data: unknown): void => this.port.postMessage({ event, data });
      this.subscriptions.set(event, forward);
      this.options.manager.on(event, forward);
    }
    return { subscribed: event };
  }

  private unsubscribe(event: ManagerEvent): { unsubscribed: boolean } {
    const listener = this.subscriptions.get(event);
    if (listener) {
      this.options.manager.off(event, listener);
      this.subscriptions.delete(event);
    }
    return { unsubscribed: listener !== undefined };
  }

  private call(method: unknown, args: unknown): unknown {
    const list = Array.isArray(args) ? args : [];
    switch (method) {
      case 'getStatus':
        return this.options.manager.getStatus();
      case 'setVolume':
        if (typeof list[0] !== 'number') throw new BridgeRequestError('BAD_ARGS', 'setVolume expects a number');
        return this.options.manager.setVolume(list[0]);
      default:
        throw new BridgeRequestError('UNKNOWN_METHOD', `manager has no method "${String(method)}"`);
    }
  }

  private log(message: string): void {
    this.options.log?.(message);
  }
}

export class Bridge {
  /** Sessions not yet cleaned up (open ones, and closed ones a no-cleanup backend forgot). */
  readonly sessions = new Set<BridgeSession>();

  constructor(private readonly options: BridgeOptions) {}

  /** The net.Server 'connection' handler. */
  serve(socket: Socket): BridgeSession {
    const session = new BridgeSession(socket, this, this.options);
    this.sessions.add(session);
    return session;
  }

  /** Open sessions. */
  get openSessions(): number {
    let open = 0;
    for (const session of this.sessions) if (!session.closed) open++;
    return open;
  }

  /** Runs the forgotten cleanup of closed sessions (a scenario switch starts from a clean slate). */
  cleanupClosed(): number {
    let cleaned = 0;
    for (const session of [...this.sessions]) {
      if (session.closed) {
        session.cleanup();
        cleaned++;
      }
    }
    return cleaned;
  }
}

function managerEvent(value: unknown): ManagerEvent {
  if (!isManagerEvent(value)) throw new BridgeRequestError('UNKNOWN_EVENT', `manager has no event "${String(value)}"`);
  return value;
}

function handleId(value: unknown): HandleId {
  if (typeof value === 'number' || typeof value === 'string') return value;
  throw new BridgeRequestError('BAD_ARGS', 'expected a handle id');
}

function toErrorInfo(error: unknown): BridgeErrorInfo {
  const code = (error as { code?: unknown } | null)?.code;
  return {
    code: typeof code === 'string' ? code : 'INTERNAL',
    message: error instanceof Error ? error.message : String(error),
  };
}
