import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RECORDING_FORMAT } from '../../shared/protocol.js';
import { FixtureAgent, memoryLogger, RecordingSocket, relay, seqsOf, tempDir, waitFor } from './attach.test-util.js';
import { startInspectorServer, type InspectorServer, type InspectorServerOptions, type TargetInfo } from './index.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function hub(options: InspectorServerOptions = {}) {
  const logger = memoryLogger();
  const ui = await tempDir();
  cleanups.push(() => ui.remove());
  const server = await startInspectorServer({ port: 0, token: 'ui-token', pairingToken: 'pair-token', uiDir: ui.path, logger, ...options });
  cleanups.push(() => server.close());
  return { server, logger };
}

function agent(env: Record<string, string>): FixtureAgent {
  const fixture = new FixtureAgent(env);
  cleanups.push(() => fixture.kill());
  return fixture;
}

function socket(url: string): RecordingSocket {
  const ws = new RecordingSocket(url);
  cleanups.push(() => ws.close());
  return ws;
}

function uiSocket(server: InspectorServer): RecordingSocket {
  return socket(`ws://127.0.0.1:${server.port}/ui?token=${server.token}`);
}

function latestTargets(ui: RecordingSocket): TargetInfo[] {
  const lists = ui.messages.filter((m) => m.type === 'targets');
  return (lists[lists.length - 1]?.targets as TargetInfo[] | undefined) ?? [];
}

function target(ui: RecordingSocket, key: string): TargetInfo | undefined {
  return latestTargets(ui).find((t) => t.key === key);
}

function marks(messages: RecordingSocket['messages']): string[] {
  return messages.flatMap((m) =>
    m.type === 'batch' ? (m.events as Array<{ type: string; label?: string }>).filter((e) => e.type === 'mark').map((e) => e.label!) : [],
  );
}

describe('hub: dialling agents', () => {
  it('lists two dialling agents, and a restarted backend continues the same target with a second hello', async () => {
    const { server } = await hub();
    const ui = uiSocket(server);
    const alpha = agent({ HUB_URL: server.hubUrl, AGENT_NAME: 'alpha' });
    const beta = agent({ HUB_URL: server.hubUrl, AGENT_NAME: 'beta', AGENT_CLIENT: 'ios' });
    const first = await alpha.ready();
    await beta.ready();

    await waitFor(() => latestTargets(ui).length === 2 && latestTargets(ui).every((t) => t.state === 'live'), 'both targets live');
    expect(latestTargets(ui).map((t) => [t.key, t.name, t.client, t.direction]).sort()).toEqual([
      ['alpha', 'alpha', undefined, 'in'],
      ['beta@ios', 'beta', 'ios', 'in'],
    ]);
    expect(target(ui, 'alpha')!.url).toBe(`ws://127.0.0.1:${server.port}/target/alpha?token=ui-token`);
    await alpha.command('marks 3 before');
    const live = socket(target(ui, 'alpha')!.url);
    // A SIGKILL loses what the agent had not flushed yet: kill once the hub holds the marks.
    await waitFor(() => marks(live.messages).length === 3, 'the marks at the hub');

    await alpha.kill();
    await waitFor(() => target(ui, 'alpha')?.state === 'offline', 'alpha offline');
    const again = agent({ HUB_URL: server.hubUrl, AGENT_NAME: 'alpha' });
    const second = await again.ready();
    expect(second.instance).not.toBe(first.instance);
    await waitFor(() => target(ui, 'alpha')?.state === 'live' && target(ui, 'alpha')?.instance === second.instance, 'alpha live again');
    expect(latestTargets(ui).map((t) => t.key).sort()).toEqual(['alpha', 'beta@ios']);
    await again.command('mark after-restart');

    const history = socket(target(ui, 'alpha')!.url);
    await waitFor(() => marks(history.messages).includes('after-restart'), 'the restarted run in the history');
    const hellos = history.messages.filter((m) => m.type === 'hello').map((m) => (m.agent as { instance: string }).instance);
    expect(hellos).toEqual([first.instance, second.instance]);
    const secondHello = history.messages.findIndex((m) => m.type === 'hello' && m !== history.messages[0]);
    expect(marks(history.messages.slice(0, secondHello))).toEqual(['before1', 'before2', 'before3']);
    expect(marks(history.messages.slice(secondHello))).toEqual(['after-restart']);
  });

  it('resumes from the last seq when the same process reconnects: no loss, no duplicates, no restart', async () => {
    const { server, logger } = await hub();
    const link = await relay(server.port);
    cleanups.push(() => link.close());
    const ui = uiSocket(server);
    const alpha = agent({ HUB_URL: `ws://127.0.0.1:${link.port}/agent?token=pair-token`, AGENT_NAME: 'alpha' });
    await alpha.ready();
    await waitFor(() => target(ui, 'alpha')?.state === 'live', 'alpha live');
    const watcher = socket(target(ui, 'alpha')!.url);
    await alpha.command('marks 3 before');
    await waitFor(() => marks(watcher.messages).length === 3, 'the first marks');

    link.cut();
    await waitFor(() => target(ui, 'alpha')?.state === 'offline', 'alpha offline after the cut');
    await alpha.command('marks 3 during');
    await waitFor(() => target(ui, 'alpha')?.state === 'live', 'alpha back', 20_000);
    await alpha.command('mark after');
    await waitFor(() => marks(watcher.messages).includes('after'), 'the mark after the reconnect');

    expect(marks(watcher.messages)).toEqual(['before1', 'before2', 'before3', 'during1', 'during2', 'during3', 'after']);
    const seqs = seqsOf(watcher.messages);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => seqs[0]! + i));
    expect(watcher.messages.filter((m) => m.type === 'hello')).toHaveLength(1);
    expect(logger.lines.some((l) => /attached .*resuming after seq \d+/.test(l))).toBe(true);
  });

  it('after a hub restart on the same port, agents reconnect and the new hub has every event', async () => {
    const first = await hub();
    const port = first.server.port;
    const alpha = agent({ HUB_URL: first.server.hubUrl, AGENT_NAME: 'alpha' });
    const beta = agent({ HUB_URL: first.server.hubUrl, AGENT_NAME: 'beta' });
    await Promise.all([alpha.ready(), beta.ready()]);
    const ui1 = uiSocket(first.server);
    await waitFor(() => latestTargets(ui1).filter((t) => t.state === 'live').length === 2, 'both live on the first hub');
    await alpha.command('marks 3 before');
    await first.server.close();

    await alpha.command('marks 3 during');
    await beta.command('marks 2 during');
    const second = await hub({ port });
    const ui2 = uiSocket(second.server);
    await waitFor(() => latestTargets(ui2).filter((t) => t.state === 'live').length === 2, 'both back on the second hub', 30_000);
    await alpha.command('mark after');

    const history = socket(target(ui2, 'alpha')!.url);
    await waitFor(() => marks(history.messages).includes('after'), 'the history on the second hub');
    expect(marks(history.messages)).toEqual(['before1', 'before2', 'before3', 'during1', 'during2', 'during3', 'after']);
    const seqs = seqsOf(history.messages);
    expect(seqs[0]).toBe(1);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    const betaHistory = socket(target(ui2, 'beta')!.url);
    await waitFor(() => marks(betaHistory.messages).length === 2, 'beta history');
    expect(marks(betaHistory.messages)).toEqual(['during1', 'during2']);
  });

  it('refuses a wrong pairing token with a clear error on both sides, and lists nothing', async () => {
    const { server, logger } = await hub();
    const ui = uiSocket(server);
    await ui.opened;
    const intruder = agent({ HUB_URL: server.hubUrl.replace('pair-token', 'wrong'), AGENT_NAME: 'intruder' });
    const error = await waitFor(() => intruder.lines.find((l) => l.type === 'error'), 'the agent error event');
    expect(error.code).toBe('HUB_UNVERIFIED');
    expect(String(error.message)).toMatch(/did not prove it holds the pairing token.*the \?token= in the dial URL is not this hub's/);
    await waitFor(() => logger.lines.find((l) => l.includes('pairing proof')), 'the hub log line');
    expect(logger.lines.find((l) => l.includes('pairing proof'))).toMatch(
      /^warn: an agent at 127\.0\.0\.1:\d+ did not accept the hub's pairing proof: its dial URL carries another pairing token$/,
    );
    expect(latestTargets(ui)).toEqual([]);
  });

  it('refuses UI sockets without the UI token, and browser pages from other origins', async () => {
    const { server } = await hub();
    const status = (url: string, headers: Record<string, string> = {}) =>
      new Promise<number>((resolve) => {
        const ws = new RecordingSocket(url, { headers });
        ws.ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.ws.on('open', () => {
          ws.close();
          resolve(101);
        });
      });
    const base = `ws://127.0.0.1:${server.port}`;
    expect(await status(`${base}/ui?token=pair-token`)).toBe(401);
    expect(await status(`${base}/target/alpha?token=nope`)).toBe(401);
    expect(await status(`${base}/ui?token=ui-token`, { Origin: 'https://evil.example' })).toBe(403);
    expect(await status(`${base}/agent?token=pair-token`, { Host: 'evil.example:80' })).toBe(403);
    expect(await status(`${base}/agent?token=pair-token`, { Host: `10.0.2.2:${server.port}` })).toBe(101);
    expect(await status(`${base}/ui?token=ui-token`, { Origin: `http://localhost:${server.port}` })).toBe(101);
  });
});

describe('hub: agents it cannot use', () => {
  it('refuses an agent speaking another protocol version, says why, and says it once however often the agent retries', async () => {
    const { server, logger } = await hub();
    const ui = uiSocket(server);
    const tryHello = async () => {
      const future = socket(server.hubUrl);
      await future.opened;
      const closed = new Promise<{ code: number; reason: string }>((resolve) => future.ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
      future.send({ type: 'hello', protocol: 99, agent: { name: 'future', pid: 1, runtime: 'x', startedAt: 0, instance: 'i' }, now: 0, lastSeq: 0, readonly: false, actions: [], bufferSize: 1 });
      return closed;
    };
    for (let attempt = 0; attempt < 3; attempt++) {
      expect(await tryHello()).toEqual({ code: 4002, reason: 'VERSION_MISMATCH: agent speaks protocol 99, this hub 1' });
    }
    const refusals = logger.lines.filter((line) => line.includes('VERSION_MISMATCH'));
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatch(/^error: agent "future" at 127\.0\.0\.1:\d+ refused: VERSION_MISMATCH: agent speaks protocol 99, this hub 1\. Use the same bridgescope version on both sides\.$/);
    expect(latestTargets(ui)).toEqual([]);
  });
});

describe('hub: connecting out to listening agents', () => {
  it('connects out, forwards requests to the live agent, and answers AGENT_CLOSED once it is gone', async () => {
    const listening = agent({ LISTEN_PORT: '0', AGENT_NAME: 'listener' });
    const { url } = await listening.ready();
    const { server } = await hub({ agents: [url] });
    const ui = uiSocket(server);
    await waitFor(() => target(ui, 'listener')?.state === 'live', 'the listening agent live');
    expect(target(ui, 'listener')!.direction).toBe('out');
    expect(target(ui, 'listener')!.remote).not.toContain(new URL(url).searchParams.get('token')!);

    const view = socket(target(ui, 'listener')!.url);
    await view.opened;
    view.send({ type: 'mark', id: 'm1', label: 'from-the-ui' });
    await waitFor(() => marks(view.messages).includes('from-the-ui'), 'the mark relayed back');
    expect(view.messages.find((m) => m.type === 'response' && m.id === 'm1')).toMatchObject({ result: expect.anything() });
    view.send({ type: 'act', id: 2, conn: 'no-such-conn', name: 'close' });
    const refused = await waitFor(() => view.messages.find((m) => m.type === 'response' && m.id === 2), 'the act response');
    expect((refused.error as { code: string }).code).toBe('UNKNOWN_CONNECTION');

    await listening.kill();
    await waitFor(() => target(ui, 'listener')?.state === 'offline', 'the agent offline');
    view.send({ type: 'mark', id: 3, label: 'too late' });
    const closed = await waitFor(() => view.messages.find((m) => m.type === 'response' && m.id === 3), 'the offline response');
    expect((closed.error as { code: string }).code).toBe('AGENT_CLOSED');
  });
});

describe('hub: --record', () => {
  it('writes each target as a parseable NDJSON recording', async () => {
    const dir = await tempDir();
    cleanups.push(() => dir.remove());
    const { server } = await hub({ recordDir: dir.path });
    const ui = uiSocket(server);
    const alpha = agent({ HUB_URL: server.hubUrl, AGENT_NAME: 'alpha', AGENT_CLIENT: 'android' });
    const { instance } = await alpha.ready();
    await waitFor(() => target(ui, 'alpha@android')?.state === 'live', 'alpha live');
    await alpha.command('connect 2');
    await alpha.command('marks 2 rec');
    const view = socket(target(ui, 'alpha@android')!.url);
    await waitFor(() => marks(view.messages).length === 2, 'the marks at the hub');
    await server.close();

    const files = await readdir(dir.path);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^alpha@android-\d{4}-\d\d-\d\dT[\d-]+Z-part1\.ndjson$/);
    const lines = (await readFile(join(dir.path, files[0]!), 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ format: RECORDING_FORMAT, version: 1 });
    expect(lines[1]).toMatchObject({ type: 'hello', agent: { name: 'alpha', client: 'android', instance } });
    const events = lines.filter((l) => typeof l.seq === 'number');
    expect(events.filter((e) => e.type === 'conn.open')).toHaveLength(2);
    expect(events.filter((e) => e.type === 'mark').map((e) => e.label)).toEqual(['rec1', 'rec2']);
    expect(events.map((e) => e.seq)).toEqual([...events.map((e) => e.seq)].sort((a, b) => a - b));
  });

  it('rotates by size into parts that each open on their own', async () => {
    const dir = await tempDir();
    cleanups.push(() => dir.remove());
    const { server } = await hub({ recordDir: dir.path, recordMaxBytes: 2048 });
    const ui = uiSocket(server);
    const alpha = agent({ HUB_URL: server.hubUrl, AGENT_NAME: 'alpha' });
    await alpha.ready();
    await waitFor(() => target(ui, 'alpha')?.state === 'live', 'alpha live');
    await alpha.command('marks 60 rotate-me-');
    const view = socket(target(ui, 'alpha')!.url);
    await waitFor(() => marks(view.messages).length === 60, 'the marks at the hub');
    await server.close();

    const files = (await readdir(dir.path)).sort((a, b) => Number(/part(\d+)/.exec(a)![1]) - Number(/part(\d+)/.exec(b)![1]));
    expect(files.length).toBeGreaterThan(2);
    const all: string[] = [];
    for (const file of files) {
      const text = await readFile(join(dir.path, file), 'utf8');
      const lines = text.trimEnd().split('\n').map((l) => JSON.parse(l));
      expect(lines[0], file).toMatchObject({ format: RECORDING_FORMAT });
      expect(lines[1], file).toMatchObject({ type: 'hello', agent: { name: 'alpha' } });
      // A part passes the limit by at most the one line that did not fit.
      expect(Buffer.byteLength(text) - Buffer.byteLength(text.trimEnd().split('\n').pop()!), file).toBeLessThanOrEqual(2048);
      all.push(...lines.filter((l) => l.type === 'mark').map((l) => l.label));
    }
    expect(all).toEqual(Array.from({ length: 60 }, (_, i) => `rotate-me-${i + 1}`));
  });
});

describe('hub: /target speaks the agent protocol as an agent does', () => {
  async function closeOf(ws: RecordingSocket): Promise<number> {
    return new Promise((resolve) => ws.ws.once('close', (code) => resolve(code)));
  }

  it('takes the token on the URL or in a first auth message, and closes a wrong one with 4401', async () => {
    const { server } = await hub();
    const ui = uiSocket(server);
    const alpha = agent({ HUB_URL: server.hubUrl, AGENT_NAME: 'alpha' });
    await alpha.ready();
    await waitFor(() => target(ui, 'alpha')?.state === 'live', 'alpha live');
    await alpha.command('marks 2 early');
    const base = `ws://127.0.0.1:${server.port}/target/alpha`;

    // No token on the URL: nothing until `auth`, then the same stream as with the token.
    const late = socket(base);
    await late.opened;
    await new Promise((r) => setTimeout(r, 100));
    expect(late.messages).toEqual([]);
    late.send({ type: 'auth', id: 'a', token: 'ui-token' });
    await waitFor(() => marks(late.messages).length === 2, 'the history after auth');
    expect(late.messages.slice(0, 2).map((m) => m.type)).toEqual(['response', 'hello']);

    const guessed = socket(base);
    await guessed.opened;
    const closed = closeOf(guessed);
    guessed.send({ type: 'auth', id: 'g', token: 'guess' });
    expect(await closed).toBe(4401);
    expect(guessed.messages).toEqual([{ type: 'response', id: 'g', error: { code: 'UNAUTHORIZED', message: expect.any(String) } }]);

    // Authenticated on the URL: a later wrong `auth` is answered, and the socket stays open.
    const watcher = socket(`${base}?token=ui-token`);
    await waitFor(() => marks(watcher.messages).length === 2, 'the history');
    watcher.send({ type: 'auth', id: 'w', token: 'guess' });
    await waitFor(() => watcher.messages.find((m) => m.type === 'response' && m.id === 'w'), 'the auth answer');
    await alpha.command('mark still-open');
    await waitFor(() => marks(watcher.messages).includes('still-open'), 'the stream to go on');
  });

  it('refuses a malformed since with 400, as an agent does', async () => {
    const { server } = await hub();
    const refused = await new Promise<number>((resolve) => {
      const ws = socket(`ws://127.0.0.1:${server.port}/target/alpha?token=ui-token&since=1e3`);
      ws.opened.catch(() => {});
      ws.ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    });
    expect(refused).toBe(400);
  });
});
