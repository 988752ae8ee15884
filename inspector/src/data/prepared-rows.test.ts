import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchRows } from './batch-rows.js';
import { ioEvent, RestRows, UNREAD } from './prepared-rows.js';

/** The rows as one batch, prepared as the reader does (from its bytes when they are ASCII). */
function prepare(rows: string[]) {
  return batchRows(new TextEncoder().encode(rows.join('\n') + '\n'), 0).batch!.prepared;
}

/** What the page gets for each row: the built io event, or the next of the other rows. */
function received(rows: string[]) {
  const prepared = prepare(rows);
  const rest = new RestRows(prepared);
  return {
    prepared,
    values: rows.map((_, i) => (prepared.io[i]! >= 0 ? ioEvent(prepared, prepared.io[i]!) : rest.next())),
  };
}

const parsed = (rows: string[]) => rows.map((r) => JSON.parse(r) as unknown);
/** What the page gets for a row alone: its value, or UNREAD when it is not JSON (the page then parses it and reports where). */
function parsedOrUnread(row: string): unknown {
  try {
    return JSON.parse(row) as unknown;
  } catch {
    return UNREAD;
  }
}
const io = (fields: Record<string, unknown> = {}) =>
  JSON.stringify({ type: 'conn.io', conn: 'c1', bytesIn: 120, bytesOut: 340, msgsIn: 1, msgsOut: 3, lastActivity: 0.15000000000000002, seq: 7, t: 0.35000000000000003, ...fields });

describe('rows prepared by the reader', () => {
  it('parses the io rows of exactly the protocol shape into columns, joins the others, and the page gets what parsing each row gives', () => {
    const rows = [
      io(),
      io({ lastIn: 0.1 }),
      io({ msgsIn: undefined, msgsOut: undefined }),
      io({ conn: 'c2', seq: 8 }),
      io({ extra: 1 }),
      io({ lastIn: null }),
      io({ bytesIn: '120' }),
      io({ conn: 7 }),
      io({ conn: 'c"1\\n' }),
      JSON.stringify({ conn: 'c1', type: 'conn.io', bytesIn: 1, bytesOut: 1, msgsIn: 1, msgsOut: 1, lastActivity: 1, seq: 9, t: 1 }),
      JSON.stringify({ type: 'conn.close', conn: 'c1', cause: 'peer-end', seq: 10, t: 1 }),
      io({ seq: -0, t: Number.POSITIVE_INFINITY }).replace('"t":null', '"t":1e400'),
    ];
    const { prepared, values } = received(rows);
    expect([...prepared.io].map((k) => k >= 0)).toEqual([true, true, true, true, false, false, false, false, true, false, false, true]);
    expect(prepared.connIds).toEqual(['c1', 'c2', 'c"1\\n']);
    values.forEach((value, i) => expect(value, rows[i]).toStrictEqual(JSON.parse(rows[i]!)));
  });

  it('leaves a row that is not JSON to the page, which parses it to find where the file broke', () => {
    const { values } = received([io(), '{"type":"mark","seq":', io({ seq: 9 })]);
    expect(values[1]).toBe(UNREAD);
  });

  it('joins the other rows in slices of 1,024, parsed one at a time', () => {
    const marks = Array.from({ length: 2500 }, (_, i) => JSON.stringify({ type: 'mark', seq: i + 1, t: i, label: 'x' }));
    const rows = [io(), ...marks];
    const { rest, restEnds } = prepare(rows);
    const slices = [...restEnds].map((end, k) => new TextDecoder().decode(rest.subarray(k === 0 ? 0 : restEnds[k - 1], end)));
    expect(slices.map((slice) => (JSON.parse(slice) as unknown[]).length)).toEqual([1024, 1024, 452]);
    expect(received(rows).values).toStrictEqual(parsed(rows));
    // A row of two values makes its slice one too many: that slice is read row by row.
    const odd = [...marks.slice(0, 1500), '1,2', ...marks.slice(1500)];
    const { values } = received(odd);
    expect(values.slice(0, 1024)).toStrictEqual(parsed(odd.slice(0, 1024)));
    expect(values.slice(1024, 2048).every((v) => v === UNREAD)).toBe(true);
  });

  it('never builds anything but what parsing the row gives (any field values, any extra or missing field)', () => {
    const value = fc.oneof(fc.double(), fc.integer(), fc.string(), fc.constant(null), fc.boolean(), fc.constant(undefined));
    const row = fc.record(
      {
        type: fc.constantFrom('conn.io', 'conn.close'),
        conn: fc.oneof(fc.string(), value),
        bytesIn: value,
        bytesOut: fc.double({ noNaN: true }),
        msgsIn: value,
        msgsOut: fc.nat(),
        lastActivity: fc.double({ noNaN: true }),
        lastIn: value,
        seq: fc.nat(),
        t: fc.double({ noNaN: true }),
        other: value,
      },
      { requiredKeys: ['type'] },
    );
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 20 }), (objects) => {
        const rows = objects.map((o) => JSON.stringify(o));
        expect(received(rows).values).toStrictEqual(parsed(rows));
      }),
    );
  });

  it('reads the plain io rows itself and leaves every other spelling to JSON.parse, with the same result', () => {
    const plain = '{"type":"conn.io","conn":"c1","bytesIn":120,"bytesOut":340,"lastActivity":0.5,"lastIn":0.5,"seq":11,"t":0.55}';
    const rows = [
      plain,
      plain.replace('"t":0.55', '"t":-0'),
      plain.replace('"t":0.55', '"t":1e400'),
      plain.replace('"t":0.55', '"t":1.5E-7'),
      plain.replace('"t":0.55', '"t":0.15000000000000002'),
      plain.replace('"t":0.55', '"t":123456789012345678901234567890'),
      plain.replace('"t":0.55', '"t":9007199254740993'),
      plain.replace('"t":0.55', '"t":0.0000000000000000000000123'),
      plain.replace('"t":0.55', '"t":01'),
      plain.replace('"t":0.55', '"t":1.'),
      plain.replace('"t":0.55', '"t":.5'),
      plain.replace('"t":0.55', '"t":+1'),
      plain.replace('"t":0.55', '"t":1e'),
      plain.replace('"t":0.55', '"t":-'),
      plain.replace('"t":0.55', '"t": 0.55'),
      plain.replace('"t":0.55}', '"t":0.55 }'),
      plain.replace('"t":0.55}', '"t":0.55}x'),
      plain.replace('"seq":11', '"seq":11,"seq":12'),
      plain.replace('"conn":"c1"', '"conn":"c\\u0031"'),
      plain.replace('"conn":"c1"', '"conn":"c\t1"'),
      plain.replace('"conn":"c1"', '"conn":"é😀"'),
      plain.replace('"conn":"c1",', ''),
      plain.replace('"lastIn":0.5,', '"lastIn":null,'),
      plain.replace('"bytesIn":120,', ''),
    ];
    for (const row of rows) expect(received([row]).values, row).toStrictEqual([parsedOrUnread(row)]);
  });

  it('reads any number the way JSON.parse does, in any io field', () => {
    const digits = fc.stringMatching(/^[0-9]{1,24}$/);
    const number = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
      fc.tuple(fc.boolean(), digits, fc.option(digits), fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), fc.stringMatching(/^[0-9]{1,3}$/)))).map(
        ([negative, int, frac, exp]) => `${negative ? '-' : ''}${int}${frac === null ? '' : `.${frac}`}${exp === null ? '' : exp.join('')}`,
      ),
    );
    const field = fc.constantFrom('seq', 't', 'bytesIn', 'bytesOut', 'lastActivity', 'msgsIn', 'msgsOut', 'lastIn');
    fc.assert(
      fc.property(field, number, (name, text) => {
        const row = io().replace(new RegExp(`"${name}":[^,}]*`), `"${name}":${text}`).replace(/}$/, name === 'lastIn' ? `,"lastIn":${text}}` : '}');
        expect(received([row]).values).toStrictEqual([parsedOrUnread(row)]);
      }),
      { numRuns: 2000 },
    );
  });
});
