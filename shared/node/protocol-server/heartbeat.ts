import type WebSocket from 'ws';

export type HeartbeatLoss = 'heartbeat timeout' | 'ping failed';

interface Peer {
  alive: boolean;
  lost(reason: HeartbeatLoss): void;
  unwatch(): void;
}

/**
 * Pings every socket it watches every `interval` ms, one timer for all of
 * them, and drops a socket that did not answer the previous ping: its peer
 * vanished (a killed emulator, a sleeping laptop), stalled, or stopped
 * reading. Only a pong counts as an answer — a peer that keeps sending but
 * never reads what it is sent cannot keep itself alive. The timer is
 * unref'd and runs only while something is watched.
 */
export class Heartbeat {
  private readonly peers = new Map<WebSocket, Peer>();
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly interval: number) {}

  /**
   * Watches `ws` until it closes. A dead peer is reported to `lost`, then
   * the socket is terminated. Returns the function that stops watching.
   */
  watch(ws: WebSocket, lost: (reason: HeartbeatLoss) => void): () => void {
    const onPong = () => {
      peer.alive = true;
    };
    const unwatch = () => {
      ws.off('pong', onPong);
      ws.off('close', unwatch);
      if (this.peers.get(ws) === peer) this.peers.delete(ws);
      if (this.peers.size === 0) this.stop();
    };
    const peer: Peer = { alive: true, lost, unwatch };
    this.peers.get(ws)?.unwatch();
    ws.on('pong', onPong);
    ws.once('close', unwatch);
    this.peers.set(ws, peer);
    this.start();
    return unwatch;
  }

  /** Stops watching everything. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.beat(), this.interval);
    this.timer.unref();
  }

  private beat(): void {
    for (const [ws, peer] of this.peers) {
      if (!peer.alive) {
        this.drop(ws, peer, 'heartbeat timeout');
        continue;
      }
      peer.alive = false;
      try {
        ws.ping();
      } catch {
        this.drop(ws, peer, 'ping failed');
      }
    }
  }

  private drop(ws: WebSocket, peer: Peer, reason: HeartbeatLoss): void {
    peer.unwatch();
    try {
      peer.lost(reason);
    } finally {
      ws.terminate();
    }
  }
}
