/**
 * Shared helpers for the probe tests (not a test file itself): a real
 * EventLog as the sink, real servers on port 0 / temp Unix paths, and
 * condition waits. Everything created is registered for cleanup.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { AgentClock } from '../clock.js';
import { EventLog } from '../event-log.js';
import type { AgentEvent, AgentEventType } from '../../shared/protocol.js';
import type { EventSink, ProbeOptions, Probes } from '../types.js';
import { createProbes } from './index.js';

type Cleanup = () => unknown;
const cleanups: Cleanup[] = [];

/** Runs after the current test, newest first. */
export function onCleanup(fn: Cleanup): void {
  cleanups.push(fn);
}

afterEach(async () => {
  while (cleanups.length > 0) {
    try {
      await cleanups.pop()!();
    } catch {
      // Cleanup of something already gone.
    }
  }
});

/** The event type(s) whose `type` can be T (some events share one interface for two types). */
export type EventOf<T extends AgentEventType> = AgentEvent extends infer E
  ? E extends { type: infer U }
    ? T extends U
      ? E
      : never
    : never
  : never;

export interface Harness {
  probes: Probes;
  log: EventLog;
  sink: EventSink;
  warnings: unknown[];
  events(): AgentEvent[];
  ofType<T extends AgentEventType>(type: T): Array<EventOf<T>>;
}

/** Probes over a real EventLog of `capacity` events (property tests, which start thousands, keep it small). */
export function startProbes(options: Partial<ProbeOptions> = {}, capacity = 100_000): Harness {
  const clock = new AgentClock();
  const log = new EventLog(capacity, clock.now);
  const sink: EventSink = { publish: (e) => log.publish(e), now: clock.now, recent: () => clock.recent, flush: () => undefined };
  const warnings: unknown[] = [];
  const probes = createProbes(sink, {
    autoInstrument: true,
    stackFrames: 10,
    attribution: 'async',
    actionTimeout: 2000,
    ioInterval: 60_000,
    logger: { warn: (...args) => warnings.push(args), error: (...args) => warnings.push(args) },
    ...options,
  });
  log.holdWith(probes.holdings);
  onCleanup(() => probes.close());
  const events = (): AgentEvent[] => log.read(0, 1e6).events;
  return {
    probes,
    log,
    sink,
    warnings,
    events,
    ofType: <T extends AgentEventType>(type: T) =>
      events().filter((e) => e.type === type) as Array<EventOf<T>>,
  };
}

/** Events without `seq` and `t`, for exact sequence assertions. */
export function strip(events: AgentEvent[]): Array<Record<string, unknown>> {
  return events.map(({ seq: _seq, t: _t, ...rest }) => rest);
}

export async function waitFor<T>(probe: () => T | undefined | false | null, what = 'condition', timeout = 8000): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false && value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function tempSocketPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bsp-'));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 's.sock');
}

/** A server listening on port 0 (TCP) or a temp path (Unix), closed after the test. */
export async function listen(server: net.Server, kind: 'tcp' | 'unix' = 'tcp'): Promise<net.Server> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  onCleanup(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (kind === 'tcp') server.listen(0, '127.0.0.1', () => resolve());
    else server.listen(tempSocketPath(), () => resolve());
  });
  return server;
}

/** A connected client to `server`, destroyed after the test. */
export async function connect(server: net.Server, options: { allowHalfOpen?: boolean } = {}): Promise<net.Socket> {
  const address = server.address();
  const client =
    typeof address === 'string'
      ? net.connect({ path: address, allowHalfOpen: options.allowHalfOpen ?? false })
      : net.connect({ port: address!.port, host: '127.0.0.1', allowHalfOpen: options.allowHalfOpen ?? false });
  client.on('error', () => {});
  onCleanup(() => client.destroy());
  await new Promise<void>((resolve, reject) => {
    client.once('connect', resolve);
    client.once('error', reject);
  });
  return client;
}

export function closed(socket: net.Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.closed) resolve();
    else socket.once('close', () => resolve());
  });
}

/** The id of the conn.open whose peer is this client's local address. */
export function connOf(h: Harness, client: net.Socket): string | undefined {
  return h.ofType('conn.open').find((e) => e.peer === `127.0.0.1:${client.localPort}`)?.conn;
}
