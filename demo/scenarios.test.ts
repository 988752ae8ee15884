/**
 * Issue 4's end-to-end tests in Node: each demo scenario runs as real
 * processes (backend with the agent embedded, client simulator) for a few
 * fast cycles, and the inspector — through `bridgescope/testing` — sees
 * exactly the scenario's documented findings.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Model } from '../shared/analysis/types.js';
import type { RuleId } from '../shared/protocol.js';
import { connectInspector, type Inspector } from '../inspector/testing/index.js';
import { startBackendProcess, type BackendProcess } from './backend-process.js';
import { BridgeClient } from './bridge-client.js';
import type { Cadence } from './options.js';
import { SCENARIOS, type ScenarioName } from './scenarios.js';

/** Fast cadence: a reload every 200 ms. */
const FAST: Partial<Cadence> = { emitEvery: 100, reloadEvery: 200, raceCycles: 3, taskDelay: 50 };
const WAIT = { timeout: 20_000 };

let dir: string | undefined;
let backend: BackendProcess | undefined;
let inspector: Inspector | undefined;

afterEach(async () => {
  await inspector?.close();
  await backend?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  inspector = backend = dir = undefined;
});

async function start(scenario: ScenarioName, cadence: Partial<Cadence> = {}, actionTimeout?: number): Promise<Inspector> {
  dir = mkdtempSync(join(tmpdir(), 'bridgescope-demo-e2e-'));
  backend = await startBackendProcess({
    scenario,
    socketPath: join(dir, 'bridge.sock'),
    cadence: { ...FAST, ...cadence },
    actionTimeout,
  });
  inspector = await connectInspector(backend.agentUrl);
  return inspector;
}

const openRules = (i: Inspector): RuleId[] => [...new Set(i.findings().map((f) => f.rule))].sort();
const sorted = (rules: RuleId[]): RuleId[] => [...rules].sort();
/** The bridge's connections (the agent's own inspector link shows up as a TCP connection of its server). */
const bridgeConnections = (s: Model) => s.connections.filter((c) => c.transport === 'unix');
/** Sessions of the bridge's Unix server, in order. */
const bridgeSessions = (s: Model) => {
  const server = bridgeConnections(s)[0]?.server;
  return s.sessions.filter((session) => server && session.group === `server:${server}`);
};
const managerListeners = (s: Model) => bridgeSessions(s).map((session) => session.counts.listeners.manager ?? 0);
const connectionCounts = (s: Model) => bridgeSessions(s).map((session) => session.counts.connections);

describe('demo scenarios against the real agent', () => {
  it('reload-leak: each abandoned socket keeps its subscriptions; listener-growth and connection-growth open', async () => {
    const i = await start('reload-leak', { reloads: 4 });
    await i.waitFor((s) => bridgeSessions(s).length === 5 && managerListeners(s)[4] === 15, WAIT);
    await i.settle();
    const state = i.state();
    expect(connectionCounts(state)).toEqual([1, 2, 3, 4, 5]);
    expect(managerListeners(state)).toEqual([3, 6, 9, 12, 15]);
    // Every live manager listener is owned by its own session's connection, all still open.
    const live = state.listeners.filter((l) => l.emitterName === 'manager' && l.removedSeq === undefined);
    const owners = new Map<string, number>();
    for (const l of live) owners.set(String(l.owner), (owners.get(String(l.owner)) ?? 0) + 1);
    expect([...owners.keys()].sort()).toEqual(bridgeSessions(state).map((s) => s.conn).sort());
    expect([...owners.values()]).toEqual([3, 3, 3, 3, 3]);
    for (const owner of owners.keys()) {
      expect(state.connections.find((c) => c.id === owner)?.state).toBe('open');
    }
    expect(openRules(i)).toEqual(sorted(SCENARIOS['reload-leak'].findings));
  });

  it('reload-fixed: shutdown then close before reconnecting keeps counts flat and opens nothing', async () => {
    const i = await start('reload-fixed', { reloads: 4 });
    await i.waitFor((s) => bridgeSessions(s).length === 5 && managerListeners(s)[4] === 3, WAIT);
    await i.settle();
    const state = i.state();
    // Counts are taken as each session ends (after its connection closed) and now for the last one.
    expect(connectionCounts(state)).toHaveLength(5);
    expect(connectionCounts(state).every((n) => n <= 1)).toBe(true);
    expect(managerListeners(state).every((n) => n <= 3)).toBe(true);
    expect(i.counts()).toMatchObject({ listeners: { manager: 3 } });
    expect(bridgeConnections(state).filter((c) => c.state === 'closed')).toHaveLength(4);
    expect(bridgeConnections(state).filter((c) => c.state !== 'closed')).toHaveLength(1);
    expect(i.findings({ includeResolved: true })).toEqual([]);
  });

  it('no-cleanup: listeners outlive their closed connection and the manager keeps writing to it', async () => {
    const i = await start('no-cleanup', { reloads: 1 });
    await i.waitFor((s) => s.findings.some((f) => f.rule === 'orphan-listener') && s.findings.some((f) => f.rule === 'emit-after-close'), WAIT);
    const state = i.state();
    const closed = bridgeConnections(state).find((c) => c.state === 'closed');
    expect(closed?.deadWrites).toBeGreaterThan(0);
    const orphan = i.findings({ rule: 'orphan-listener' });
    expect(orphan.length).toBeGreaterThan(0);
    expect(orphan.every((f) => f.subjects.includes(closed!.id))).toBe(true);
    expect(openRules(i)).toEqual(['emit-after-close', 'orphan-listener']);
  });

  it('handle-race: the disconnect task retrieves a room the client already dropped → stale-handle', async () => {
    // The race needs the client's dispose to land before the backend's deferred task: on a
    // loaded machine a 50 ms delay is shorter than the client's round trip, and no race happens.
    const i = await start('handle-race', { taskDelay: 1000 });
    await i.waitFor((s) => s.handles.filter((h) => h.type === 'room' && h.state === 'dropped').length === 3, WAIT);
    await i.waitFor((s) => s.findings.filter((f) => f.rule === 'stale-handle').length === 3, WAIT);
    await i.settle();
    expect(openRules(i)).toEqual(sorted(SCENARIOS['handle-race'].findings));
    const rooms = i.state().handles.filter((h) => h.type === 'room');
    expect(rooms.every((room) => room.staleAccesses.length === 1)).toBe(true);
  });

  it('handle-race-fixed: resolving the room before the task makes the race harmless', async () => {
    const i = await start('handle-race-fixed');
    await i.waitFor((s) => s.handles.filter((h) => h.state === 'dropped').length === 9, WAIT);
    await i.settle();
    expect(i.state().handles.every((h) => h.staleAccesses.length === 0)).toBe(true);
    expect(i.findings({ includeResolved: true })).toEqual([]);
  });

  it('stuck-peer: disconnect gets stuck (stuck-teardown) while close is clean', async () => {
    const i = await start('stuck-peer', {}, 1000);
    const state = await i.waitFor((s) => s.handles.filter((h) => h.state === 'live').length === 3, WAIT);
    const conn = bridgeConnections(state).find((c) => c.state === 'open');
    expect(conn).toBeDefined();
    await i.settle();
    expect(i.findings()).toEqual([]);

    const stuck = await i.act(conn!.id, 'disconnect');
    expect(stuck.verdict).toBe('stuck');
    expect(stuck.remaining).toEqual({ listeners: 0, handles: 3 });
    await i.waitFor((s) => s.findings.some((f) => f.rule === 'stuck-teardown'), WAIT);

    const clean = await i.act(conn!.id, 'close');
    expect(clean.verdict).toBe('clean');
    await i.waitFor((s) => s.handles.every((h) => h.state === 'dropped'), WAIT);
    expect(i.state().connections.find((c) => c.id === conn!.id)?.state).toBe('closed');
    expect(i.findings({ includeResolved: true }).map((f) => f.rule)).toEqual(['stuck-teardown']);
  });

  it('all: the three stories at once on one backend', async () => {
    const i = await start('all', { reloads: 4 });
    await i.waitFor(
      (s) =>
        s.findings.filter((f) => f.rule === 'stale-handle').length === 3 &&
        s.listeners.filter((l) => l.emitterName === 'manager' && l.removedSeq === undefined).length === 15,
      WAIT,
    );
    await i.settle();
    expect(openRules(i)).toEqual(sorted(SCENARIOS.all.findings));
  });

  it('switches scenario from an agent-wide action: the old client goes away and the leak resolves', async () => {
    const i = await start('reload-leak', { reloads: 4 });
    expect(i.hello.actions.map((a) => a.name)).toEqual(expect.arrayContaining(Object.keys(SCENARIOS).map((n) => `scenario:${n}`)));
    await i.waitFor((s) => s.findings.some((f) => f.rule === 'listener-growth'), WAIT);
    const oldClient = backend!.clientPids[0];

    const result = await actGlobal(backend!.agentUrl, 'scenario:reload-fixed');
    expect(result).toMatchObject({ verdict: 'clean', value: { scenario: 'reload-fixed' } });
    expect(backend!.clientPids.length).toBe(2);
    expect(backend!.clientPids[1]).not.toBe(oldClient);
    await i.waitFor((s) => s.findings.every((f) => f.resolvedSeq !== undefined), WAIT);
    await i.waitFor((s) => s.marks.some((m) => m.label === 'scenario:reload-fixed'), WAIT);
  });
});

describe('demo backend options', () => {
  it('serves the bridge over TCP as well with --tcp-port, and starts no client with --no-client', async () => {
    dir = mkdtempSync(join(tmpdir(), 'bridgescope-demo-e2e-'));
    backend = await startBackendProcess({ scenario: 'reload-leak', socketPath: join(dir, 'bridge.sock'), tcpPort: 0, client: false });
    expect(backend.clientPids).toEqual([]);
    expect(backend.tcpPort).toBeGreaterThan(0);
    const client = await BridgeClient.connect({ host: '127.0.0.1', port: backend.tcpPort! });
    try {
      expect(await client.request('ping')).toBe('pong');
      inspector = await connectInspector(backend.agentUrl);
      // The bridge connection opened before this inspector's own link did.
      const state = await inspector.waitFor((s) => s.connections.some((c) => c.transport === 'tcp'), WAIT);
      const bridgeTcp = state.connections.filter((c) => c.transport === 'tcp').sort((a, b) => a.openedSeq - b.openedSeq)[0];
      expect(bridgeTcp.state).toBe('open');
      expect(state.connections.filter((c) => c.transport === 'unix')).toEqual([]);
      client.socket.destroy();
      await inspector.waitFor((s) => s.connections.find((c) => c.id === bridgeTcp.id)?.state === 'closed', WAIT);
    } finally {
      client.socket.destroy();
    }
  });
});

/** Runs an agent-wide action over a raw WebSocket (the testing API's act() is per connection). */
async function actGlobal(agentUrl: string, name: string): Promise<unknown> {
  const { WebSocket } = await import('ws');
  const ws = new WebSocket(`${agentUrl}&subscribe=0`);
  try {
    return await new Promise((resolve, reject) => {
      ws.once('error', reject);
      ws.on('message', (data) => {
        const message = JSON.parse(String(data)) as { type: string; id?: number; result?: unknown; error?: unknown };
        if (message.type === 'hello') ws.send(JSON.stringify({ type: 'act', id: 1, name, timeout: 15_000 }));
        if (message.type === 'response' && message.id === 1) {
          if (message.error) reject(new Error(JSON.stringify(message.error)));
          else resolve(message.result);
        }
      });
    });
  } finally {
    ws.close();
  }
}
