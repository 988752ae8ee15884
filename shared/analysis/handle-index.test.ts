import { describe, expect, it } from 'vitest';
import type { HandleId } from '../protocol.js';
import { HandleIndex } from './handle-index.js';
import type { HandleRecord } from './records.js';
import { handleModelId } from './state.js';

const record = (table: string, handle: HandleId): HandleRecord =>
  ({ model: { id: handleModelId(table, handle), table, handle }, retention: 'alive' }) as unknown as HandleRecord;

describe('HandleIndex', () => {
  it('finds a handle by the id findings name it by, numeric or string, whatever the table is called', () => {
    const index = new HandleIndex();
    const numeric = record('rooms', 7);
    const text = record('a:b', 'x:1');
    const other = record('room', 's:7');
    for (const r of [numeric, text, other]) index.set(r);
    expect(index.byModelId('rooms:7')).toBe(numeric);
    expect(index.byModelId('a:b:x:1')).toBe(text);
    expect(index.byModelId('room:s:7')).toBe(other);
    expect(index.byModelId('rooms:8')).toBeUndefined();
    expect(index.byModelId('nope:7')).toBeUndefined();
  });

  it('forgets a record only while it is the current one for its id', () => {
    const index = new HandleIndex();
    const first = record('rooms', 1);
    const again = record('rooms', 1);
    index.set(first);
    index.set(again);
    index.forget(first);
    expect(index.get('rooms', 1)).toBe(again);
    index.forget(again);
    expect(index.get('rooms', 1)).toBeUndefined();
  });
});
