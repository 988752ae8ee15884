import { afterEach, describe, expect, it, vi } from 'vitest';
import { floodUnauthenticated } from '../../shared/node/flood.test-util.js';
import { RawAgent, startCli, waitFor, type CliProcess } from './attach.test-util.js';
import { HubLog } from './hub-log.js';

describe('HubLog', () => {
  afterEach(() => vi.useRealTimers());

  it('prints the first line of a kind, counts the rest, and sums them up when the window ends', () => {
    vi.useFakeTimers();
    const lines: string[] = [];
    const log = new HubLog({ warn: (m) => lines.push(m), error: (m) => lines.push(m) }, 1000);
    for (let i = 0; i < 500; i++) log.warn('refused', `refused ${i}`);
    log.warn('other', 'another kind');
    expect(lines).toEqual(['refused 0', 'another kind']);
    vi.advanceTimersByTime(1000);
    expect(lines).toEqual(['refused 0', 'another kind', '499 more like this (refused) in the last 1 s; the latest: refused 499']);
    log.warn('refused', 'refused again');
    expect(lines.at(-1)).toBe('refused again');
  });

  it('lets a kind print a burst before it counts', () => {
    vi.useFakeTimers();
    const lines: string[] = [];
    const log = new HubLog({ warn: (m) => lines.push(m), error: () => {}, debug: (m) => lines.push(m) }, 1000);
    for (let i = 0; i < 5; i++) log.debug('attach', `attach ${i}`, 3);
    expect(lines).toEqual(['attach 0', 'attach 1', 'attach 2']);
    log.close();
    expect(lines.at(-1)).toBe('2 more like this (attach) in the last 1 s; the latest: attach 4');
  });
});

describe('bridgescope serve: its log under attack', () => {
  let serve: CliProcess | undefined;
  afterEach(async () => {
    await serve?.stop();
  });

  it('does not print a line per token-less dial or bad frame, and prints agent-supplied text escaped', async () => {
    serve = startCli(['serve', '--port', '0', '--token', 'tok']);
    const port = Number((await serve.printed(/inspector: http:\/\/127\.0\.0\.1:(\d+)\//))[1]);
    // 500 dials without the pairing token.
    const flood = await floodUnauthenticated({ port, path: '/agent', count: 500, sendBytes: 0 });
    for (const socket of flood.sockets) socket.destroy();
    // An agent that sends 200 bad frames, and one whose name and error messages try to forge log lines.
    const noisy = await RawAgent.dial(port, 'tok', 'legacy');
    noisy.hello('noisy', 'inst-noisy');
    await noisy.stream(...Array.from({ length: 200 }, (_, i) => `{"broken": ${i}`));
    const forger = await RawAgent.dial(port, 'tok', 'legacy');
    forger.hello('\u001b[31mEVIL\nwarning: refused an agent from 6.6.6.6', 'inst-evil');
    await forger.stream({ type: 'error', error: { code: 'X\u001b[2J', message: 'boom\nerror: forged line' } });
    forger.send({ type: 'hello', protocol: 1, agent: { name: 'again', instance: 'x' }, now: 0, lastSeq: 0 });
    await waitFor(() => serve!.stderr().includes('forged line'), 'the agent error line');
    await new Promise((r) => setTimeout(r, 300));

    const lines = serve.stderr().trimEnd().split('\n');
    expect(lines.length, serve.stderr()).toBeLessThanOrEqual(6);
    expect(serve.stderr()).not.toContain('\u001b');
    for (const line of lines) expect(line).toMatch(/^(warning|error): /);
    expect(lines.filter((l) => l.startsWith('warning: refused an agent from 6.6.6.6'))).toEqual([]);
    expect(lines.filter((l) => l.includes('wrong or missing pairing token'))).toHaveLength(1);
    expect(lines.filter((l) => l.includes('bad message'))).toHaveLength(1);
    expect(serve.stdout()).not.toContain('\u001b');
  });
});
