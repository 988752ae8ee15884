/**
 * Fuzzing the agent's inbound protocol path: a real agent on port 0, real ws
 * clients. Every frame an authenticated inspector sends gets exactly one
 * answer with a documented code (docs/protocol.md, "Errors"), the socket
 * stays open, a second inspector keeps receiving every event, and the host
 * process never hears about any of it (no warnings, no exceptions).
 *
 * Property runs are seeded and bounded; a failure prints the seed and the
 * shrunk counterexample so it can be replayed with `{ seed, path }`.
 */
import { EventEmitter } from 'node:events';
import fc from 'fast-check';
import WebSocket from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAgent, type Agent } from '../index.js';
import type { AgentMessage, ErrorCode, RequestId } from '../../shared/protocol.js';
import { Client, waitFor } from './harness.test-util.js';

const TOKEN = 'fuzz-token';
const MAX_MESSAGE = 4096;
const SEED = 20_261_121;

const ALL_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'BAD_JSON',
  'BAD_MESSAGE',
  'UNKNOWN_TYPE',
  'FRAME_TOO_LARGE',
  'BINARY_FRAME',
  'UNAUTHORIZED',
  'READONLY',
  'UNKNOWN_CONNECTION',
  'UNKNOWN_ACTION',
  'ACTION_BUSY',
  'RATE_LIMITED',
  'VERSION_MISMATCH',
  'AGENT_CLOSED',
]);

/** What the agent may send for a well-typed request whose fields are then checked. */
const REQUEST_LEVEL: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['BAD_MESSAGE', 'UNAUTHORIZED', 'UNKNOWN_CONNECTION', 'UNKNOWN_ACTION']);

interface Frame {
  data: string | Uint8Array;
  binary: boolean;
}

type Answer = Extract<AgentMessage, { type: 'response' | 'error' }>;

/**
 * The documented answer to a frame, computed independently of the agent's
 * validator: an exact code where the spec fixes one, else the set allowed.
 */
function expectedAnswer(frame: Frame): { codes: ReadonlySet<ErrorCode> | 'maybe-result'; id?: RequestId } {
  const exactly = (code: ErrorCode, id?: RequestId) => ({ codes: new Set([code]), ...(id === undefined ? {} : { id }) });
  if (frame.binary) return exactly('BINARY_FRAME');
  const bytes = typeof frame.data === 'string' ? Buffer.from(frame.data, 'utf8') : Buffer.from(frame.data);
  if (bytes.byteLength > MAX_MESSAGE) return exactly('FRAME_TOO_LARGE');
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return exactly('BAD_JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return exactly('BAD_MESSAGE');
  const msg = value as Record<string, unknown>;
  const id = typeof msg.id === 'string' || (typeof msg.id === 'number' && Number.isFinite(msg.id)) ? (msg.id as RequestId) : undefined;
  if (typeof msg.type !== 'string') return exactly('BAD_MESSAGE', id);
  if (!['auth', 'subscribe', 'act', 'mark'].includes(msg.type)) return exactly('UNKNOWN_TYPE', id);
  if (id === undefined) return exactly('BAD_MESSAGE');
  return { codes: 'maybe-result', id };
}

// --- generators -------------------------------------------------------------

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
/** Strings with the awkward parts of Unicode: lone surrogates, astral chars, NUL, BOM, RTL marks. */
const nastyString = fc
  .array(fc.oneof(fc.string({ maxLength: 8 }), loneSurrogate, fc.constantFrom('\u0000', '\ufeff', '\u202e', '😀', '\u{10ffff}', '\\', '"', '\n')), { maxLength: 12 })
  .map((parts) => parts.join(''));
const hugeNumber = fc.constantFrom(1e308, -1e308, 1e21, 2 ** 53 + 1, -0, 5e-324, 1.7976931348623157e308, 2 ** 31, -1);
const requestId = fc.oneof(fc.integer(), nastyString, hugeNumber);
const anyJson = fc.oneof(fc.jsonValue({ maxDepth: 3 }), hugeNumber, nastyString);

const validRequest = fc.oneof(
  fc.record({ type: fc.constant('auth'), id: requestId, token: fc.oneof(fc.constant(TOKEN), nastyString) }),
  fc.record({ type: fc.constant('subscribe'), id: requestId, since: fc.oneof(fc.nat(), fc.constant(2 ** 53 - 1)) }, { requiredKeys: ['type', 'id'] }),
  fc.record(
    {
      type: fc.constant('act'),
      id: requestId,
      conn: fc.oneof(fc.constant('c404'), nastyString),
      name: fc.constantFrom('noop', 'missing', 'disconnect'),
      timeout: fc.oneof(fc.nat(50), hugeNumber.filter((n) => n >= 0)),
    },
    { requiredKeys: ['type', 'id', 'name'] },
  ),
  fc.record({ type: fc.constant('mark'), id: requestId, label: nastyString }),
);

/** A valid request with one field deleted, replaced by arbitrary JSON, or an extra one added. */
const mutatedRequest = fc.tuple(validRequest, fc.nat(), anyJson, fc.constantFrom('delete', 'replace', 'extra')).map(([request, pick, value, how]) => {
  const copy: Record<string, unknown> = { ...request };
  const keys = Object.keys(copy);
  const key = keys[pick % keys.length]!;
  if (how === 'delete') delete copy[key];
  else if (how === 'replace') copy[key] = value;
  else copy[`x${pick}`] = value;
  return copy;
});

const textFrame = (text: string): Frame => ({ data: text, binary: false });
const frames: fc.Arbitrary<Frame> = fc.oneof(
  { weight: 3, arbitrary: validRequest.map((r) => textFrame(JSON.stringify(r))) },
  { weight: 5, arbitrary: mutatedRequest.map((r) => textFrame(JSON.stringify(r))) },
  { weight: 2, arbitrary: anyJson.map((v) => textFrame(JSON.stringify(v) ?? 'null')) },
  { weight: 2, arbitrary: nastyString.map(textFrame) },
  // Truncated or spliced JSON: a valid request cut at a random point.
  { weight: 2, arbitrary: fc.tuple(validRequest, fc.nat()).map(([r, cut]) => { const s = JSON.stringify(r); return textFrame(s.slice(0, cut % (s.length + 1))); }) },
  // Raw bytes in a text frame: mostly invalid UTF-8.
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((data): Frame => ({ data, binary: false })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((data): Frame => ({ data, binary: true })) },
  { weight: 1, arbitrary: fc.integer({ min: MAX_MESSAGE + 1, max: MAX_MESSAGE + 2000 }).map((n) => textFrame(`{"type":"mark","id":1,"label":"${'x'.repeat(n)}"}`)) },
);

// --- harness ----------------------------------------------------------------

let agents: Agent[] = [];
let clients: Client[] = [];
let warnings: Error[] = [];
const onWarning = (warning: Error) => warnings.push(warning);

function startAgent(options: Parameters<typeof createAgent>[0] = {}): Agent {
  const agent = createAgent({ port: 0, token: TOKEN, logger: false, autoInstrument: false, maxMessageSize: MAX_MESSAGE, bufferSize: 100_000, ...options });
  agent.defineAction('noop', () => 'ok');
  agents.push(agent);
  return agent;
}

async function inspector(agent: Agent, query = ''): Promise<Client> {
  await agent.ready;
  const client = await Client.open(agent.url + query);
  clients.push(client);
  await client.until(() => client.of('hello').length === 1, 'hello');
  return client;
}

const answers = (client: Client): Answer[] => client.messages.filter((m): m is Answer => m.type === 'response' || m.type === 'error');

/** Every seq from 1 to `last` exactly once, in order, or covered by a gap message. */
function assertComplete(client: Client, last: number): void {
  const seen = client.events().map((e) => e.seq);
  const gaps = client.of('gap').reduce((n, g) => n + g.count, 0);
  expect(gaps).toBe(0);
  expect(seen).toEqual(Array.from({ length: last }, (_, i) => i + 1));
}

beforeEach(() => {
  warnings = [];
  process.on('warning', onWarning);
});

afterEach(async () => {
  process.off('warning', onWarning);
  for (const client of clients) client.ws.terminate();
  await Promise.all(agents.map((a) => a.close()));
  agents = [];
  clients = [];
});

describe('inbound frames (property)', () => {
  it('answers every random or mutated frame exactly once with a documented code, and keeps serving', async () => {
    const agent = startAgent();
    const observer = await inspector(agent);
    const attacker = await inspector(agent);
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(frames, async (frame) => {
        attacker.ws.send(frame.data, { binary: frame.binary });
        sent += 1;
        await attacker.until(() => answers(attacker).length >= sent, `answer #${sent}`);
        const answer = answers(attacker)[sent - 1]!;
        const expected = expectedAnswer(frame);
        expect(attacker.closeCode).toBeUndefined();
        if (answer.type === 'error') {
          // Only frames whose id could not be read get an id-less error.
          expect(expected.id).toBeUndefined();
          expect(ALL_CODES.has(answer.error.code)).toBe(true);
          if (expected.codes !== 'maybe-result') expect([...expected.codes]).toContain(answer.error.code);
          return;
        }
        expect(expected.id).toBeDefined();
        // The id comes back as JSON carries it (-0 becomes 0).
        expect(answer.id).toEqual(JSON.parse(JSON.stringify(expected.id)));
        if (expected.codes !== 'maybe-result') expect([...expected.codes]).toContain(answer.error?.code);
        else if (answer.error) expect(REQUEST_LEVEL.has(answer.error.code)).toBe(true);
      }),
      { seed: SEED, numRuns: 1000, interruptAfterTimeLimit: 20_000, markInterruptAsFailure: false },
    );
    // No frame got a second answer.
    expect(await attacker.request({ type: 'mark', id: 'sentinel', label: 'end' })).toMatchObject({ result: {} });
    expect(answers(attacker)).toHaveLength(sent + 1);

    // The observer saw every event (the attacker's marks and actions included), without a gap.
    agent.mark('observer check');
    await observer.until(() => observer.events().some((e) => e.type === 'mark' && e.label === 'observer check'), 'the last mark');
    const last = Math.max(...observer.events().map((e) => e.seq));
    assertComplete(observer, last);
    expect(observer.closeCode).toBeUndefined();
    expect(agent.inspectors).toBe(2);
    // Nothing the frames did is retained beyond the ring: every action they started has settled.
    expect((agent as unknown as { log: { liveSize: number } }).log.liveSize).toBe(0);
    // Nothing reached the host: no TimeoutOverflowWarning from a huge timeout, no other warning.
    expect(warnings.map((w) => `${w.name}: ${w.message}`)).toEqual([]);
  }, 60_000);

  it('refuses any first frame that is not a valid auth with 4401, and never streams to that socket', async () => {
    // Room for the property's pace of token-less connections (the default allows 16 a second).
    const agent = startAgent({ maxUnauthenticated: 100 });
    await agent.ready;
    const observer = await inspector(agent);
    const base = agent.url.split('?')[0]!;
    await fc.assert(
      fc.asyncProperty(frames.filter((f) => !(typeof f.data === 'string' && f.data.includes(TOKEN))), async (frame) => {
        const client = await Client.open(base);
        clients.push(client);
        client.ws.send(frame.data, { binary: frame.binary });
        expect(await client.closed()).toBe(4401);
        // Exactly one message, the refusal: no hello, no events.
        expect(client.messages).toHaveLength(1);
        expect(answers(client)[0]!.error?.code).toBe('UNAUTHORIZED');
      }),
      { seed: SEED + 1, numRuns: 40, interruptAfterTimeLimit: 10_000, markInterruptAsFailure: false },
    );
    expect(agent.inspectors).toBe(1);
    expect(observer.closeCode).toBeUndefined();
  }, 30_000);
});

describe('inbound frames (edge cases)', () => {
  it('parses 100k nested arrays without a stack overflow and answers as documented', async () => {
    const agent = startAgent({ maxMessageSize: 512 * 1024 });
    const client = await inspector(agent);
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    client.send(deep);
    await client.until(() => answers(client).length === 1, 'answer to a deep array');
    expect(answers(client)[0]).toMatchObject({ type: 'error', error: { code: 'BAD_MESSAGE' } });
    // Deep nesting in an unknown field is ignored like any extra field.
    expect(await client.request({ type: 'mark', id: 'deep', label: 'deep', extra: JSON.parse('[[[[[[[[[[1]]]]]]]]]]') })).toMatchObject({ result: {} });
    client.send(`{"type":"mark","id":"deeper","label":"d","extra":${deep}}`);
    await client.until(() => client.response('deeper') !== undefined, 'answer to a deep extra field');
    expect(client.response('deeper')).toMatchObject({ result: { seq: expect.any(Number) } });
    expect(client.closeCode).toBeUndefined();
  });

  it('carries lone surrogates and other odd Unicode through to other inspectors intact', async () => {
    const agent = startAgent();
    const observer = await inspector(agent);
    const attacker = await inspector(agent);
    const labels = ['\ud800', 'a\udfffb', '\u0000\ufeff\u202e', '😀\u{10ffff}', '"\\\n'];
    for (const [i, label] of labels.entries()) expect(await attacker.request({ type: 'mark', id: i, label })).toMatchObject({ result: {} });
    await observer.until(() => observer.events().filter((e) => e.type === 'mark').length === labels.length, 'all marks');
    expect(observer.events().map((e) => (e.type === 'mark' ? e.label : undefined))).toEqual(labels);
  });

  it('refuses a mark label over 1,024 characters, so marks cannot fill the host\'s memory', async () => {
    const agent = startAgent();
    const client = await inspector(agent);
    expect(await client.request({ type: 'mark', id: 1, label: 'x'.repeat(1024) })).toMatchObject({ result: { seq: expect.any(Number) } });
    expect(await client.request({ type: 'mark', id: 2, label: 'x'.repeat(1025) })).toMatchObject({ error: { code: 'BAD_MESSAGE' } });
  });

  it('closes a frame beyond the hard limit with 1009 and keeps serving the others', async () => {
    const agent = startAgent();
    const observer = await inspector(agent);
    const attacker = await inspector(agent);
    attacker.send('x'.repeat(2 * 1024 * 1024));
    expect(await attacker.closed()).toBe(1009);
    agent.mark('after');
    await observer.until(() => observer.events().some((e) => e.type === 'mark' && e.label === 'after'), 'a mark after the big frame');
    await waitFor(() => agent.inspectors === 1, 'the attacker to be gone');
    expect(observer.closeCode).toBeUndefined();
  });

  it('answers a flood of 10,000 requests and 10,000 bad frames while another inspector gets every event', async () => {
    const agent = startAgent();
    const observer = await inspector(agent);
    const attacker = await inspector(agent);
    for (let i = 0; i < 10_000; i++) {
      attacker.send({ type: 'mark', id: i, label: `flood ${i}` });
      attacker.send(i % 2 ? '{"type":' : { type: 'act', id: `a${i}`, conn: 'c404', name: 'close' });
    }
    await attacker.until(() => answers(attacker).length === 20_000, '20,000 answers', 30_000);
    const codes = new Map<string, number>();
    for (const a of answers(attacker)) {
      const key = a.error?.code ?? 'result';
      codes.set(key, (codes.get(key) ?? 0) + 1);
    }
    // Acts are answered asynchronously, so a burst hits the documented in-flight limit.
    expect(codes.get('result')).toBe(10_000);
    expect(codes.get('BAD_JSON')).toBe(5000);
    expect((codes.get('UNKNOWN_CONNECTION') ?? 0) + (codes.get('RATE_LIMITED') ?? 0)).toBe(5000);
    expect(codes.size).toBeLessThanOrEqual(4);
    agent.mark('after flood');
    await observer.until(() => observer.events().some((e) => e.type === 'mark' && e.label === 'after flood'), 'the mark after the flood', 30_000);
    assertComplete(observer, Math.max(...observer.events().map((e) => e.seq)));
    expect(observer.events().filter((e) => e.type === 'mark' && e.label.startsWith('flood ')).length).toBe(10_000);
  }, 60_000);

  it('stops reading from an inspector that floods requests but never reads the answers', async () => {
    const agent = startAgent({ sendBudget: 64 * 1024, bufferSize: 50 });
    const observer = await inspector(agent);
    // Something alive, so that every fresh subscribe is answered with a real snapshot (about 30 KB).
    const emitter = new EventEmitter();
    agent.watchEmitter(emitter, { name: 'bus' });
    for (let i = 0; i < 200; i++) emitter.on(`topic-${i}`, () => {});
    // A small ring that has wrapped: the listeners are only in the snapshot.
    for (let i = 0; i < 100; i++) agent.mark(`m${i}`);
    const attacker = await inspector(agent, '&subscribe=0');
    const raw = (attacker.ws as WebSocket & { _socket: import('node:net').Socket })._socket;
    raw.pause();
    // 1,000 requests of 30 bytes each, every one asking for that snapshot: 30 MB of answers if all were read at once.
    for (let i = 0; i < 1000; i++) attacker.send({ type: 'subscribe', id: i });
    const sessions = (agent as unknown as { sessions: { list(): { bufferedAmount: number }[] } }).sessions;
    const agentBuffered = () => Math.max(...sessions.list().map((s) => s.bufferedAmount));
    await waitFor(() => agentBuffered() >= 64 * 1024, 'the agent to fill its send budget', 20_000);
    // Give an agent that kept reading every chance to show it.
    await new Promise((r) => setTimeout(r, 500));
    // Bounded by the send budget plus a few answers, not by what the attacker asked for.
    expect(agentBuffered()).toBeLessThan(4 * 1024 * 1024);
    // Nothing was dropped: once the attacker reads again, every request is answered.
    raw.resume();
    await attacker.until(() => attacker.of('response').length === 1000, 'all 1,000 answers', 30_000);
    expect(attacker.of('response').map((r) => r.id)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    agent.mark('still serving');
    await observer.until(() => observer.events().some((e) => e.type === 'mark' && e.label === 'still serving'), 'the observer to keep receiving');
  }, 60_000);
});
