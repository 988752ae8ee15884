/**
 * agent.close() in a real host process while inspectors are attached and
 * actions are still running: the inspectors are told (1001), the port stops
 * listening, and once the app closes what it owns the process exits by
 * itself — nothing the agent started keeps it alive.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Client } from '../transport/harness.test-util.js';
import { EchoClient, startHost, type Host } from './fixtures/host-process.js';

let host: Host | undefined;
const clients: Client[] = [];
let echo: EchoClient | undefined;

afterEach(() => {
  for (const c of clients.splice(0)) c.ws.terminate();
  echo?.close();
  host?.kill();
});

function connectRefused(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
  });
}

describe('closing the agent under load', () => {
  it('releases everything while inspectors are attached and actions run; the process then exits by itself', async () => {
    // Actions that will not settle for ten minutes unless the agent lets go of them.
    host = await startHost({ FAULT_ACTION_TIMEOUT: '600000', FAULT_RATE: '5' });
    const [a, b] = await Promise.all([Client.open(host.agentUrl), Client.open(host.agentUrl)]);
    clients.push(a!, b!);
    echo = await EchoClient.connect(host.echoPort);
    expect(await echo.roundTrips(5)).toBe(5);

    await a!.until(() => a!.events().some((e) => e.type === 'conn.open' && e.label === 'stuck peer'), 'the stuck connection');
    const stuck = a!.events().find((e) => e.type === 'conn.open' && e.label === 'stuck peer');
    a!.send({ type: 'act', id: 'hang', name: 'hang' });
    b!.send({ type: 'act', id: 'stuck', conn: stuck?.type === 'conn.open' ? stuck.conn : '', name: 'disconnect' });
    await a!.until(() => a!.events().filter((e) => e.type === 'action.start').length === 2, 'both actions running');

    await host.request({ type: 'close-agent' }, 'agent-closed');
    expect(await a!.closed()).toBe(1001);
    expect(await b!.closed()).toBe(1001);
    // Nothing listens on the agent's port any more, while the app itself is still up…
    expect(await connectRefused(host.agentPort)).toBe('ECONNREFUSED');
    expect(await echo.roundTrips(5)).toBe(5);

    // …and once the app closes its own server and sockets, nothing holds the process.
    host.child.send({ type: 'finish' });
    expect(await host.exited).toBe(0);
  }, 60_000);
});
