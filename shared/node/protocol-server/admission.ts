import type { Server } from 'node:http';
import type { Socket } from 'node:net';

export interface AdmissionLimits {
  /** Most connections at once, of every kind (HTTP, WebSocket, authenticated or not). */
  maxConnections: number;
  /** Most connections that have not proved they hold the token; the oldest is dropped to make room. */
  maxUnauthenticated: number;
  /** Bytes a WebSocket may send before it has authenticated: its `auth` message and no more. */
  maxAuthMessageSize: number;
}

export type DropReason = 'connections' | 'unauthenticated' | 'auth-message-size' | 'upgrade-rate';

/**
 * What a connection costs a server before it has shown the token: bounded.
 * Every accepted socket is unauthenticated until the server says otherwise
 * (a token on the upgrade URL, a valid `auth` message); past
 * `maxUnauthenticated` the oldest of those is dropped, and past
 * `maxConnections` too — an authenticated peer is never displaced by a
 * flood, a new socket is refused instead. A WebSocket waiting for `auth`
 * may send `maxAuthMessageSize` bytes, so it cannot park an incomplete
 * megabyte frame in the server meanwhile.
 */
export class Admission {
  private readonly all = new Set<Socket>();
  /** Unauthenticated sockets, oldest first (a Set keeps insertion order). */
  private readonly pending = new Set<Socket>();
  /** Connections dropped by a limit since the start. */
  dropped = 0;
  private upgradeAllowance: number;
  private refilledAt = Date.now();

  constructor(
    server: Server,
    private readonly limits: AdmissionLimits,
    /** Told about every drop (for an aggregated log line). */
    private readonly onDrop: (reason: DropReason) => void = () => {},
  ) {
    this.upgradeAllowance = limits.maxUnauthenticated;
    server.on('connection', (socket: Socket) => this.admit(socket));
  }

  get connections(): number {
    return this.all.size;
  }

  get unauthenticated(): number {
    return this.pending.size;
  }

  /** The peer on `socket` proved it holds the token: it no longer counts as unauthenticated. */
  authenticated(socket: Socket): void {
    this.pending.delete(socket);
  }

  /**
   * Whether a WebSocket without a token may be upgraded now, to wait for
   * its `auth`: at most `maxUnauthenticated` such upgrades per second. Each
   * one costs the server a WebSocket and whatever its peer sends before it
   * is dropped; without a rate a flood turns that into garbage faster than
   * the collector returns it. Refused ones get 503 before any of that.
   */
  mayAwaitAuth(): boolean {
    const now = Date.now();
    const { maxUnauthenticated } = this.limits;
    this.upgradeAllowance = Math.min(maxUnauthenticated, this.upgradeAllowance + ((now - this.refilledAt) / 1000) * maxUnauthenticated);
    this.refilledAt = now;
    if (this.upgradeAllowance < 1) {
      this.dropped++;
      this.onDrop('upgrade-rate');
      return false;
    }
    this.upgradeAllowance--;
    return true;
  }

  /**
   * A WebSocket upgraded without a token: what it sends before it is
   * authenticated (`head` included) is counted. Past the limit `cutOff` is
   * called, which must end the connection at once (a refusal may be
   * written first); it is then dropped in any case.
   */
  limitUntilAuthenticated(socket: Socket, head: Buffer, cutOff: () => void): void {
    let received = 0;
    const count = (chunk: Buffer) => {
      if (!this.pending.has(socket)) return void socket.off('data', count);
      received += chunk.length;
      if (received <= this.limits.maxAuthMessageSize) return;
      socket.off('data', count);
      try {
        cutOff();
      } finally {
        this.drop(socket, 'auth-message-size');
      }
    };
    socket.on('data', count);
    count(head);
  }

  private admit(socket: Socket): void {
    this.all.add(socket);
    this.pending.add(socket);
    socket.once('close', () => {
      this.all.delete(socket);
      this.pending.delete(socket);
    });
    while (this.pending.size > this.limits.maxUnauthenticated) this.drop(this.oldestPending()!, 'unauthenticated');
    if (this.all.size > this.limits.maxConnections) this.drop(this.oldestPending() ?? socket, 'connections');
  }

  private oldestPending(): Socket | undefined {
    return this.pending.values().next().value;
  }

  private drop(socket: Socket, reason: DropReason): void {
    this.all.delete(socket);
    this.pending.delete(socket);
    socket.destroy();
    this.dropped++;
    this.onDrop(reason);
  }
}
