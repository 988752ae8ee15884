import { describe, expect, it } from 'vitest';
import type { RecordingLine } from '../../shared/protocol.js';
import { hello } from './hello.test-util.js';
import { createRecordingHeader, parseRecording, RecordingParser, RecordingWriter, serializeRecording } from './recording.js';

const ev = (seq: number): RecordingLine => ({ type: 'server.listen', seq, t: seq * 10, server: `s${seq}`, transport: 'tcp', address: 'x' });
const header = JSON.stringify(createRecordingHeader(5));
const file = (...rows: unknown[]): string => [header, ...rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r)))].join('\n') + '\n';

describe('recordings', () => {
  it('round-trips header, hellos, events, gaps and clock ticks', () => {
    const lines: RecordingLine[] = [hello('a'), ev(1), ev(2), { type: 'gap', from: 3, to: 4, count: 2, reason: 'evicted' }, ev(5), { type: 'now', now: 99 }, hello('b'), ev(1)];
    const parsed = parseRecording(serializeRecording(createRecordingHeader(5), lines));
    expect(parsed).toEqual({ header: createRecordingHeader(5), lines, errors: [], complete: true });
  });

  it('reads a recording pushed in chunks of any size exactly as in one piece, errors and line numbers included', () => {
    const good = serializeRecording(createRecordingHeader(5), [hello('a'), ev(1), ev(2), { type: 'now', now: 9 }, hello('b'), ev(1)]);
    const broken = file(hello('a'), ev(1), ev(3), ev(2), ev(4));
    const cutOff = good.slice(0, good.length - 7);
    for (const text of [good, broken, cutOff, '', '\n\n']) {
      for (const size of [1, 3, 17, 64, text.length || 1]) {
        const parser = new RecordingParser();
        for (let at = 0; at < text.length; at += size) parser.push(text.slice(at, at + size));
        expect(parser.end()).toEqual(parseRecording(text));
      }
    }
    expect(parseRecording(good)).toMatchObject({ complete: true, errors: [] });
    expect(parseRecording(good).lines).toHaveLength(6);
    expect(parseRecording(broken).errors).toMatchObject([{ line: 5 }]);
    expect(parseRecording(cutOff).errors[0]!.message).toContain('truncated');
  });

  it('writes the same text streaming as in one go', () => {
    const lines = [hello('a'), ev(1)];
    let text = '';
    const writer = new RecordingWriter((chunk) => (text += chunk), createRecordingHeader(5));
    for (const line of lines) writer.add(line);
    expect(writer.lines).toBe(2);
    expect(text).toBe(serializeRecording(createRecordingHeader(5), lines));
  });

  const broken: Array<[string, string, number, RegExp, number]> = [
    ['a missing header', [JSON.stringify(hello('a')), JSON.stringify(ev(1))].join('\n'), 1, /not a bridgescope recording/, 0],
    ['a newer format version', JSON.stringify({ format: 'bridgescope-recording', version: 2, createdAt: 1 }) + '\n', 1, /version 2 is newer .*\(1\).*update/, 0],
    ['a line that is not JSON', file(hello('a'), ev(1), '{oops', ev(3)), 4, /not valid JSON/, 2],
    ['an unknown record', file(hello('a'), ev(1), { type: 'conn.teleport', seq: 2, t: 1 }), 4, /unknown record type "conn.teleport"/, 2],
    ['an event without seq', file(hello('a'), { type: 'mark', label: 'x', t: 1 }), 3, /without a numeric seq/, 1],
    ['seq going backwards', file(hello('a'), ev(1), ev(3), ev(2)), 5, /seq goes backwards \(2 after 3\)/, 3],
    ['a duplicated seq', file(hello('a'), ev(1), ev(2), ev(2)), 5, /seq 2 appears twice/, 3],
    ['an event before any hello', file(ev(1)), 2, /before any hello/, 0],
    ['a newer protocol in a hello', file(hello('a'), ev(1), hello('b', 7), ev(1)), 4, /protocol 7, newer than this inspector's protocol 1/, 2],
    ['a truncated last line', file(hello('a'), ev(1)) + JSON.stringify(ev(2)).slice(0, 20), 4, /truncated/, 2],
  ];

  for (const [name, text, line, message, kept] of broken) {
    it(`reports ${name} at line ${line} and keeps what came before`, () => {
      const parsed = parseRecording(text);
      expect(parsed.complete).toBe(false);
      expect(parsed.errors).toHaveLength(1);
      expect(parsed.errors[0]!.line).toBe(line);
      expect(parsed.errors[0]!.message).toMatch(message);
      expect(parsed.errors[0]!.message).toMatch(new RegExp(`^line ${line}: `));
      expect(parsed.lines).toHaveLength(kept);
    });
  }

  it('accepts a last line without a newline, CRLF line ends, and seq restarting at a new hello', () => {
    const text = [header, JSON.stringify(hello('a')), JSON.stringify(ev(1)), JSON.stringify(hello('b')), JSON.stringify(ev(1))].join('\r\n');
    const parsed = parseRecording(text);
    expect(parsed.errors).toEqual([]);
    expect(parsed.complete).toBe(true);
    expect(parsed.lines.map((l) => l.type)).toEqual(['hello', 'server.listen', 'hello', 'server.listen']);
  });

  it('parses a 1,000,000-line recording', () => {
    const rows = [header, JSON.stringify(hello('a'))];
    for (let seq = 1; seq <= 1_000_000; seq++) rows.push(`{"type":"conn.io","seq":${seq},"t":${seq},"conn":"c1","bytesIn":${seq},"bytesOut":0,"msgsIn":1,"msgsOut":0,"lastActivity":${seq}}`);
    const parsed = parseRecording(rows.join('\n') + '\n');
    expect(parsed.errors).toEqual([]);
    expect(parsed.lines).toHaveLength(1_000_001);
  });
});
