import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RowSplitter } from '../../client/recording.js';
import { ioEvent, takeIoRows } from './io-rows.js';

/** The rows as one batch, and what the worker made of them. */
function take(rows: string[]) {
  const batch = new RowSplitter().push(rows.join('\n') + '\n').take()!;
  return { batch, io: takeIoRows(batch) };
}

const io = (fields: Record<string, unknown> = {}) =>
  JSON.stringify({ type: 'conn.io', conn: 'c1', bytesIn: 120, bytesOut: 340, msgsIn: 1, msgsOut: 3, lastActivity: 0.15000000000000002, seq: 7, t: 0.35000000000000003, ...fields });

describe('conn.io rows parsed by the reader', () => {
  it('takes rows of exactly the protocol shape, builds each equal to parsing it, and leaves every other row as text', () => {
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
      '{"type":"conn.io", "conn":"c1"',
      JSON.stringify({ type: 'conn.close', conn: 'c1', cause: 'peer-end', seq: 10, t: 1 }),
      io({ seq: -0, t: Number.POSITIVE_INFINITY }).replace('"t":null', '"t":1e400'),
    ];
    const { batch, io: taken } = take(rows);
    const kept = [...taken!.at].map((k) => k >= 0);
    expect(kept).toEqual([true, true, true, true, false, false, false, false, true, false, false, false, true]);
    expect(taken!.connIds).toEqual(['c1', 'c2', 'c"1\\n']);
    rows.forEach((row, i) => {
      const k = taken!.at[i]!;
      if (k >= 0) expect(ioEvent(taken!, k), row).toStrictEqual(JSON.parse(batch.text.slice(batch.spans[2 * i], batch.spans[2 * i + 1])));
    });
  });

  it('takes nothing from a batch without io rows', () => {
    expect(take([JSON.stringify({ type: 'mark', seq: 1, t: 1, label: 'x' })]).io).toBeUndefined();
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
        const { batch, io: taken } = take(objects.map((o) => JSON.stringify(o)));
        for (let i = 0; i < objects.length; i++) {
          const k = taken?.at[i] ?? -1;
          if (k >= 0) expect(ioEvent(taken!, k)).toStrictEqual(JSON.parse(batch.text.slice(batch.spans[2 * i], batch.spans[2 * i + 1])));
        }
      }),
    );
  });
});
