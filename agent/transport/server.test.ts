import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../shared/protocol.js';
import { Client, fakeCore, publishMarks, startStack, TOKEN, waitFor, type Stack, type StackOptions } from './harness.test-util.js';
import { rawRequest } from '../../shared/node/raw-http.test-util.js';

let stacks: Stack[] = [];
let clients: Client[] = [];

async function stack(options: StackOptions = {}): Promise<Stack> {
  const s = await startStack(options);
  stacks.push(s);
  return s;
}

async function inspector(s: Stack, query = `?token=${TOKEN}`, options: WebSocket.ClientOptions = {}): Promise<Client> {
  const c = await Client.open(`${s.url}${query}`, options);
  clients.push(c);
  return c;
}

const seqs = (events: AgentEvent[]) => events.map((e) => e.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

afterEach(async () => {
  for (const c of clients) c.ws.terminate();
  await Promise.all(stacks.map((s) => s.close()));
  stacks = [];
  clients = [];
});

describe('protocol round trip', () => {
  it('sends hello, a snapshot, then every event in seq order in batches', async () => {
    const s = await stack({ batchSize: 50 });
    publishMarks(s.core, 3, 'before');
    const c = await inspector(s);
    publishMarks(s.core, 120, 'after');
    await c.until(() => c.events().length === 123, '123 events');
    const [hello, snapshot] = c.messages;
    expect(hello).toMatchObject({ type: 'hello', protocol: 1, agent: { name: 'fake', instance: 'inst-1' }, lastSeq: 3, readonly: false, bufferSize: 1000 });
    expect(hello).toMatchObject({ actions: [{ name: 'reset', source: 'app' }] });
    expect(snapshot).toMatchObject({ type: 'snapshot', events: [] });
    expect(seqs(c.events())).toEqual(range(1, 123));
    expect(c.of('batch').every((b) => b.events.length <= 50 && typeof b.now === 'number')).toBe(true);
    expect(c.of('gap')).toEqual([]);
    // `now` promises "nothing older is still coming": a batch sent while more
    // were waiting carries its last event's t, never a later clock.
    const batches = c.of('batch');
    for (let i = 0; i + 1 < batches.length; i++) expect(batches[i]!.now).toBeLessThanOrEqual(batches[i + 1]!.events[0]!.t);
    expect(snapshot).toMatchObject({ now: 0 });
  });

  it('gives each of two inspectors every event', async () => {
    const s = await stack();
    const a = await inspector(s);
    const b = await inspector(s);
    publishMarks(s.core, 40);
    await a.until(() => a.events().length === 40, 'a: 40 events');
    await b.until(() => b.events().length === 40, 'b: 40 events');
    expect(seqs(a.events())).toEqual(range(1, 40));
    expect(seqs(b.events())).toEqual(range(1, 40));
    expect(s.sessions.count).toBe(2);
    expect(s.joined).toHaveLength(2);
  });

  it('answers mark and act requests', async () => {
    const s = await stack();
    const c = await inspector(s);
    expect(await c.request({ type: 'mark', id: 1, label: 'cycle 1' })).toEqual({ type: 'response', id: 1, result: { seq: 1 } });
    expect(await c.request({ type: 'act', id: 2, conn: 'c1', name: 'disconnect' })).toMatchObject({ id: 2, result: { verdict: 'clean' } });
    expect(await c.request({ type: 'act', id: 3, conn: 'nope', name: 'close' })).toMatchObject({ id: 3, error: { code: 'UNKNOWN_CONNECTION' } });
    expect(await c.request({ type: 'act', id: 4, conn: 'c1', name: 'fly' })).toMatchObject({ id: 4, error: { code: 'UNKNOWN_ACTION' } });
    await c.until(() => c.events().some((e) => e.type === 'mark' && e.label === 'cycle 1'), 'the mark event');
  });

  it('waits for a subscribe request with ?subscribe=0', async () => {
    const s = await stack();
    publishMarks(s.core, 5);
    const c = await inspector(s, `?token=${TOKEN}&subscribe=0`);
    await c.until(() => c.messages.length === 1, 'hello');
    expect(await c.request({ type: 'subscribe', id: 's', since: 2 })).toEqual({ type: 'response', id: 's', result: { lastSeq: 5 } });
    await c.until(() => c.events().length === 3, 'events 3..5');
    expect(seqs(c.events())).toEqual([3, 4, 5]);
    expect(c.messages.map((m) => m.type)).toEqual(['hello', 'response', 'batch']);
  });

  it('refuses a 33rd request in flight with RATE_LIMITED', async () => {
    const s = await stack();
    const c = await inspector(s);
    for (let i = 0; i < 33; i++) c.send({ type: 'act', id: i, conn: 'c1', name: 'slow' });
    await c.until(() => c.response(32) !== undefined, 'the 33rd response');
    expect(c.response(32)).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    expect(c.of('response')).toHaveLength(1);
    s.core.releaseSlow();
    await c.until(() => c.of('response').length === 33, 'all responses');
    expect(c.of('response').filter((r) => r.result)).toHaveLength(32);
  });
});

describe('malformed messages', () => {
  it('answers each with its exact code and keeps serving this and other inspectors', async () => {
    const s = await stack({ maxMessageSize: 1024 });
    const bad = await inspector(s);
    const other = await inspector(s);
    const cases: [unknown, boolean, string, (string | number)?][] = [
      ['{"type": "mark", ', false, 'BAD_JSON'],
      ['[1,2,3]', false, 'BAD_MESSAGE'],
      [JSON.stringify({ type: 'mark', id: 'w1', label: 42 }), false, 'BAD_MESSAGE', 'w1'],
      [JSON.stringify({ type: 'subscribe', id: 'w2', since: 'yesterday' }), false, 'BAD_MESSAGE', 'w2'],
      [JSON.stringify({ type: 'mark', label: 'no id' }), false, 'BAD_MESSAGE'],
      [JSON.stringify({ type: 'teleport', id: 'u1' }), false, 'UNKNOWN_TYPE', 'u1'],
      [JSON.stringify({ type: 'mark', id: 'big', label: 'x'.repeat(2000) }), false, 'FRAME_TOO_LARGE'],
      [Buffer.from(JSON.stringify({ type: 'mark', id: 'b1', label: 'x' })), true, 'BINARY_FRAME'],
      [Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0xff]), true, 'BINARY_FRAME'],
      [Buffer.from([0xff, 0xfe, 0xfd, 0x80]), false, 'BAD_JSON'],
    ];
    for (const [data, binary, code, id] of cases) {
      const before = bad.messages.length;
      bad.ws.send(data as string | Buffer, { binary });
      await bad.until(() => bad.messages.length > before, `reply to ${code}`);
      const reply = bad.messages[before]!;
      if (id === undefined) expect(reply).toMatchObject({ type: 'error', error: { code } });
      else expect(reply).toMatchObject({ type: 'response', id, error: { code } });
    }
    expect(bad.ws.readyState).toBe(WebSocket.OPEN);
    expect(await bad.request({ type: 'mark', id: 'ok', label: 'still here' })).toMatchObject({ result: { seq: 1 } });
    await other.until(() => other.events().some((e) => e.type === 'mark'), 'the other inspector gets the mark');
    expect(other.of('error')).toEqual([]);
    expect(other.of('response')).toEqual([]);
  });

  it('cuts off a frame beyond maxPayload with close 1009', async () => {
    const s = await stack({ maxMessageSize: 1024 });
    const c = await inspector(s);
    c.send('x'.repeat(1024 * 1024 + 1));
    expect(await c.closed()).toBe(1009);
  });
});

describe('token', () => {
  it('accepts the right token on the URL', async () => {
    const s = await stack();
    const c = await inspector(s);
    await c.until(() => c.of('hello').length === 1, 'hello');
  });

  it('refuses a wrong token with a bare 401', async () => {
    const s = await stack();
    const response = await rawRequest(s.port, { path: '/?token=wrong' });
    expect(response.status).toBe(401);
    expect(response.body).toBe('Unauthorized');
    expect(response.headers + response.body).not.toContain('fake');
  });

  it('accepts an auth message when the URL has no token, sending nothing before it', async () => {
    const s = await stack();
    publishMarks(s.core, 2);
    const c = await inspector(s, '');
    await new Promise((r) => setTimeout(r, 100));
    expect(c.messages).toEqual([]);
    expect(await c.request({ type: 'auth', id: 'a', token: TOKEN })).toEqual({ type: 'response', id: 'a', result: {} });
    await c.until(() => c.events().length === 2, 'the events');
    expect(c.messages.map((m) => m.type)).toEqual(['response', 'hello', 'snapshot', 'batch']);
  });

  it('refuses a wrong auth message with UNAUTHORIZED and close 4401', async () => {
    const s = await stack();
    const c = await inspector(s, '');
    c.send({ type: 'auth', id: 'a', token: 'guess' });
    expect(await c.closed()).toBe(4401);
    expect(c.messages).toEqual([{ type: 'response', id: 'a', error: { code: 'UNAUTHORIZED', message: expect.any(String) } }]);
  });

  it('refuses a first message that is not auth', async () => {
    const s = await stack();
    const c = await inspector(s, '');
    c.send({ type: 'subscribe', id: 1 });
    expect(await c.closed()).toBe(4401);
    expect(c.messages).toMatchObject([{ type: 'response', id: 1, error: { code: 'UNAUTHORIZED' } }]);
  });

  it('closes 4401 when no auth message arrives in time', async () => {
    const s = await stack({ authTimeout: 200 });
    const c = await inspector(s, '');
    expect(await c.closed()).toBe(4401);
    expect(c.messages).toMatchObject([{ type: 'error', error: { code: 'UNAUTHORIZED' } }]);
    expect(s.joined).toEqual([]);
  });

  it('serves /status for the UI to tell a refused token from an agent that is down', async () => {
    const s = await stack();
    const ok = await rawRequest(s.port, { path: `/status?token=${TOKEN}`, upgrade: false, origin: 'http://localhost:5173' });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toEqual({ ok: true, protocol: 1 });
    expect(ok.headers).toMatch(/access-control-allow-origin: http:\/\/localhost:5173/i);
    const refused = await rawRequest(s.port, { path: '/status?token=nope', upgrade: false });
    expect(refused.status).toBe(401);
    expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    expect(refused.headers).not.toMatch(/access-control-allow-origin/i);
    const foreign = await rawRequest(s.port, { path: `/status?token=${TOKEN}`, upgrade: false, origin: 'https://evil.com' });
    expect(foreign.status).toBe(403);
    expect(foreign.headers).not.toMatch(/access-control-allow-origin/i);
    const other = await rawRequest(s.port, { path: '/metrics', upgrade: false });
    expect([other.status, other.body]).toEqual([404, 'Not found']);
  });
});

describe('malformed request targets', () => {
  it.each(['//', '//evil.com/status', 'http://127.0.0.1/status', '*'])('answers %s with 400, logs nothing into the host, and keeps serving', async (path) => {
    const logged: string[] = [];
    const logger = { warn: (m: string) => logged.push(m), error: (m: string) => logged.push(m) };
    const s = await stack({ logger });
    for (const upgrade of [true, false]) {
      const response = await rawRequest(s.port, { path, upgrade });
      expect([response.status, response.body]).toEqual([400, 'Bad Request']);
    }
    expect(logged).toEqual([]);
    const c = await inspector(s);
    await c.until(() => c.of('hello').length === 1, 'hello');
  });
});

describe('unauthenticated connections', () => {
  it('cuts a first frame bigger than an auth message at once, with UNAUTHORIZED and 4401', async () => {
    const s = await stack({ maxAuthMessageSize: 512 });
    const c = await inspector(s, '');
    c.send(JSON.stringify({ type: 'auth', id: 'a', token: 'x'.repeat(600) }));
    expect(await c.closed()).toBe(4401);
    expect(c.messages).toMatchObject([{ type: 'error', error: { code: 'UNAUTHORIZED' } }]);
    // An auth message that fits is still fine.
    const ok = await inspector(s, '');
    expect(await ok.request({ type: 'auth', id: 'b', token: TOKEN })).toMatchObject({ result: {} });
  });

  it('past maxUnauthenticated drops the oldest waiting socket first, never an authenticated one', async () => {
    // A long auth window: a socket closed here was dropped for the newcomers, not timed out.
    const s = await stack({ maxUnauthenticated: 3, authTimeout: 60_000 });
    const authenticated = await inspector(s);
    const waiting: Client[] = [];
    for (let i = 0; i < 5; i++) {
      waiting.push(await inspector(s, ''));
      // Within the rate of new token-less upgrades (maxUnauthenticated a second).
      await new Promise((r) => setTimeout(r, 400));
    }
    await waitFor(() => waiting.filter((c) => c.closeCode !== undefined).length === 2, 'two dropped');
    expect(waiting.map((c) => c.closeCode !== undefined)).toEqual([true, true, false, false, false]);
    expect(await waiting[4]!.request({ type: 'auth', id: 1, token: TOKEN })).toMatchObject({ result: {} });
    expect(authenticated.closeCode).toBeUndefined();
    expect(await authenticated.request({ type: 'mark', id: 'm', label: 'still here' })).toMatchObject({ result: {} });
  });

  it('past maxConnections refuses newcomers, and keeps every authenticated inspector', async () => {
    const s = await stack({ maxConnections: 2 });
    const a = await inspector(s);
    const b = await inspector(s);
    await a.until(() => a.of('hello').length === 1, 'hello a');
    await b.until(() => b.of('hello').length === 1, 'hello b');
    await expect(inspector(s)).rejects.toThrow();
    expect([a.closeCode, b.closeCode]).toEqual([undefined, undefined]);
    b.ws.close();
    await b.closed();
    await waitFor(() => s.sessions.count === 1, 'b gone');
    const c = await inspector(s);
    await c.until(() => c.of('hello').length === 1, 'hello for the newcomer once there is room');
  });

  it('takes at most maxUnauthenticated token-less upgrades a second, refusing the rest with 503', async () => {
    const s = await stack({ maxUnauthenticated: 2 });
    const started = performance.now();
    const statuses = await Promise.all(Array.from({ length: 20 }, () => rawRequest(s.port, { path: '/' }).then((r) => r.status)));
    const seconds = (performance.now() - started) / 1000;
    const upgraded = statuses.filter((status) => status === 101).length;
    // A burst of two, then two a second.
    expect(upgraded).toBeLessThanOrEqual(2 + Math.ceil(2 * seconds));
    expect(statuses.filter((status) => status === 503)).toHaveLength(20 - upgraded);
    // A token on the URL is never held back.
    expect((await rawRequest(s.port, { path: `/?token=${TOKEN}` })).status).toBe(101);
  });
});

describe('Host header', () => {
  it.each(['127.0.0.1', 'localhost', '[::1]:9230', 'devbox.local:1234'])('accepts %s', async (host) => {
    const s = await stack({ allowedHosts: ['devbox.local'] });
    const response = await rawRequest(s.port, { path: `/?token=${TOKEN}`, host });
    expect(response.status).toBe(101);
  });

  it.each(['localhost6', '0177.0.0.1', '0x7f.0.0.1', '127.1', '10.0.2.555', 'evil.com', '', null])('refuses %s (null: no Host header) with 403', async (host) => {
    const s = await stack();
    const response = await rawRequest(s.port, { path: `/?token=${TOKEN}`, host });
    expect([response.status, response.body]).toEqual([403, 'Forbidden host']);
  });
});

describe('Origin header', () => {
  it.each([undefined, 'http://127.0.0.1:5173', 'http://localhost:4000', 'http://[::1]:8080', 'https://ui.example.com'])('accepts %s', async (origin) => {
    const s = await stack({ allowedOrigins: ['https://ui.example.com'] });
    const c = await inspector(s, `?token=${TOKEN}`, origin ? { origin } : {});
    await c.until(() => c.of('hello').length === 1, 'hello');
  });

  it('refuses a foreign origin even with a valid token', async () => {
    const s = await stack();
    const response = await rawRequest(s.port, { path: `/?token=${TOKEN}`, origin: 'https://evil.com' });
    expect([response.status, response.body]).toEqual([403, 'Forbidden origin']);
  });
});

describe('resume', () => {
  it('delivers exactly the missing events after a reconnect with since', async () => {
    const s = await stack();
    publishMarks(s.core, 10);
    const first = await inspector(s);
    await first.until(() => first.events().length === 10, '10 events');
    const last = first.events().at(-1)!.seq;
    first.ws.close();
    await first.closed();
    publishMarks(s.core, 7, 'while-away');
    const second = await inspector(s, `?token=${TOKEN}&since=${last}`);
    publishMarks(s.core, 3, 'after');
    await second.until(() => second.events().length === 10, '10 more events');
    expect(seqs(second.events())).toEqual(range(11, 20));
    expect(second.of('snapshot')).toEqual([]);
    expect(second.of('gap')).toEqual([]);
  });

  it('reports what the ring no longer holds as an evicted gap', async () => {
    const s = await stack({ core: fakeCore({ bufferSize: 20 }) });
    publishMarks(s.core, 50);
    const c = await inspector(s, `?token=${TOKEN}&since=5`);
    await c.until(() => c.events().length === 20, 'the ring');
    expect(c.of('gap')).toEqual([{ type: 'gap', from: 6, to: 30, count: 25, reason: 'evicted' }]);
    expect(seqs(c.events())).toEqual(range(31, 50));
  });

  it('on a fresh subscribe sends the live state older than the ring and a gap for the rest', async () => {
    const core = fakeCore({ bufferSize: 10 });
    const s = await stack({ core });
    core.log.publish({ type: 'conn.open', conn: 'c1', server: null, transport: 'custom', actions: [] });
    publishMarks(core, 30);
    const c = await inspector(s);
    await c.until(() => c.events().length === 11, 'snapshot and ring');
    expect(c.messages.map((m) => m.type)).toEqual(['hello', 'snapshot', 'gap', 'batch']);
    expect(c.of('snapshot')[0]!.events).toMatchObject([{ seq: 1, type: 'conn.open', conn: 'c1' }]);
    expect(c.of('gap')).toEqual([{ type: 'gap', from: 1, to: 21, count: 20, reason: 'evicted' }]);
    expect(seqs(c.events())).toEqual([1, ...range(22, 31)]);
  });

  it('treats a since beyond the last seq (a previous instance) as a fresh subscribe', async () => {
    const s = await stack();
    publishMarks(s.core, 3);
    const c = await inspector(s, `?token=${TOKEN}&since=999`);
    await c.until(() => c.events().length === 3, 'the events');
    expect(c.messages.map((m) => m.type)).toEqual(['hello', 'snapshot', 'batch']);
  });
});

/** The send budget of the stalled-inspector tests: small, so a paused socket reaches it quickly. */
const STALL_BUDGET = 64 * 1024;

describe('a stalled inspector', () => {
  /** An inspector that has its snapshot, then stops reading its socket: its session and how to read again. */
  async function stalledInspector(options: { bufferSize: number; flushInterval?: number }) {
    const core = fakeCore({ bufferSize: options.bufferSize });
    const s = await stack({ core, sendBudget: STALL_BUDGET, batchSize: 100, ...(options.flushInterval !== undefined && { flushInterval: options.flushInterval }) });
    const c = await inspector(s);
    await c.until(() => c.of('snapshot').length === 1, 'snapshot');
    const socket = (c.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    socket.pause();
    return { core, s, c, socket, session: s.sessions.list()[0]!, label: 'x'.repeat(1000) };
  }

  it('costs the agent a bounded send buffer, then learns what it missed from a gap', async () => {
    const budget = STALL_BUDGET;
    const { core, c, socket, session, label } = await stalledInspector({ bufferSize: 2000 });
    // Publish until the kernel buffers are full and the session holds back, then keep going.
    let published = 0;
    let maxBuffered = 0;
    const publishRound = async () => {
      for (let i = 0; i < 200; i++) core.log.publish({ type: 'mark', label });
      published += 200;
      await new Promise((r) => setTimeout(r, 5));
      maxBuffered = Math.max(maxBuffered, session.bufferedAmount);
    };
    while (session.bufferedAmount < budget) {
      await publishRound();
      if (published > 200_000) throw new Error('the session never reached its send budget');
    }
    const stalledAt = session.cursor!;
    for (let round = 0; round < 30; round++) await publishRound();
    // Nothing was queued for it: the cursor stayed put and the buffer stayed near the budget.
    expect(session.cursor).toBe(stalledAt);
    expect(maxBuffered).toBeLessThan(budget + 100 * 1100);
    expect(core.log.lastSeq - stalledAt).toBeGreaterThan(core.log.capacity);
    socket.resume();
    await c.until(() => c.of('gap').length === 1 && c.events().at(-1)?.seq === core.log.lastSeq, 'a gap then the newest events', 15_000);
    const gap = c.of('gap')[0]!;
    expect(gap).toMatchObject({ reason: 'slow-consumer', from: stalledAt + 1 });
    expect(gap.count).toBe(gap.to - gap.from + 1);
    const received = seqs(c.events());
    expect(received).toEqual([...range(1, stalledAt), ...range(gap.to + 1, core.log.lastSeq)]);
  });

  it('resumes as soon as its socket drains, not a flush interval later', async () => {
    // An interval far longer than the test's wait: only the drain can resume the stream in time.
    const { core, s, c, socket, session, label } = await stalledInspector({ bufferSize: 100_000, flushInterval: 60_000 });
    let published = 0;
    while (session.bufferedAmount < STALL_BUDGET) {
      for (let i = 0; i < 200; i++) core.log.publish({ type: 'mark', label });
      published += 200;
      s.pump.flushNow();
      await new Promise((r) => setTimeout(r, 5));
      if (published > 50_000) throw new Error('the session never reached its send budget');
    }
    for (let i = 0; i < 2000; i++) core.log.publish({ type: 'mark', label });
    socket.resume();
    await c.until(() => c.events().at(-1)?.seq === core.log.lastSeq, 'every event, well before the flush interval', 10_000);
    expect(c.of('gap')).toEqual([]);
    expect(seqs(c.events())).toEqual(range(1, core.log.lastSeq));
  });

  it('is dropped when it stops answering heartbeats', async () => {
    const s = await stack({ heartbeatInterval: 100 });
    const c = await inspector(s, `?token=${TOKEN}`, { autoPong: false });
    await c.until(() => c.of('hello').length === 1, 'hello');
    await waitFor(() => s.left.length === 1, 'the inspector to be dropped');
    expect(s.left[0]!.reason).toBe('heartbeat timeout');
    expect(s.sessions.count).toBe(0);
  });
});

describe('readonly', () => {
  it('streams events but refuses every action', async () => {
    const s = await stack({ core: fakeCore({ readonly: true }) });
    const c = await inspector(s);
    publishMarks(s.core, 2);
    await c.until(() => c.events().length === 2, 'events');
    expect(c.of('hello')[0]).toMatchObject({ readonly: true });
    expect(await c.request({ type: 'act', id: 1, conn: 'c1', name: 'disconnect' })).toMatchObject({ error: { code: 'READONLY' } });
    expect(await c.request({ type: 'act', id: 2, name: 'reset' })).toMatchObject({ error: { code: 'READONLY' } });
  });
});

describe('readonly: a watcher cannot push events out of the ring', () => {
  it('refuses marks too, so a full ring keeps the app’s own events', async () => {
    const core = fakeCore({ readonly: true, bufferSize: 10 });
    const s = await stack({ core });
    publishMarks(core, 10, 'app');
    const watcher = await inspector(s);
    await watcher.until(() => watcher.events().length === 10, 'the ring');
    for (let i = 0; i < 20; i++) expect(await watcher.request({ type: 'mark', id: i, label: `watcher ${i}` })).toMatchObject({ error: { code: 'READONLY' } });
    // The ring still holds the app's ten events, and nothing else was published.
    expect(core.log.lastSeq).toBe(10);
    const late = await inspector(s);
    await late.until(() => late.events().length === 10, 'the ring for a new inspector');
    expect(late.events().map((e) => (e.type === 'mark' ? e.label : e.type))).toEqual(Array.from({ length: 10 }, (_, i) => `app${i}`));
  });
});

describe('closing', () => {
  it('closes inspectors with 1001 and stops listening', async () => {
    const s = await stack();
    const c = await inspector(s);
    await c.until(() => c.of('hello').length === 1, 'hello');
    await s.close();
    expect(await c.closed()).toBe(1001);
    expect(s.left).toEqual([{ id: 'i1', reason: 'agent closing' }]);
    await expect(Client.open(`${s.url}?token=${TOKEN}`)).rejects.toThrow(/ECONNREFUSED/);
  });
});
