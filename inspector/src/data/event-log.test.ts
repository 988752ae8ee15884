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
  it("keeps a recording's events as their text, parsed when read, beside events kept as objects", () => {
    const log = new ChunkedLog();
    const rows = ['{"type":"mark","seq":1,"t":5,"label":"a"}', '{"type":"mark","seq":2,"t":6,"label":"b"}'];
    const text = `${rows[0]}\r\n${rows[1]}\n`;
    const id = log.addText(text);
    log.pushRaw(1, 1005, id, 0, rows[0]!.length);
    log.pushRaw(1, 1006, id, rows[0]!.length + 2, rows[0]!.length + 2 + rows[1]!.length);
    const live = { type: 'mark', seq: 3, t: 7, label: 'c' } as AgentEvent;
    log.push(1, 1000, live);
    expect([0, 1, 2].map((i) => log.at(i))).toEqual([JSON.parse(rows[0]!), JSON.parse(rows[1]!), live]);
    expect(log.at(2)).toBe(live);
    expect([0, 1, 2].map((i) => log.rawAt(i))).toEqual([rows[0], rows[1], undefined]);
    expect([0, 1, 2].map((i) => log.timeAt(i))).toEqual([1005, 1006, 1007]);
    expect(log.indexOf(1, 2)).toBe(1);
  });

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
  it('scans the history in slices from the newest event back, matches arrivals at once, and maps positions back to log indices', () => {
    const log = new ChunkedLog();
    fill(log, 1, 3000, 0);
    const index = new FilteredIndex(log, eventMatcher({ types: ['conn.open'] }));
    // Out of time at once: one slice of 1,024 events per call, the newest first.
    expect(index.extend(0)).toBe(false);
    expect(index.length).toBe(103);
    expect([index.at(0), index.at(102)]).toEqual([1979, 2999]); // seq 1,980 and 3,000
    // An event arriving mid-scan is matched on the next call, after what was found so far.
    fill(log, 2, 10, 0);
    expect(index.extend(0)).toBe(false);
    expect(index.length).toBe(206);
    expect(index.at(205)).toBe(3009);
    expect(index.positionOf(2999)).toBe(204);
    expect(index.extend(0)).toBe(true);
    expect(index.length).toBe(301);
    expect(index.at(0)).toBe(9); // seq 10
    expect(Array.from({ length: 301 }, (_, i) => index.at(i))).toEqual([...Array.from({ length: 300 }, (_, i) => 9 + 10 * i), 3009]);
    fill(log, 2, 20, 0);
    expect(index.extend()).toBe(true);
    expect(index.length).toBe(303);
    expect(index.positionOf(3000)).toBe(300);
    expect(index.positionOf(0)).toBe(0);
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
