/**
 * The hub under a flood of connections without a token, as a real
 * `bridgescope serve` process limited to 1,024 file descriptors: 2,000
 * connections that send half a request and wait, 2,000 upgrades that each
 * park most of a frame (on /target, which takes a first-message `auth`),
 * and 2,000 agent dials without the pairing token. Its resident memory must
 * grow by less than 50 MB, it must keep relaying a live agent to a UI
 * throughout, and — while the attacker still holds all its sockets —
 * answer HTTP and serve a new UI at once.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { floodIdle, floodUnauthenticated, peakRss, rssOf } from '../../shared/node/flood.test-util.js';
import { FixtureAgent, RecordingSocket, startCli, waitFor, type CliProcess } from './attach.test-util.js';

const MB = 1024 * 1024;
const TOKEN = 'flood-ui-token';
let serve: CliProcess;
let port: number;
let agent: FixtureAgent;
let watcher: RecordingSocket;

const marks = (socket: RecordingSocket) => socket.messages.flatMap((m) => (m.type === 'batch' ? (m.events as { type: string }[]) : [])).filter((e) => e.type === 'mark').length;

beforeAll(async () => {
  serve = startCli(['serve', '--port', '0', '--token', TOKEN]);
  port = Number((await serve.printed(/inspector: http:\/\/127\.0\.0\.1:(\d+)\//))[1]);
  execFileSync('prlimit', ['--pid', String(serve.child.pid), '--nofile=1024:1024']);
  agent = new FixtureAgent({ HUB_URL: `ws://127.0.0.1:${port}/agent?token=${TOKEN}`, AGENT_NAME: 'steady' });
  await agent.ready();
  watcher = new RecordingSocket(`ws://127.0.0.1:${port}/target/steady?token=${TOKEN}`);
  await watcher.opened;
  await agent.command('marks 50 warm');
  await waitFor(() => marks(watcher) >= 50, 'the live stream');
}, 60_000);

afterAll(async () => {
  watcher?.close();
  await agent?.kill();
  await serve?.stop();
});

describe('the hub under a flood of connections without a token', () => {
  it('RSS grows < 50 MB, and it keeps relaying and answering', async () => {
    const pid = serve.child.pid!;
    const before = rssOf(pid);
    let relayed = 0;
    let flooding = true;
    const traffic = (async () => {
      while (flooding) {
        const want = marks(watcher) + 10;
        await agent.command('marks 10 live');
        await waitFor(() => marks(watcher) >= want, 'a relayed batch during the flood', 10_000);
        relayed += 10;
      }
    })();
    const { peak, result } = await peakRss(pid, async () => {
      const idle = await floodIdle(port, 2000);
      // Just under the hub's 64 KiB request limit: the largest frame it would otherwise wait for.
      const ui = await floodUnauthenticated({ port, path: '/target/steady', count: 2000, frameBytes: 60 * 1024, sendBytes: 56 * 1024 });
      const agents = await floodUnauthenticated({ port, path: '/agent', count: 2000 });
      return [...idle, ...ui.sockets, ...agents.sockets];
    });
    flooding = false;
    await traffic;
    try {
      console.log(`hub flood: RSS ${(before / MB).toFixed(1)} → peak ${(peak / MB).toFixed(1)} MB, ${relayed} events relayed meanwhile`);
      expect(peak - before).toBeLessThan(50 * MB);
      expect(relayed).toBeGreaterThan(0);
      expect(serve.alive()).toBe(true);
      // The attacker still holds every socket it opened: the hub answers newcomers all the same.
      expect((await fetch(`http://127.0.0.1:${port}/status?token=${TOKEN}`, { signal: AbortSignal.timeout(5000) })).status).toBe(200);
      const late = new RecordingSocket(`ws://127.0.0.1:${port}/target/steady?token=${TOKEN}`);
      try {
        await waitFor(() => marks(late) >= 50, 'a new UI to get the history', 5000);
      } finally {
        late.close();
      }
    } finally {
      for (const socket of result) socket.destroy();
    }
  }, 120_000);
});
