import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ObjectColumnsReader, ObjectColumnsWriter, UNREAD } from './object-columns.js';

/** Each row through the columns: what the receiver reads back (UNREAD for one it must parse itself). */
function roundTrip(rows: string[]): unknown[] {
  const writer = new ObjectColumnsWriter();
  for (const row of rows) {
    let value: unknown;
    try {
      value = JSON.parse(row);
    } catch {
      value = undefined;
    }
    writer.add(value);
  }
  const reader = new ObjectColumnsReader(writer.finish());
  return rows.map(() => reader.next());
}

/** Equal to parsing, keys in the same order at every level, -0 kept. */
function expectSameAsParsing(read: unknown, row: string): void {
  const parsed: unknown = JSON.parse(row);
  expect(read).toStrictEqual(parsed);
  const keys = (v: unknown): unknown => (typeof v === 'object' && v !== null ? Object.entries(v).map(([k, x]) => [k, keys(x)]) : Object.is(v, -0) ? '-0' : v);
  expect(keys(read)).toEqual(keys(parsed));
}

describe('object columns', () => {
  it('reads back objects as parsing gives them: shapes, values of every JSON type, key order, nested values', () => {
    const rows = [
      '{"type":"listener.add","listener":"l1","emitter":"e1","event":"update","owner":null,"once":false,"seq":5,"t":1.5}',
      '{"type":"listener.add","listener":"l2","emitter":"e1","event":"update","owner":"c1","once":true,"seq":6,"t":-0}',
      '{"type":"conn.open","conn":"c1","server":null,"transport":"tcp","actions":[{"name":"close","source":"builtin"}],"stack":["at x (a.js:1:1)"],"seq":7,"t":2}',
      '{"b":1,"2":2,"1":3,"a":{"y":1,"x":[1,"two",null,true]}}',
      '{"a":1,"a":2,"z":"\\u00e9\\n"}',
      '{}',
      '{"big":1e400,"small":5e-324,"neg":-12.5e3}',
    ];
    const read = roundTrip(rows);
    rows.forEach((row, i) => expectSameAsParsing(read[i], row));
  });

  it('leaves to the receiver what an assignment or JSON text would change, and what is not an object', () => {
    const rows = ['{"__proto__":{"polluted":1},"a":1}', '{"a":1,"__proto__":2}', '{"a":{"b":[1,-0]}}', '[1,2]', '7', 'null', '"text"', '{"a":', '{"ok":true}'];
    expect(roundTrip(rows)).toEqual([UNREAD, UNREAD, UNREAD, UNREAD, UNREAD, UNREAD, UNREAD, UNREAD, { ok: true }]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('any JSON: what is read back equals parsing the row', () => {
    fc.assert(
      fc.property(fc.array(fc.json(), { minLength: 1, maxLength: 30 }), (rows) => {
        const read = roundTrip(rows);
        rows.forEach((row, i) => {
          if (read[i] !== UNREAD) expectSameAsParsing(read[i], row);
        });
      }),
      { numRuns: 300 },
    );
  });
});
