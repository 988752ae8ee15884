import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventLog } from '../event-log.js';
import { Pump, type LogReader } from '../../shared/node/protocol-server/pump.js';
import { silent } from './harness.test-util.js';

/** A reader that takes everything it is offered, or nothing while `blocked`. */
function reader(log: EventLog) {
  const r = {
    cursor: 0,
    flushes: 0,
    blocked: false,
    readable: (lastSeq: number) => (r.blocked ? 0 : lastSeq - r.cursor),
    flush: () => {
      r.flushes++;
      if (r.blocked) return log.lastSeq > r.cursor;
      r.cursor = log.lastSeq;
      return false;
    },
  };
  return r satisfies LogReader;
}

const mark = (log: EventLog, n: number) => {
  for (let i = 0; i < n; i++) log.publish({ type: 'mark', label: 'm' });
};

let pump: Pump;
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  pump.close();
  vi.useRealTimers();
});

describe('Pump', () => {
  it('arms nothing when no reader is attached', () => {
    const log = new EventLog(100, () => 0);
    pump = new Pump(log, { batchSize: 10, flushInterval: 50 }, silent);
    mark(log, 1000);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps one timer for any number of appends, and flushes when it fires', () => {
    const log = new EventLog(100, () => 0);
    pump = new Pump(log, { batchSize: 1000, flushInterval: 50 }, silent);
    const r = reader(log);
    pump.add(r);
    mark(log, 200);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(49);
    expect(r.flushes).toBe(0);
    vi.advanceTimersByTime(1);
    expect([r.flushes, r.cursor]).toEqual([1, 200]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('flushes on the next turn once a full batch is waiting', () => {
    const log = new EventLog(100, () => 0);
    pump = new Pump(log, { batchSize: 10, flushInterval: 50 }, silent);
    const r = reader(log);
    pump.add(r);
    mark(log, 10);
    vi.advanceTimersToNextTimer();
    expect([r.flushes, r.cursor]).toEqual([1, 10]);
  });

  it('retries a reader that could not take everything on the flush timer', () => {
    const log = new EventLog(100, () => 0);
    pump = new Pump(log, { batchSize: 1000, flushInterval: 50 }, silent);
    const r = reader(log);
    pump.add(r);
    r.blocked = true;
    mark(log, 5);
    vi.advanceTimersByTime(50);
    expect(r.flushes).toBe(1);
    r.blocked = false;
    vi.advanceTimersByTime(50);
    expect([r.flushes, r.cursor]).toEqual([2, 5]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('flushes on the next turn a reader added with a full batch already waiting', () => {
    const log = new EventLog(100, () => 0);
    pump = new Pump(log, { batchSize: 10, flushInterval: 50 }, silent);
    pump.add(reader(log));
    mark(log, 1);
    // A reader resuming from older events: 21 behind as soon as it is added.
    const late = reader(log);
    late.cursor = -20;
    pump.add(late);
    mark(log, 1);
    vi.advanceTimersByTime(1);
    expect([late.flushes, late.cursor]).toEqual([1, 2]);
  });

  it('flushes on the next turn a reader that falls a full batch behind over many appends', () => {
    const log = new EventLog(100, () => 0);
    pump = new Pump(log, { batchSize: 10, flushInterval: 50 }, silent);
    const r = reader(log);
    pump.add(r);
    for (let i = 0; i < 9; i++) mark(log, 1);
    vi.advanceTimersByTime(1);
    expect(r.flushes).toBe(0);
    mark(log, 1);
    vi.advanceTimersByTime(1);
    expect([r.flushes, r.cursor]).toEqual([1, 10]);
  });

  it('flushes on the next turn when one append grows the log by a full batch, as a hub history does', () => {
    const appendListeners: Array<() => void> = [];
    const history = {
      lastSeq: 0,
      onAppend: (listener: () => void) => {
        appendListeners.push(listener);
        return () => {};
      },
    };
    const grow = (lines: number) => {
      history.lastSeq += lines;
      for (const listener of appendListeners) listener();
    };
    pump = new Pump(history, { batchSize: 10, flushInterval: 50 }, silent);
    let cursor = 0;
    let flushes = 0;
    pump.add({
      readable: (lastSeq) => lastSeq - cursor,
      flush: () => {
        flushes++;
        cursor = history.lastSeq;
        return false;
      },
    });
    grow(1);
    grow(12);
    vi.advanceTimersByTime(1);
    expect([flushes, cursor]).toEqual([1, 13]);
  });
});
