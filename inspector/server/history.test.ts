import { describe, expect, it } from 'vitest';
import type { AgentEvent, AgentMessage } from '../../shared/protocol.js';
import type { StreamReader } from '../../shared/node/protocol-server/stream.js';
import { TargetHistory } from './history.js';
import { hello } from '../client/hello.test-util.js';

const marks = (from: number, to: number): AgentEvent[] =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ type: 'mark', label: `m${from + i}`, seq: from + i, t: from + i }));

/** Everything a reader has to give now, as the protocol messages a peer would parse. */
function drain(reader: StreamReader, maxEvents = 500): AgentMessage[] {
  const out: AgentMessage[] = [];
  while (!reader.caughtUp()) {
    const frame = reader.next(maxEvents);
    if (frame === undefined) break;
    out.push(typeof frame === 'string' || frame instanceof Uint8Array ? (JSON.parse(Buffer.from(frame).toString()) as AgentMessage) : frame);
  }
  return out;
}

const shape = (messages: AgentMessage[]) =>
  messages.map((m) =>
    m.type === 'hello' ? `hello ${m.agent.instance}` : m.type === 'batch' ? `batch ${m.events.map((e) => e.seq).join(',')}` : m.type === 'gap' ? `gap ${m.from}-${m.to} (${m.count} ${m.reason})` : m.type,
  );

describe('TargetHistory', () => {
  it('replays each run as its hello, then its events and gaps in order', () => {
    const history = new TargetHistory({ maxLines: 100 });
    history.startRun(hello('a'));
    history.appendEvents(marks(1, 3), 3);
    history.appendGap({ type: 'gap', from: 4, to: 5, count: 2, reason: 'evicted' });
    history.appendEvents(marks(6, 6), 6);
    history.startRun(hello('b'));
    history.appendEvents(marks(1, 2), 2);
    expect(shape(drain(history.readAll()))).toEqual(['hello a', 'batch 1,2,3', 'gap 4-5 (2 evicted)', 'batch 6', 'hello b', 'batch 1,2']);
  });

  it('sends events as the agent sent them, with a clock that never runs ahead of a batch still to come', () => {
    const history = new TargetHistory({ maxLines: 100 });
    history.startRun(hello('a'));
    const events = marks(1, 3);
    history.appendEvents(events, 9.5);
    const messages = drain(history.readAll(), 2);
    expect(messages.filter((m) => m.type === 'batch')).toEqual([
      { type: 'batch', events: events.slice(0, 2), now: 2 },
      { type: 'batch', events: events.slice(2), now: 9.5 },
    ]);
  });

  it('drops events it already holds (a resumed stream that overlaps)', () => {
    const history = new TargetHistory({ maxLines: 100 });
    history.startRun(hello('a'));
    expect(history.appendEvents(marks(1, 3), 3)).toHaveLength(3);
    expect(history.appendEvents(marks(2, 5), 5).map((e) => e.seq)).toEqual([4, 5]);
    expect(history.current!.lastSeq).toBe(5);
  });

  it('stays within its bound and reports what it trimmed as a gap', () => {
    const history = new TargetHistory({ maxLines: 10 });
    history.startRun(hello('a'));
    history.appendEvents(marks(1, 20), 20);
    expect(history.size).toBe(10);
    expect(shape(drain(history.readAll()))).toEqual(['hello a', 'gap 1-11 (11 evicted)', 'batch 12,13,14,15,16,17,18,19,20']);
  });

  it('drops whole old runs once their events are gone, keeping the newest run', () => {
    const history = new TargetHistory({ maxLines: 5 });
    history.startRun(hello('a'));
    history.appendEvents(marks(1, 2), 2);
    history.startRun(hello('b'));
    history.appendEvents(marks(1, 3), 3);
    expect(history.size).toBe(5);
    expect(shape(drain(history.readAll()))).toEqual(['hello a', 'gap 1-2 (2 evicted)', 'hello b', 'batch 1,2,3']);
    history.appendEvents(marks(4, 4), 4);
    expect(history.size).toBe(5);
    expect(shape(drain(history.readAll()))).toEqual(['hello b', 'batch 1,2,3,4']);
  });

  it('resumes the current run after a seq, with a gap for what was trimmed', () => {
    const history = new TargetHistory({ maxLines: 6 });
    history.startRun(hello('a'));
    history.appendEvents(marks(1, 8), 8);
    expect(shape(drain(history.readCurrent(6)))).toEqual(['batch 7,8']);
    expect(shape(drain(history.readCurrent(1)))).toEqual(['gap 2-3 (2 evicted)', 'batch 4,5,6,7,8']);
  });

  it('keeps a reader going live: new events, then a new run with its hello', () => {
    const history = new TargetHistory({ maxLines: 100 });
    history.startRun(hello('a'));
    history.appendEvents(marks(1, 2), 2);
    const reader = history.readAll();
    expect(shape(drain(reader))).toEqual(['hello a', 'batch 1,2']);
    expect(reader.caughtUp()).toBe(true);
    history.appendEvents(marks(3, 4), 4);
    history.startRun(hello('b'));
    expect(reader.caughtUp()).toBe(false);
    expect(shape(drain(reader))).toEqual(['batch 3,4', 'hello b']);
    history.appendEvents(marks(1, 1), 1);
    expect(shape(drain(reader))).toEqual(['batch 1']);
  });

  it('tells a reader that lagged behind the bound what it lost, as a slow-consumer gap', () => {
    const history = new TargetHistory({ maxLines: 10 });
    history.startRun(hello('a'));
    history.appendEvents(marks(1, 5), 5);
    const reader = history.readAll();
    expect(shape(drain(reader))).toEqual(['hello a', 'batch 1,2,3,4,5']);
    history.appendEvents(marks(6, 30), 30);
    expect(shape(drain(reader))).toEqual(['gap 6-21 (16 slow-consumer)', 'batch 22,23,24,25,26,27,28,29,30']);
    // Overtaken across a restart: the rest of its run, then the new run from what is left.
    history.appendEvents(marks(31, 33), 33);
    history.startRun(hello('b'));
    history.appendEvents(marks(1, 12), 12);
    expect(shape(drain(reader))).toEqual(['gap 31-33 (3 slow-consumer)', 'hello b', 'gap 1-3 (3 slow-consumer)', 'batch 4,5,6,7,8,9,10,11,12']);
  });

  it('stays within its byte bound, counting what it holds', () => {
    const history = new TargetHistory({ maxBytes: 512 * 1024 });
    history.startRun(hello('a'));
    const label = 'z'.repeat(1000);
    history.appendEvents(Array.from({ length: 2000 }, (_, i) => ({ type: 'mark', label, seq: i + 1, t: i + 1 })), 2000);
    expect(history.bytes).toBeLessThanOrEqual(512 * 1024);
    const messages = drain(history.readAll());
    const gap = messages.find((m) => m.type === 'gap');
    expect(gap).toMatchObject({ from: 1, reason: 'evicted' });
    const seqs = messages.flatMap((m) => (m.type === 'batch' ? m.events.map((e) => e.seq) : []));
    expect(seqs[0]).toBe(gap!.type === 'gap' ? gap!.to + 1 : 0);
    expect(seqs.at(-1)).toBe(2000);
    expect(seqs.length * 1000).toBeLessThanOrEqual(512 * 1024);
  });

  it('batches long runs in frames of at most 500 events', () => {
    const history = new TargetHistory({ maxLines: 2000 });
    history.startRun(hello('a'));
    history.appendEvents(marks(1, 1200), 1200);
    const sizes = drain(history.readAll()).filter((m) => m.type === 'batch').map((m) => (m.type === 'batch' ? m.events.length : 0));
    expect(sizes).toEqual([500, 500, 200]);
  });
});
