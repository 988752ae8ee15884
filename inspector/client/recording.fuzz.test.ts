/**
 * Property tests of the recording loader: whatever a file holds, parseRecording
 * never throws, and a damaged file reports the first broken line by number
 * while keeping every valid record before it. Seeded and bounded.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AgentEvent, RecordingLine } from '../../shared/protocol.js';
import { hello } from './hello.test-util.js';
import { createRecordingHeader, parseRecording, serializeRecording } from './recording.js';

const SEED = 424_242;
const RUNS = { seed: SEED, numRuns: 300, interruptAfterTimeLimit: 10_000, markInterruptAsFailure: false } as const;


const odd = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('\ud800', '😀', '\u2028', '\n', '"', '\\'));

/** An event of a random type with seq `seq` (only seq and t matter to the loader). */
function eventAt(seq: number, kind: number, text: string): AgentEvent {
  const t = seq * 1.5;
  switch (kind % 5) {
    case 0:
      return { type: 'mark', seq, t, label: text };
    case 1:
      return { type: 'conn.open', seq, t, conn: `c${seq}`, server: null, transport: 'tcp', actions: [], label: text };
    case 2:
      return { type: 'listener.add', seq, t, listener: `l${seq}`, emitter: 'e1', event: text, owner: null, once: false };
    case 3:
      return { type: 'handle.drop', seq, t, table: 'rooms', handle: seq, ok: kind % 2 === 0, owner: null };
    default:
      return { type: 'conn.io', seq, t, conn: 'c1', bytesIn: seq, bytesOut: 0, msgsIn: 1, msgsOut: 0, lastActivity: t };
  }
}

/** A well-formed recording: runs, each a hello then increasing seqs, with gaps and clock ticks between. */
const recording: fc.Arbitrary<RecordingLine[]> = fc
  .array(fc.array(fc.tuple(fc.integer({ min: 1, max: 4 }), fc.nat(20), odd, fc.constantFrom('event', 'event', 'event', 'gap', 'now')), { maxLength: 25 }), { minLength: 1, maxLength: 3 })
  .map((runs) => {
    const lines: RecordingLine[] = [];
    runs.forEach((steps, r) => {
      lines.push(hello(`run${r}`));
      let seq = 0;
      for (const [step, kind, text, what] of steps) {
        if (what === 'gap') {
          lines.push({ type: 'gap', from: seq + 1, to: seq + step, count: step, reason: 'evicted' });
          seq += step;
        } else if (what === 'now') lines.push({ type: 'now', now: seq * 2 });
        else {
          seq += step;
          lines.push(eventAt(seq, kind, text));
        }
      }
    });
    return lines;
  });

const header = createRecordingHeader(1_700_000_000_000);
/** File line number (1-based, header = 1) of record i. */
const lineOf = (i: number) => i + 2;

describe('parseRecording (property)', () => {
  it('reads back every well-formed recording completely', () => {
    fc.assert(
      fc.property(recording, (lines) => {
        const parsed = parseRecording(serializeRecording(header, lines));
        expect(parsed.errors).toEqual([]);
        expect(parsed.complete).toBe(true);
        expect(parsed.lines).toEqual(JSON.parse(JSON.stringify(lines)));
      }),
      RUNS,
    );
  });

  it('a file cut anywhere loads every whole record before the cut and names the cut line', () => {
    fc.assert(
      fc.property(recording, fc.double({ min: 0, max: 1, noNaN: true }), (lines, where) => {
        const text = serializeRecording(header, lines);
        const cut = Math.floor(where * text.length);
        const parsed = parseRecording(text.slice(0, cut));
        // Rows whose newline survived the cut (the header is row 1), and what is left of the next one.
        const fullRows = text.slice(0, cut).split('\n').length - 1;
        const rowStart = text.lastIndexOf('\n', cut - 1) + 1;
        const partial = text.slice(rowStart, cut);
        const wholeRow = text.slice(rowStart, text.indexOf('\n', rowStart));
        const records = (rows: number) => JSON.parse(JSON.stringify(lines.slice(0, Math.max(0, rows - 1))));
        if (partial === '' || partial === wholeRow) {
          const rows = fullRows + (partial === '' ? 0 : 1);
          if (rows === 0) return void expect(parsed.errors[0]).toMatchObject({ line: 1 });
          // Cut at a record boundary: a shorter but valid recording.
          expect(parsed.errors).toEqual([]);
          expect(parsed.lines).toEqual(records(rows));
          return;
        }
        expect(parsed.complete).toBe(false);
        expect(parsed.errors).toHaveLength(1);
        expect(parsed.errors[0]!.line).toBe(fullRows + 1);
        expect(parsed.errors[0]!.message.startsWith(`line ${fullRows + 1}: `)).toBe(true);
        if (fullRows > 0) expect(parsed.errors[0]!.message).toMatch(/truncated/);
        expect(parsed.lines).toEqual(records(fullRows));
      }),
      RUNS,
    );
  });

  /** Damage one record; the loader must stop exactly there. */
  const damages: Record<string, (lines: RecordingLine[], i: number) => string | undefined> = {
    'not JSON': () => '{"type":"mark","seq":',
    'a duplicated seq': (lines, i) => {
      const prev = lastEventBefore(lines, i);
      return prev ? JSON.stringify({ ...prev }) : undefined;
    },
    'a seq going backwards': (lines, i) => {
      const prev = lastEventBefore(lines, i);
      return prev && prev.seq > 1 ? JSON.stringify({ ...prev, seq: prev.seq - 1 }) : undefined;
    },
    'a hello of a newer protocol': () => JSON.stringify(hello('future', 2)),
    'an event type from a newer protocol': (lines, i) => JSON.stringify({ type: 'conn.teleport', seq: (lastEventBefore(lines, i)?.seq ?? 0) + 1, t: 1 }),
    'an array instead of an object': () => '[1,2,3]',
    'an event without seq': () => JSON.stringify({ type: 'mark', t: 1, label: 'x' }),
  };

  for (const [name, damage] of Object.entries(damages)) {
    it(`stops at ${name}, names that line and keeps everything before it`, () => {
      fc.assert(
        fc.property(recording, fc.nat(), (lines, pick) => {
          const i = 1 + (pick % lines.length); // after the first hello
          const broken = damage(lines, i);
          fc.pre(broken !== undefined);
          const rows = [JSON.stringify(header), ...lines.slice(0, i).map((l) => JSON.stringify(l)), broken!, ...lines.slice(i).map((l) => JSON.stringify(l))];
          const parsed = parseRecording(rows.join('\n') + '\n');
          expect(parsed.complete).toBe(false);
          expect(parsed.errors).toHaveLength(1);
          expect(parsed.errors[0]!.line).toBe(lineOf(i));
          expect(parsed.errors[0]!.message.startsWith(`line ${lineOf(i)}: `)).toBe(true);
          expect(parsed.lines).toEqual(JSON.parse(JSON.stringify(lines.slice(0, i))));
        }),
        RUNS,
      );
    });
  }

  it('refuses a wrong or newer header on line 1 and loads nothing', () => {
    const wrongHeaders = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
      fc.integer({ min: 2, max: 1000 }).map((version) => JSON.stringify({ ...header, version })),
      fc.constant(JSON.stringify({ ...header, format: 'other-recording' })),
      fc.string({ maxLength: 40 }),
    );
    fc.assert(
      fc.property(recording, wrongHeaders, (lines, first) => {
        fc.pre(first.trim() !== '' && first !== JSON.stringify(header) && !first.includes('\n'));
        const parsed = parseRecording([first, ...lines.map((l) => JSON.stringify(l))].join('\n') + '\n');
        expect(parsed.errors).toHaveLength(1);
        expect(parsed.errors[0]!.line).toBe(1);
        expect(parsed.lines).toEqual([]);
      }),
      RUNS,
    );
  });

  it('never throws on arbitrary text, and any error names a line that exists', () => {
    const junk = fc.oneof(
      fc.string({ maxLength: 400 }),
      fc.array(fc.oneof(fc.json({ maxDepth: 2 }), fc.string({ maxLength: 20 })), { maxLength: 10 }).map((rows) => [JSON.stringify(header), ...rows].join('\n')),
    );
    fc.assert(
      fc.property(junk, (text) => {
        const parsed = parseRecording(text);
        expect(parsed.errors.length).toBeLessThanOrEqual(1);
        expect(parsed.complete).toBe(parsed.errors.length === 0);
        for (const error of parsed.errors) {
          expect(error.line).toBeGreaterThanOrEqual(1);
          expect(error.line).toBeLessThanOrEqual(Math.max(1, text.split('\n').length));
        }
      }),
      RUNS,
    );
  });
});

function lastEventBefore(lines: RecordingLine[], i: number): AgentEvent | undefined {
  for (let j = i - 1; j >= 0; j--) {
    const line = lines[j]!;
    if (line.type === 'hello') return undefined;
    if ('seq' in line && typeof line.seq === 'number') return line as AgentEvent;
  }
  return undefined;
}
