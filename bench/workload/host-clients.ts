/**
 * host.* load generator child: groups of bridge clients, one group per server
 * under test, each client sending one request at a time (closed loop) in a
 * fixed mix:
 *   - every client subscribes to the manager's three events (fan-out target);
 *   - 1 in 10 requests is setVolume, which the manager fans out to every subscriber;
 *   - 1 in 50 connects a room (3 handles), 25 requests later it is disposed;
 *   - 1 in 100 unsubscribes, 50 later resubscribes (listener remove/add);
 *   - every RECONNECT_EVERY requests a client reloads (closes its socket, reconnects, resubscribes);
 *   - the rest are getStatus calls.
 * The groups stay connected for the whole benchmark and are driven one at a
 * time, in short slices, so every server sees the same machine weather.
 *
 * Commands:
 *   open { group, socketPath, clients }  → opened, once every client is connected and subscribed
 *   run { group, requests, measure }     → result { rps }: drives the group until `requests` more
 *                                          have completed (then lets in-flight ones finish);
 *                                          `measure` keeps their latencies for `latency`
 *   latency { group }                    → latency { p50, p99 } over every measured request, in ms
 */
import { connect, type Socket } from 'node:net';
import { encodeFrame, FrameDecoder } from '../../demo/framing.js';
import type { BridgeRequest } from '../../demo/rpc.js';
import { percentile } from '../result.js';
import { onCommand, reply } from './child.js';

const RECONNECT_EVERY = 2000;
const EVENTS = ['stateChanged', 'volumeChanged', 'peerJoined'] as const;

/** One slice of load on a group: how many requests are left to start, and who waits for the end. */
interface Slice {
  remaining: number;
  inFlight: number;
  started: number;
  /** When the slice's last counted request completed. */
  endedAt: number;
  latencies: number[] | null;
  done: () => void;
}

class LoadClient {
  private socket!: Socket;
  private nextId = 1;
  private sentAt = 0;
  private count = 0;
  private room: number | null = null;
  private setup: BridgeRequest[] = [];
  private slice: Slice | null = null;
  /** Between (re)connecting and the last subscription's answer. */
  private subscribing = false;
  private opened: (() => void) | undefined;

  constructor(private readonly path: string) {}

  /** Connects and subscribes; resolves once the subscriptions are answered. */
  open(): Promise<void> {
    return new Promise((resolve) => {
      this.opened = resolve;
      this.connect();
    });
  }

  /** Joins a slice: keeps one request in flight until the slice has started them all. */
  drive(slice: Slice): void {
    this.slice = slice;
    // A client still resubscribing after a reload joins once it is done.
    if (!this.subscribing) this.sendNextIfDue();
  }

  private connect(): void {
    const socket = connect(this.path);
    const decoder = new FrameDecoder();
    this.socket = socket;
    this.room = null;
    this.setup = EVENTS.map((event) => ({ id: 0, method: 'subscribe', params: { event } }));
    this.subscribing = true;
    socket.on('connect', () => this.send(this.setup.shift()!));
    // A reloaded-away socket may still deliver pushes: they are not this client's any more.
    socket.on('data', (chunk: Buffer) => {
      if (socket === this.socket) this.receive(decoder, chunk);
    });
    socket.on('error', (err) => {
      if (socket === this.socket) throw err;
    });
  }

  private receive(decoder: FrameDecoder, chunk: Buffer): void {
    for (const message of decoder.push(chunk) as { id?: number; event?: string; error?: unknown }[]) {
      if (message.id === undefined) continue;
      if (message.error) throw new Error(`bridge error: ${JSON.stringify(message.error)}`);
      const result = (message as { result?: { handle?: number } }).result;
      if (result && typeof result.handle === 'number') this.room = result.handle;
      const setup = this.setup.shift();
      if (setup) this.send(setup);
      else if (this.subscribing) {
        this.subscribing = false;
        this.opened?.();
        this.opened = undefined;
        // A reconnect mid-slice resumes the slice once resubscribed.
        if (this.slice) this.sendNextIfDue();
      } else this.completed();
    }
  }

  private completed(): void {
    const slice = this.slice!;
    slice.inFlight--;
    slice.latencies?.push(performance.now() - this.sentAt);
    if (slice.remaining === 0 && slice.inFlight === 0) {
      slice.endedAt = performance.now();
      this.slice = null;
      slice.done();
      return;
    }
    if (++this.count % RECONNECT_EVERY === 0) {
      this.socket.end();
      this.connect();
      return;
    }
    this.sendNextIfDue();
  }

  private sendNextIfDue(): void {
    const slice = this.slice;
    if (!slice || slice.remaining === 0) {
      this.slice = null;
      return;
    }
    slice.remaining--;
    slice.inFlight++;
    this.send(this.request(this.count));
  }

  private send(request: BridgeRequest): void {
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

interface Group {
  clients: LoadClient[];
  latencies: number[];
}

const groups = new Map<string, Group>();

function group(name: unknown): Group {
  const found = groups.get(String(name));
  if (!found) throw new Error(`no client group "${String(name)}"`);
  return found;
}

async function run(target: Group, requests: number, measure: boolean): Promise<number> {
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const slice: Slice = { remaining: requests, inFlight: 0, started: performance.now(), endedAt: 0, latencies: measure ? target.latencies : null, done };
  for (const client of target.clients) client.drive(slice);
  await finished;
  return (requests / (slice.endedAt - slice.started)) * 1000;
}

onCommand(async (command) => {
  switch (command.type) {
    case 'open': {
      const clients = Array.from({ length: Number(command.clients) }, () => new LoadClient(String(command.socketPath)));
      await Promise.all(clients.map((c) => c.open()));
      groups.set(String(command.group), { clients, latencies: [] });
      reply({ type: 'opened' });
      return;
    }
    case 'run':
      reply({ type: 'result', rps: await run(group(command.group), Number(command.requests), command.measure === true) });
      return;
    case 'latency': {
      const { latencies } = group(command.group);
      reply({ type: 'latency', p50: percentile(latencies, 50), p99: percentile(latencies, 99) });
      return;
    }
  }
});
reply({ type: 'ready' });
