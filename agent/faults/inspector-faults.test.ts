/**
 * Inspectors that misbehave against a real host process (fixtures/host.ts:
 * an app with the agent embedded, its own echo server, about 5,000 events/s):
 * one that disconnects mid-batch, one that stalls forever, ones that only
 * send pings, and 1,000 that connect and disconnect. Throughout, the host's
 * echo server keeps answering (asserted by completion, never by timing), a
 * well-behaved inspector receives every event, and the host's heap after GC
 * stays within a fixed bound of where it started.
 */
import net from 'node:net';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../transport/harness.test-util.js';
import { EchoClient, startHost, type Host } from './fixtures/host-process.js';

/** Heap growth allowed over the whole file, after GC. The ring and live state are already full at the baseline. */
const HEAP_BOUND = 40 * 1024 * 1024;

let host: Host;
let observer: Client;
let echo: EchoClient;
let baseline: number;
const extra: Client[] = [];

async function until(condition: () => Promise<boolean>, what: string, timeout = 30_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  // A small ring and send budget, so a stalled inspector is overtaken within seconds.
  host = await startHost({ FAULT_BUFFER_SIZE: '2000', FAULT_SEND_BUDGET: String(256 * 1024), FAULT_LABEL_PAD: '200' });
  observer = await Client.open(host.agentUrl);
  echo = await EchoClient.connect(host.echoPort);
  // Steady state first: the ring buffer (10,000 events) has wrapped.
  await until(async () => (await host.stats()).lastSeq > 5000, 'the ring buffer to wrap');
  baseline = (await host.stats()).heapUsed;
}, 60_000);

afterEach(() => {
  for (const c of extra.splice(0)) c.ws.terminate();
});

afterAll(() => {
  observer?.ws.terminate();
  echo?.close();
  host?.kill();
});

/** Opens a raw upgrade, waits until part of the stream has arrived, then cuts the TCP connection. */
function disconnectMidBatch(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = 0;
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      received += chunk.length;
      // Past the 101 headers and into the first frames: drop it on the floor.
      if (received > 2048) socket.destroy();
    });
    socket.on('close', () => resolve(received));
    socket.write(
      'GET /?token=fault-token HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    );
  });
}

describe('misbehaving inspectors against a real host', () => {
  it('200 inspectors that disconnect in the middle of a batch', async () => {
    for (let i = 0; i < 200; i++) expect(await disconnectMidBatch(host.agentPort)).toBeGreaterThan(2048);
    expect(await echo.roundTrips(50)).toBe(50);
    await until(async () => (await host.stats()).inspectors === 1, 'only the observer left');
  }, 60_000);

  it('an inspector that stalls forever costs a bounded buffer, then learns what it missed from a gap', async () => {
    const stalled = await Client.open(host.agentUrl);
    extra.push(stalled);
    const raw = (stalled.ws as WebSocket & { _socket: net.Socket })._socket;
    raw.pause();
    // Once the kernel buffers are full, the agent stops sending to it (its send budget)…
    await until(async () => (await host.stats()).maxBuffered >= 256 * 1024, 'the stalled inspector to fill its send budget', 60_000);
    // …and the ring buffer (2,000 events) overtakes its cursor twice over.
    const from = (await host.stats()).lastSeq;
    await until(async () => (await host.stats()).lastSeq > from + 4000, 'the ring to overtake the stalled inspector');
    expect((await host.stats()).maxBuffered).toBeLessThan(256 * 1024 + 512 * 1024);
    expect(await echo.roundTrips(50)).toBe(50);
    expect((await host.stats()).heapUsed - baseline).toBeLessThan(HEAP_BOUND);
    raw.resume();
    await stalled.until(() => stalled.of('gap').some((g) => g.reason === 'slow-consumer'), 'a slow-consumer gap', 30_000);
    const target = (await host.stats()).lastSeq;
    await stalled.until(() => stalled.messages.some((m) => m.type === 'batch' && m.events.some((e) => e.seq >= target)), 'the stream to catch up', 30_000);
    // From its first batch on, every seq was either received or announced missing by a gap, exactly once.
    const received = stalled.of('batch').flatMap((b) => b.events.map((e) => e.seq));
    expect(received).toEqual([...received].sort((a, b) => a - b));
    const covered = new Set(received);
    expect(covered.size).toBe(received.length);
    for (const gap of stalled.of('gap').filter((g) => g.reason === 'slow-consumer')) {
      expect(gap.count).toBe(gap.to - gap.from + 1);
      for (let seq = gap.from; seq <= gap.to; seq++) {
        expect(covered.has(seq)).toBe(false);
        covered.add(seq);
      }
    }
    expect(covered.size).toBe(received[received.length - 1]! - received[0]! + 1);
  }, 90_000);

  it('inspectors that only send pings are refused when the auth time runs out, and get nothing', async () => {
    const base = host.agentUrl.split('?')[0]!;
    const pingers = await Promise.all(Array.from({ length: 5 }, () => Client.open(base)));
    extra.push(...pingers);
    const timers = pingers.map((p) => setInterval(() => p.ws.readyState === WebSocket.OPEN && p.ws.ping(), 50));
    try {
      const [codes] = await Promise.all([Promise.all(pingers.map((p) => p.closed())), echo.roundTrips(50)]);
      expect(codes).toEqual([4401, 4401, 4401, 4401, 4401]);
      for (const p of pingers) expect(p.messages).toEqual([{ type: 'error', error: { code: 'UNAUTHORIZED', message: expect.any(String) } }]);
    } finally {
      timers.forEach(clearInterval);
    }
  }, 30_000);

  it('1,000 inspectors that connect and disconnect', async () => {
    let done = 0;
    const worker = async () => {
      for (let i = 0; i < 100; i++) {
        // Half of them subscribe (and leave while the ring is still streaming to them), half only say hello.
        const c = await Client.open(host.agentUrl + (i % 4 < 2 ? '' : '&subscribe=0'));
        await c.until(() => c.messages.length > 0, 'hello');
        if (i % 2) c.ws.terminate();
        else c.ws.close();
        done++;
      }
    };
    await Promise.all([...Array.from({ length: 10 }, worker), echo.roundTrips(100)]);
    expect(done).toBe(1000);
    await until(async () => (await host.stats()).inspectors === 1, 'only the observer left');
    expect(await echo.roundTrips(50)).toBe(50);
  }, 120_000);

  it('the observer received every event, and the host heap stayed bounded', async () => {
    const { lastSeq, heapUsed } = await host.stats();
    await observer.until(() => observer.messages.some((m) => m.type === 'batch' && m.events.some((e) => e.seq >= lastSeq)), 'the observer to catch up', 30_000);
    expect(observer.of('gap')).toEqual([]);
    const seqs = observer.events().map((e) => e.seq);
    expect(seqs.every((s, i) => s === i + 1)).toBe(true);
    expect(observer.closeCode).toBeUndefined();
    expect(heapUsed - baseline).toBeLessThan(HEAP_BOUND);
  }, 60_000);
});
