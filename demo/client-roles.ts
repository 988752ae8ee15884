/**
 * What the simulated app does against the bridge. Each role runs until its
 * AbortSignal fires, then destroys every socket it holds (including the ones
 * it abandoned), so a stopped role leaves nothing behind.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { BridgeClient } from './bridge-client.js';
import { MANAGER_EVENTS } from './manager.js';
import type { BridgeEndpoint } from './rpc.js';

export interface RoleContext {
  endpoint: BridgeEndpoint;
  signal: AbortSignal;
  log?: (message: string) => void;
}

export interface ReloadOptions {
  teardown: 'leaky' | 'fixed';
  /** Milliseconds between reloads (and between calls once reloading stops). */
  reloadEvery: number;
  /** How many reloads; sessions = reloads + 1. */
  reloads: number;
  /** Milliseconds the app takes to come back after tearing down (a JS reload is not instant). */
  restartDelay?: number;
}

export interface HandleRaceOptions {
  /** How many connect → disconnect → dispose cycles. */
  cycles: number;
  /** Milliseconds between cycles. */
  every: number;
}

/** Resolves after `ms`, or early (without throwing) when the signal aborts. */
async function pause(ms: number, signal: AbortSignal): Promise<void> {
  await sleep(ms, undefined, { signal }).catch(() => undefined);
}

function closeAll(clients: Iterable<BridgeClient>): void {
  for (const client of clients) client.socket.destroy();
}

/** One app session: connect, subscribe to the manager's events, make a call. */
async function openSession(endpoint: BridgeEndpoint, session: number): Promise<BridgeClient> {
  const client = await BridgeClient.connect(endpoint);
  for (const event of MANAGER_EVENTS) await client.request('subscribe', { event });
  await client.request('call', { method: 'getStatus' });
  await client.request('call', { method: 'setVolume', args: [40 + session] });
  return client;
}

/**
 * A React-Native-style app that reloads: every reload tears down the old
 * session and opens a new one. After the last reload it stays on its
 * current session and keeps calling the manager.
 */
export async function runReloadingApp(ctx: RoleContext, options: ReloadOptions): Promise<void> {
  const held: BridgeClient[] = [];
  const onAbort = (): void => closeAll(held);
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    let current = await openSession(ctx.endpoint, 1);
    held.push(current);
    for (let reload = 1; reload <= options.reloads && !ctx.signal.aborted; reload++) {
      await pause(options.reloadEvery, ctx.signal);
      if (ctx.signal.aborted) break;
      if (options.teardown === 'leaky') {
        current.abandon();
      } else {
        await current.shutdownThenClose();
        held.splice(held.indexOf(current), 1);
      }
      await pause(options.restartDelay ?? 50, ctx.signal);
      if (ctx.signal.aborted) break;
      current = await openSession(ctx.endpoint, reload + 1);
      held.push(current);
      ctx.log?.(`reload ${reload}: ${options.teardown} teardown, ${held.length} socket(s) held`);
    }
    while (!ctx.signal.aborted && !current.closed) {
      await pause(options.reloadEvery, ctx.signal);
      if (!ctx.signal.aborted) await current.request('call', { method: 'getStatus' }).catch(() => undefined);
    }
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    closeAll(held);
  }
}

/**
 * The handle race: disconnect a room and drop its handle the moment the
 * (synchronous) disconnect reply arrives, while the backend's task is
 * still running.
 */
export async function runHandleRace(ctx: RoleContext, options: HandleRaceOptions): Promise<void> {
  const client = await BridgeClient.connect(ctx.endpoint);
  const onAbort = (): void => closeAll([client]);
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  client.on('push', (event, data) => {
    if (event === 'error') ctx.log?.(`backend reported: ${JSON.stringify(data)}`);
  });
  try {
    for (let cycle = 1; cycle <= options.cycles && !ctx.signal.aborted; cycle++) {
      const { handle } = (await client.request('connect', { room: `room-${cycle}` })) as { handle: number };
      await client.request('disconnect', { handle });
      await client.request('dispose', { handle });
      await pause(options.every, ctx.signal);
    }
    while (!ctx.signal.aborted && !client.closed) {
      await pause(1000, ctx.signal);
      if (!ctx.signal.aborted) await client.request('ping').catch(() => undefined);
    }
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    closeAll([client]);
  }
}

/**
 * Connects, takes a room, then stops reading and never closes or ends —
 * not even when the backend ends its side (a peer whose reader is wedged).
 */
export async function runStuckPeer(ctx: RoleContext): Promise<void> {
  const client = await BridgeClient.connect(ctx.endpoint, { allowHalfOpen: true });
  try {
    await client.request('connect', { room: 'stuck' });
    client.stopReading();
    ctx.log?.('stuck peer: holding its socket open and no longer reading');
    if (!ctx.signal.aborted) await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
  } finally {
    closeAll([client]);
  }
}
