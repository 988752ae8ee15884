/**
 * The app side of the bridge: a socket, a SocketPort and request/reply
 * matching. Teardown comes in the two shapes the reload story is about:
 * `abandon()` (the leaky one) and `shutdownThenClose()` (the fix).
 */
import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';
import { SocketPort } from './port.js';
import { isBridgePush, isBridgeReply, type BridgeEndpoint, type BridgeMethod } from './rpc.js';

export class BridgeCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'BridgeCallError';
  }
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export interface BridgeClientEvents {
  /** A push from the backend: a manager event or a task error. */
  push: [event: string, data: unknown];
  close: [];
}

export class BridgeClient extends EventEmitter<BridgeClientEvents> {
  private readonly port: SocketPort;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  private constructor(readonly socket: Socket) {
    super();
    this.port = new SocketPort(socket);
    socket.on('error', () => {
      // 'close' follows; pending requests are rejected there.
    });
    this.port.on('message', (message) => this.receive(message));
    socket.once('close', () => {
      for (const [id, pending] of this.pending) {
        clearTimeout(pending.timer);
        pending.reject(new BridgeCallError('DISCONNECTED', `connection closed before reply ${id}`));
      }
      this.pending.clear();
      this.emit('close');
    });
  }

  /**
   * `allowHalfOpen`: keep our side open after the backend's FIN (Node
   * otherwise answers it with ours) — a peer that never closes.
   */
  static connect(endpoint: BridgeEndpoint, options: { timeoutMs?: number; allowHalfOpen?: boolean } = {}): Promise<BridgeClient> {
    const timeoutMs = options.timeoutMs ?? 5000;
    const allowHalfOpen = options.allowHalfOpen ?? false;
    return new Promise((resolve, reject) => {
      const socket = connect('path' in endpoint ? { path: endpoint.path, allowHalfOpen } : { port: endpoint.port, host: endpoint.host, allowHalfOpen });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new BridgeCallError('TIMEOUT', 'connecting to the bridge timed out'));
      }, timeoutMs);
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new BridgeClient(socket));
      });
    });
  }

  get closed(): boolean {
    return this.socket.destroyed;
  }

  request(method: BridgeMethod, params?: Record<string, unknown>, timeoutMs = 5000): Promise<unknown> {
    if (this.socket.destroyed) return Promise.reject(new BridgeCallError('DISCONNECTED', 'connection is closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new BridgeCallError('TIMEOUT', `no reply to ${method} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.port.postMessage(params ? { id, method, params } : { id, method });
    });
  }

  /**
   * The leaky teardown: stop reading and walk away, keeping the socket (the
   * caller holds this object). The backend never sees EOF, so it never runs
   * this session's cleanup.
   */
  abandon(): void {
    this.socket.pause();
  }

  /** Stop reading but stay connected: with `allowHalfOpen`, a peer that hangs without ever closing. */
  stopReading(): void {
    this.socket.pause();
  }

  /**
   * The fixed teardown: shutdown (FIN), wait for the backend's FIN back (it
   * ran its cleanup), then close. Falls back to close after `timeoutMs`.
   */
  shutdownThenClose(timeoutMs = 2000): Promise<void> {
    const socket = this.socket;
    if (socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => socket.destroy(), timeoutMs);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('end', () => socket.destroy());
      socket.resume();
      socket.end();
    });
  }

  private receive(message: unknown): void {
    if (isBridgePush(message)) {
      this.emit('push', message.event, message.data);
      return;
    }
    if (!isBridgeReply(message)) return;
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    clearTimeout(pending.timer);
    if (message.error) pending.reject(new BridgeCallError(message.error.code, message.error.message));
    else pending.resolve(message.result);
  }
}
