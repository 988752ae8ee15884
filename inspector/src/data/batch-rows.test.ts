import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitRows } from '../../client/recording.js';
import { batchRows } from './batch-rows.js';
import { decodeLines } from './batch-text.js';
import { ioEvent, RestRows, UNREAD } from './prepared-rows.js';

const io = '{"type":"conn.io","conn":"c1","bytesIn":120,"bytesOut":340,"lastActivity":0.5,"lastIn":0.5,"seq":11,"t":0.55}';
const other = '{"type":"conn.close","conn":"c1","cause":"peer-end","seq":12,"t":0.6}';

/** What the page gets from a batch of `bytes` starting at line `firstLine`: its rows as the text splitter finds them, and each row's value. */
function read(bytes: Uint8Array, firstLine = 0) {
  const { batch, nextLine } = batchRows(bytes, firstLine);
  if (!batch) return { rows: undefined, values: [], nextLine };
  const { prepared, rows } = batch;
  const rest = new RestRows(prepared);
  const values = [...rows.lines].map((_, i) => (prepared.io[i]! >= 0 ? ioEvent(prepared, prepared.io[i]!) : rest.next()));
  return { rows: { spans: [...rows.spans], lines: [...rows.lines], unterminated: rows.unterminated, ascii: rows.ascii }, values, nextLine };
}

/** The reference: the batch decoded and split as text, each row parsed alone (a row that is not JSON read as UNREAD, then parsed by the page). */
function reference(bytes: Uint8Array, firstLine = 0) {
  const text = decodeLines(bytes);
  const { batch, nextLine } = splitRows(text, firstLine);
  if (!batch) return { rows: undefined, nextLine, rowTexts: [] as string[] };
  const rowTexts = [...batch.lines].map((_, i) => text.slice(batch.spans[2 * i], batch.spans[2 * i + 1]));
  return { rows: { spans: [...batch.spans], lines: [...batch.lines], unterminated: batch.unterminated }, nextLine, rowTexts };
}

/**
 * Each value the page got is what parsing its row alone gives, or UNREAD
 * (then the page parses the row alone), up to the first row that is not one
 * JSON value; with none, nothing is UNREAD. (From that row on, the slice's
 * one-value-per-row count is all that is checked: rows like `"` then `",1`
 * read as two values, as they did before rows were read on bytes.)
 */
function expectParsed(values: unknown[], rowTexts: string[]) {
  const parsed = rowTexts.map((row) => {
    try {
      return JSON.parse(row) as unknown;
    } catch {
      return UNREAD;
    }
  });
  const broken = parsed.indexOf(UNREAD);
  values.slice(0, broken < 0 ? undefined : broken).forEach((value, i) => {
    if (value !== UNREAD) expect(value, rowTexts[i]).toStrictEqual(parsed[i]);
  });
  if (broken < 0) expect(values).not.toContain(UNREAD);
}

const encode = (text: string) => new TextEncoder().encode(text);

describe('a batch of lines read on its bytes', () => {
  it('finds rows as the text splitter does: CRLF, blank lines, an unterminated last line, line numbers after the first line', () => {
    const text = `${io}\r\n\r\n  \t\n${other}\n\r\r\n${io}\r\n${io} \n${io}\rx\n${other}\r\n${io}`;
    const bytes = encode(text);
    const got = read(bytes, 7);
    const want = reference(bytes, 7);
    expect(got.rows).toEqual({ ...want.rows, ascii: true });
    expect(got.nextLine).toBe(want.nextLine);
    expect(got.rows!.unterminated).toBe(true);
    expectParsed(got.values, want.rowTexts);
    expect(got.values[0]).toStrictEqual(JSON.parse(io));
  });

  it('ends an io row at the end of the file, with or without a carriage return', () => {
    for (const text of [io, `${io}\r`, `${other}\n${io}\r`, `${io}\n`]) {
      const got = read(encode(text));
      const want = reference(encode(text));
      expect(got.rows, JSON.stringify(text)).toEqual({ ...want.rows, ascii: true });
      expectParsed(got.values, want.rowTexts);
    }
  });

  it('counts the lines of a batch of blank lines only, and gives no rows', () => {
    expect(read(encode('\n \n\r\n\t\n'), 3)).toEqual({ rows: undefined, values: [], nextLine: 7 });
  });

  it('reads a batch that is not ASCII as text: offsets in the text, non-breaking space as blank, invalid UTF-8 as U+FFFD', () => {
    const wide = `${io.replace('"c1"', '"é😀"')}\n\u00a0\n${other.replace('peer-end', 'ü')}\n${io}\n`;
    const invalid = new Uint8Array([...encode(`${other}\n`), ...encode('{"type":"mark","label":"'), 0xff, 0xc3, ...encode('"}\n'), ...encode(io)]);
    for (const bytes of [encode(wide), invalid]) {
      const got = read(bytes, 1);
      const want = reference(bytes, 1);
      expect(got.rows).toEqual({ ...want.rows, ascii: false });
      expect(got.nextLine).toBe(want.nextLine);
      expectParsed(got.values, want.rowTexts);
    }
  });

  it('gives the text splitter’s rows and parsing’s values for any mix of rows, blank lines and line ends', () => {
    const row = fc.oneof(
      fc.constantFrom(io, other, `${io} `, `${io}}`, io.replace('"t":0.55', '"t":1e3'), '', ' ', '\t', '\r', '{"type":"conn.io",', '1,2', 'é', '\u00a0'),
      fc.string({ unit: fc.constantFrom('{', '}', '"', ':', ',', ' ', '\r', 'a', '1', 'é') }),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(row, fc.constantFrom('\n', '\r\n')), { minLength: 1, maxLength: 30 }), fc.boolean(), fc.nat(1000), (lines, terminated, firstLine) => {
        let text = lines.map(([r, end]) => r + end).join('');
        if (!terminated) text = text.slice(0, text.lastIndexOf('\n'));
        const bytes = encode(text);
        const got = read(bytes, firstLine);
        const want = reference(bytes, firstLine);
        expect(got.nextLine).toBe(want.nextLine);
        expect(got.rows).toEqual(want.rows && { ...want.rows, ascii: [...text].every((c) => c.charCodeAt(0) < 0x80) });
        expectParsed(got.values, want.rowTexts);
      }),
      { numRuns: 2000 },
    );
  });
});
