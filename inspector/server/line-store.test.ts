import { describe, expect, it } from 'vitest';
import { LineStore } from './line-store.js';

const text = (buffers: Buffer[]) => Buffer.concat(buffers).toString();

describe('LineStore', () => {
  it('keeps events as their JSON and gaps as they are, by position, across pages of its index', () => {
    const store = new LineStore();
    for (let seq = 1; seq <= 3000; seq++) store.pushEvent(seq, seq / 2, JSON.stringify({ seq, label: `é${seq}` }));
    store.pushGap({ type: 'gap', from: 3001, to: 3010, count: 10, reason: 'evicted' });
    expect([store.start, store.end]).toEqual([0, 3001]);
    expect([store.seqAt(2999), store.timeAt(2999), store.lastSeqAt(3000)]).toEqual([3000, 1500, 3010]);
    expect(store.gapAt(3000)).toMatchObject({ from: 3001, to: 3010 });
    expect(JSON.parse(`[${text(store.eventBytes(0, 3000)).slice(0, -1)}]`).map((e: { seq: number }) => e.seq)).toEqual(Array.from({ length: 3000 }, (_, i) => i + 1));
    expect(store.firstAfter(0, store.end, 2500)).toBe(2500);
    expect(store.firstAfter(0, store.end, 3005)).toBe(3000);
  });

  it('gives back the bytes of a slab once every event in it is shifted out', () => {
    const store = new LineStore();
    const big = 'x'.repeat(1000);
    for (let seq = 1; seq <= 500; seq++) store.pushEvent(seq, seq, `{"seq":${seq},"pad":"${big}"}`);
    const full = store.bytes;
    expect(full).toBeGreaterThan(500 * 1000);
    for (let i = 0; i < 250; i++) expect(store.shift()).toEqual({ seq: i + 1 });
    expect(store.bytes).toBeLessThan(full);
    expect(store.bytes).toBeGreaterThan(250 * 1000);
    while (store.shift());
    // One slab stays to be filled, and the page of the index the next line goes to.
    expect(store.bytes).toBe(2 * 64 * 1024);
    expect(store.start).toBe(500);
  });

  it('gives back each page of its index once its lines are shifted out, and starts a new one where it left off', () => {
    const store = new LineStore();
    const perPage = Math.floor((64 * 1024) / 28);
    for (let seq = 1; seq <= 2 * perPage; seq++) store.pushEvent(seq, seq, `{"seq":${seq}}`);
    const full = store.bytes;
    for (let i = 0; i < perPage; i++) store.shift();
    expect(store.bytes).toBeLessThanOrEqual(full - 64 * 1024);
    while (store.shift());
    // Emptied at a page's end: nothing but the slab being filled.
    expect(store.bytes).toBe(64 * 1024);
    store.pushEvent(2 * perPage + 1, 1, '{"seq":"next"}');
    store.pushGap({ type: 'gap', from: 2 * perPage + 2, to: 2 * perPage + 9, count: 8, reason: 'evicted' });
    expect([store.start, store.end, store.seqAt(2 * perPage), store.lastSeqAt(2 * perPage + 1)]).toEqual([2 * perPage, 2 * perPage + 2, 2 * perPage + 1, 2 * perPage + 9]);
    expect(text(store.eventBytes(store.start, store.end))).toBe('{"seq":"next"},');
  });

  it('gives an event larger than a slab a slab of its own', () => {
    const store = new LineStore();
    const huge = JSON.stringify({ seq: 1, label: 'y'.repeat(200_000) });
    store.pushEvent(1, 1, huge);
    store.pushEvent(2, 2, '{"seq":2}');
    expect(text(store.eventBytes(0, 2))).toBe(`${huge},{"seq":2},`);
  });

  it('writes a slab another store gave back without touching what either still holds', () => {
    const [a, b] = [new LineStore(), new LineStore()];
    const line = (store: string, seq: number) => JSON.stringify({ store, seq, pad: 'p'.repeat(200) });
    // a fills several slabs and shifts most of them out (back to the pool); b then takes them.
    for (let seq = 1; seq <= 2000; seq++) a.pushEvent(seq, seq, line('a', seq));
    for (let i = 0; i < 1500; i++) a.shift();
    for (let seq = 1; seq <= 1000; seq++) b.pushEvent(seq, seq, line('b', seq));
    const seqs = (store: LineStore) => JSON.parse(`[${text(store.eventBytes(store.start, store.end)).slice(0, -1)}]`).map((e: { store: string; seq: number }) => `${e.store}${e.seq}`);
    expect(seqs(a)).toEqual(Array.from({ length: 500 }, (_, i) => `a${1501 + i}`));
    expect(seqs(b)).toEqual(Array.from({ length: 1000 }, (_, i) => `b${1 + i}`));
  });
});
