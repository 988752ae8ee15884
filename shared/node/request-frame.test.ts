import { describe, expect, it } from 'vitest';
import { parseFrame } from './request-frame.js';

const MAX = 1024;
const text = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
const parse = (value: unknown, isBinary = false) => parseFrame(text(value), isBinary, MAX);

describe('parseFrame', () => {
  it('accepts every request type', () => {
    expect(parse({ type: 'auth', id: 1, token: 't' })).toEqual({ ok: true, request: { type: 'auth', id: 1, token: 't' } });
    expect(parse({ type: 'subscribe', id: 'a' })).toEqual({ ok: true, request: { type: 'subscribe', id: 'a' } });
    expect(parse({ type: 'subscribe', id: 2, since: 0 })).toEqual({ ok: true, request: { type: 'subscribe', id: 2, since: 0 } });
    expect(parse({ type: 'act', id: 3, conn: 'c1', name: 'close', timeout: 50 })).toEqual({
      ok: true,
      request: { type: 'act', id: 3, conn: 'c1', name: 'close', timeout: 50 },
    });
    expect(parse({ type: 'act', id: 4, conn: null, name: 'reset' })).toEqual({ ok: true, request: { type: 'act', id: 4, name: 'reset' } });
    expect(parse({ type: 'mark', id: 5, label: 'cycle 1' })).toEqual({ ok: true, request: { type: 'mark', id: 5, label: 'cycle 1' } });
  });

  it.each([
    ['a binary frame', text({ type: 'mark', id: 1, label: 'x' }), true, 'BINARY_FRAME'],
    ['an oversized frame', Buffer.alloc(MAX + 1, 0x20), false, 'FRAME_TOO_LARGE'],
    ['text that is not JSON', text('{"type":'), false, 'BAD_JSON'],
    ['invalid UTF-8', Buffer.from([0xff, 0xfe, 0x7b, 0x7d]), false, 'BAD_JSON'],
    ['an array', text([1, 2]), false, 'BAD_MESSAGE'],
    ['a string', text('"hello"'), false, 'BAD_MESSAGE'],
    ['null', text('null'), false, 'BAD_MESSAGE'],
    ['no type', text({ id: 1 }), false, 'BAD_MESSAGE'],
    ['a numeric type', text({ id: 1, type: 7 }), false, 'BAD_MESSAGE'],
    ['an unknown type', text({ id: 1, type: 'explode' }), false, 'UNKNOWN_TYPE'],
    ['no id', text({ type: 'mark', label: 'x' }), false, 'BAD_MESSAGE'],
    ['an object id', text({ type: 'mark', id: {}, label: 'x' }), false, 'BAD_MESSAGE'],
    ['a numeric token', text({ type: 'auth', id: 1, token: 5 }), false, 'BAD_MESSAGE'],
    ['a negative since', text({ type: 'subscribe', id: 1, since: -1 }), false, 'BAD_MESSAGE'],
    ['a fractional since', text({ type: 'subscribe', id: 1, since: 1.5 }), false, 'BAD_MESSAGE'],
    ['a string since', text({ type: 'subscribe', id: 1, since: '3' }), false, 'BAD_MESSAGE'],
    ['an act without name', text({ type: 'act', id: 1, conn: 'c1' }), false, 'BAD_MESSAGE'],
    ['a numeric conn', text({ type: 'act', id: 1, conn: 1, name: 'close' }), false, 'BAD_MESSAGE'],
    ['a string timeout', text({ type: 'act', id: 1, name: 'close', timeout: '5' }), false, 'BAD_MESSAGE'],
    ['a mark without label', text({ type: 'mark', id: 1 }), false, 'BAD_MESSAGE'],
  ] as const)('refuses %s', (_what, data, isBinary, code) => {
    const parsed = parseFrame(data, isBinary, MAX);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error.code).toBe(code);
  });

  it('keeps the request id when one is readable, so the reply can carry it', () => {
    expect(parse({ type: 'explode', id: 'r1' })).toMatchObject({ ok: false, id: 'r1', error: { code: 'UNKNOWN_TYPE' } });
    expect(parse({ type: 'mark', id: 9 })).toMatchObject({ ok: false, id: 9, error: { code: 'BAD_MESSAGE' } });
    expect(parse({ type: 'mark', label: 'x' })).not.toHaveProperty('id');
  });
});
