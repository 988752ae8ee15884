/**
 * host.bridge.* load generator child: groups of rpc-reflector clients, one
 * group per server under test. Each client keeps IN_FLIGHT calls in flight
 * (1 in 10 `setVolume`, which every subscribed client hears, the rest
 * `getStatus`), is subscribed to `volumeChanged`, and reloads (closes its
 * socket, reconnects, resubscribes) once per second of being driven.
 *
 * Commands:
 *   open { group, socketPath, clients }  → opened, once every client is connected and subscribed
 *   run { group, calls }                 → result { rps }: drives the group until `calls` more completed
 */
import { connect, type Socket } from 'node:net';
import { createClient } from 'rpc-reflector';
import { onCommand, reply } from './child.js';
import { LinePort } from './line-port.js';

const IN_FLIGHT = 16;
const RELOAD_EVERY_MS = 1000;

interface PlayerApi {
  getStatus(): Promise<unknown>;
  setVolume(volume: number): Promise<number>;
  on(event: 'volumeChanged', listener: (volume: number) => void): void;
}

interface Slice {
  remaining: number;
}

class ReflectorClient {
  private socket!: Socket;
  private api!: PlayerApi;
  private calls = 0;
  /** Milliseconds driven since the last reload. */
  private driven = 0;

  constructor(private readonly path: string) {}

  async open(): Promise<void> {
    const socket = connect(this.path);
    socket.on('error', () => {});
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    this.socket = socket;
    this.api = createClient(new LinePort(socket)) as unknown as PlayerApi;
    this.api.on('volumeChanged', () => {});
    // One call answered: the subscription before it is in place.
    await this.api.getStatus();
  }

  /** Keeps IN_FLIGHT calls going until the slice has started them all; reloads between calls when due. */
  async drive(slice: Slice): Promise<void> {
    const started = performance.now();
    const lane = async (): Promise<void> => {
      while (slice.remaining > 0) {
        slice.remaining--;
        const k = this.calls++;
        await (k % 10 === 0 ? this.api.setVolume(k % 100) : this.api.getStatus());
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
    this.driven += performance.now() - started;
    if (this.driven >= RELOAD_EVERY_MS) {
      this.driven = 0;
      await this.reload();
    }
  }

  private async reload(): Promise<void> {
    createClient.close(this.api as never);
    this.socket.end();
    await this.open();
  }
}

const groups = new Map<string, ReflectorClient[]>();

async function run(clients: ReflectorClient[], calls: number): Promise<number> {
  const slice: Slice = { remaining: calls };
  const started = performance.now();
  await Promise.all(clients.map((c) => c.drive(slice)));
  return (calls / (performance.now() - started)) * 1000;
}

onCommand(async (command) => {
  switch (command.type) {
    case 'open': {
      const clients = Array.from({ length: Number(command.clients) }, () => new ReflectorClient(String(command.socketPath)));
      for (const client of clients) await client.open();
      groups.set(String(command.group), clients);
      reply({ type: 'opened' });
      return;
    }
    case 'run': {
      const clients = groups.get(String(command.group));
      if (!clients) throw new Error(`no client group "${String(command.group)}"`);
      reply({ type: 'result', rps: await run(clients, Number(command.calls)) });
      return;
    }
  }
});
reply({ type: 'ready' });
