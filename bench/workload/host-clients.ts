/**
 * host.* load generator child: `clients` bridge clients over one Unix socket,
 * each sending one request at a time (closed loop) in a fixed mix:
 *   - every client subscribes to the manager's three events (fan-out target);
 *   - 1 in 10 requests is setVolume, which the manager fans out to every subscriber;
 *   - 1 in 50 connects a room (3 handles), 25 requests later it is disposed;
 *   - 1 in 100 unsubscribes, 50 later resubscribes (listener remove/add);
 *   - every RECONNECT_EVERY requests a client reloads (closes its socket, reconnects, resubscribes);
 *   - the rest are getStatus calls.
 * Command `run` { socketPath, clients, warmup, requests } → `result` with
 * measured-phase throughput and latency percentiles (`measuring` is sent
 * when the warm-up ends, so the parent can bracket the server's CPU time). Stays up between rounds
 * so every variant is driven by the same warmed-up process.
 */
import { connect, type Socket } from 'node:net';
import { encodeFrame, FrameDecoder } from '../../demo/framing.js';
import type { BridgeRequest } from '../../demo/rpc.js';
import { onCommand, reply } from './child.js';

const RECONNECT_EVERY = 2000;
const EVENTS = ['stateChanged', 'volumeChanged', 'peerJoined'] as const;

interface Round {
  warmup: number;
  requests: number;
  done: number;
  measureStart: number;
  latencies: Float64Array;
  measured: number;
  pushes: number;
  finished: () => void;
  stopped: boolean;
}

class LoadClient {
  private socket!: Socket;
  private nextId = 1;
  private sentAt = 0;
  private count = 0;
  private room: number | null = null;
  private setup: BridgeRequest[] = [];

  constructor(
    private readonly path: string,
    private readonly round: Round,
  ) {}

  start(): void {
    const socket = connect(this.path);
    const decoder = new FrameDecoder();
    this.socket = socket;
    this.room = null;
    this.setup = EVENTS.map((event) => ({ id: 0, method: 'subscribe', params: { event } }));
    socket.on('connect', () => this.sendNext());
    // A reloaded-away socket may still deliver pushes: they are not this client's any more.
    socket.on('data', (chunk: Buffer) => {
      if (socket === this.socket) this.receive(decoder, chunk);
    });
    socket.on('error', (err) => {
      if (socket === this.socket && !this.round.stopped) throw err;
    });
  }

  stop(): void {
    this.socket.destroy();
  }

  private receive(decoder: FrameDecoder, chunk: Buffer): void {
    for (const message of decoder.push(chunk) as { id?: number; event?: string; error?: unknown }[]) {
      if (message.id === undefined) {
        this.round.pushes++;
        continue;
      }
      if (message.error) throw new Error(`bridge error: ${JSON.stringify(message.error)}`);
      const result = (message as { result?: { handle?: number } }).result;
      if (result && typeof result.handle === 'number') this.room = result.handle;
      this.completed();
    }
  }

  private completed(): void {
    const round = this.round;
    if (round.stopped) return;
    const now = performance.now();
    round.done++;
    if (round.done === round.warmup) {
      round.measureStart = now;
      reply({ type: 'measuring' });
    }
    else if (round.done > round.warmup) round.latencies[round.measured++] = now - this.sentAt;
    if (round.measured >= round.requests) {
      round.stopped = true;
      round.finished();
      return;
    }
    if (++this.count % RECONNECT_EVERY === 0) {
      const old = this.socket;
      old.end();
      this.start();
      return;
    }
    this.sendNext();
  }

  private sendNext(): void {
    const request = this.setup.shift() ?? this.request(this.count);
    request.id = this.nextId++;
    this.sentAt = performance.now();
    this.socket.write(encodeFrame(request));
  }

  private request(k: number): BridgeRequest {
    if (k % 50 === 0) return { id: 0, method: 'connect', params: { room: `r${k}` } };
    if (k % 50 === 25 && this.room !== null) {
      const handle = this.room;
      this.room = null;
      return { id: 0, method: 'dispose', params: { handle } };
    }
    if (k % 100 === 10) return { id: 0, method: 'unsubscribe', params: { event: 'peerJoined' } };
    if (k % 100 === 60) return { id: 0, method: 'subscribe', params: { event: 'peerJoined' } };
    if (k % 10 === 5) return { id: 0, method: 'call', params: { method: 'setVolume', args: [k % 100] } };
    return { id: 0, method: 'call', params: { method: 'getStatus' } };
  }
}

onCommand(async (command) => {
  if (command.type !== 'run') return;
  const { socketPath, clients, warmup, requests } = command as unknown as { socketPath: string; clients: number; warmup: number; requests: number };
  let finished!: () => void;
  const done = new Promise<void>((resolve) => (finished = resolve));
  const round: Round = { warmup, requests, done: 0, measureStart: 0, latencies: new Float64Array(requests), measured: 0, pushes: 0, finished, stopped: false };
  const load = Array.from({ length: clients }, () => new LoadClient(socketPath, round));
  for (const c of load) c.start();
  await done;
  const elapsed = performance.now() - round.measureStart;
  for (const c of load) c.stop();
  const sorted = round.latencies.sort();
  reply({
    type: 'result',
    rps: (requests / elapsed) * 1000,
    p50: sorted[Math.floor(requests * 0.5)]!,
    p99: sorted[Math.floor(requests * 0.99)]!,
    pushes: round.pushes,
  });
});
reply({ type: 'ready' });
