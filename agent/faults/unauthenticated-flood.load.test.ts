/**
 * No one without the token may cost the host anything: 2,000 WebSocket
 * upgrades without a token, each parking part of a 1 MiB frame, against a
 * real host process limited to 1,024 file descriptors. The host's resident
 * memory must grow by less than 50 MB, its own echo server must keep
 * answering fresh connections throughout, and an inspector with the token
 * must still get in.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { floodUnauthenticated, freshEcho, peakRss, rssOf } from '../../shared/node/flood.test-util.js';
import { Client } from '../transport/harness.test-util.js';
import { startHost, type Host } from './fixtures/host-process.js';

const MB = 1024 * 1024;
let host: Host;
let observer: Client;

beforeAll(async () => {
  // A small ring, full before the baseline: what grows after it is the flood's.
  host = await startHost({ FAULT_RATE: '5', FAULT_BUFFER_SIZE: '5000' });
  // As on a default Linux desktop: the fd limit that ~1,000 parked sockets used to exhaust.
  execFileSync('prlimit', ['--pid', String(host.child.pid), '--nofile=1024:1024']);
  observer = await Client.open(host.agentUrl);
  await observer.until(() => observer.events().length > 6000, 'the ring to wrap', 30_000);
}, 60_000);

afterAll(() => {
  observer?.ws.terminate();
  host?.kill();
});

describe('a flood of unauthenticated connections', () => {
  it('2,000 token-less upgrades with parked frames: RSS grows < 50 MB, the app keeps answering, the token still gets in', async () => {
    const pid = host.child.pid!;
    const before = rssOf(pid);
    let echoes = 0;
    let flooding = true;
    const app = (async () => {
      while (flooding) {
        await freshEcho(host.echoPort);
        echoes++;
      }
    })();
    const { peak, result } = await peakRss(pid, () => floodUnauthenticated({ port: host.agentPort, path: '/', count: 2000 }));
    flooding = false;
    await app;
    try {
      console.log(`unauthenticated flood: ${result.upgraded} upgraded, host RSS ${(before / MB).toFixed(1)} → peak ${(peak / MB).toFixed(1)} MB, ${echoes} fresh echo round trips meanwhile`);
      expect(peak - before).toBeLessThan(50 * MB);
      expect(echoes).toBeGreaterThan(0);
      // The attacker still holds every socket it opened: an inspector with the token gets in all the same.
      const late = await Client.open(host.agentUrl);
      await late.until(() => late.of('hello').length === 1, 'hello for an inspector with the token');
      late.ws.terminate();
      expect(observer.closeCode).toBeUndefined();
      expect(observer.of('gap')).toEqual([]);
    } finally {
      for (const socket of result.sockets) socket.destroy();
    }
  }, 120_000);
});
