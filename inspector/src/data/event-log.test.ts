import { describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../../shared/protocol.js';
import { eventMatcher } from '../model/event-filter.js';
import { ChunkedLog } from './chunked-log.js';
import { FilteredIndex } from './filtered-index.js';

function fill(log: ChunkedLog, run: number, count: number, startedAt: number): void {
  for (let seq = 1; seq <= count; seq++) {
    const e = { type: seq % 10 === 0 ? 'conn.open' : 'conn.io', seq, t: seq, conn: `c${seq % 7}` } as unknown as AgentEvent;
    log.push(run, startedAt, e);
  }
}

describe('chunked event log', () => {
  it('keeps events across chunk boundaries with their run and absolute time, and finds them by run and seq', () => {
    const log = new ChunkedLog();
    fill(log, 1, 40_000, 1000);
    fill(log, 2, 10_000, 100_000);
    expect(log.length).toBe(50_000);
    expect(log.at(16_384).seq).toBe(16_385);
    expect(log.runAt(40_000)).toBe(2);
    expect(log.timeAt(40_000)).toBe(100_001);
    expect(log.indexOf(1, 33_000)).toBe(32_999);
    expect(log.indexOf(2, 1)).toBe(40_000);
    expect(log.indexOf(2, 10_001)).toBe(-1);
    expect([...log.runEvents(2, 49_998)].map((e) => e.seq)).toEqual([9_999, 10_000]);
  });
});

describe('filtered index', () => {
  it('scans in slices, grows as events arrive, and maps positions back to log indices', () => {
    const log = new ChunkedLog();
    fill(log, 1, 1000, 0);
    const index = new FilteredIndex(log, eventMatcher({ types: ['conn.open'] }));
    expect(index.extend(500)).toBe(false);
    expect(index.length).toBe(50);
    expect(index.extend(500)).toBe(true);
    expect(index.length).toBe(100);
    expect(index.at(0)).toBe(9); // seq 10
    fill(log, 2, 20, 0);
    index.extend();
    expect(index.length).toBe(102);
    expect(index.positionOf(1000)).toBe(100);
  });

  it('is the identity when unfiltered', () => {
    const log = new ChunkedLog();
    fill(log, 1, 30, 0);
    const index = new FilteredIndex(log, null);
    index.extend();
    expect(index.length).toBe(30);
    expect(index.at(7)).toBe(7);
    expect(index.positionOf(12)).toBe(12);
  });
});
