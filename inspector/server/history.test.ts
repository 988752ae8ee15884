import { describe, expect, it } from 'vitest';
import type { AgentEvent, AgentMessage } from '../../shared/protocol.js';
import { TargetHistory } from './history.js';
import { hello } from '../client/hello.test-util.js';

const marks = (from: number, to: number): AgentEvent[] =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ type: 'mark', label: `m${from + i}`, seq: from + i, t: from + i }));

const shape = (messages: Iterable<AgentMessage>) =>
  [...messages].map((m) =>
    m.type === 'hello' ? `hello ${m.agent.instance}` : m.type === 'batch' ? `batch ${m.events.map((e) => e.seq).join(',')}` : m.type === 'gap' ? `gap ${m.from}-${m.to} (${m.count} ${m.reason})` : m.type,
  );

describe('TargetHistory', () => {
  it('replays each run as its hello, then its events and gaps in order', () => {
    const history = new TargetHistory(100);
    history.startRun(hello('a'));
    history.appendEvents(marks(1, 3), 3);
    history.appendGap({ type: 'gap', from: 4, to: 5, count: 2, reason: 'evicted' });
    history.appendEvents(marks(6, 6), 6);
    history.startRun(hello('b'));
    history.appendEvents(marks(1, 2), 2);
    expect(shape(history.replayAll())).toEqual(['hello a', 'batch 1,2,3', 'gap 4-5 (2 evicted)', 'batch 6', 'hello b', 'batch 1,2']);
  });

  it('drops events it already holds (a resumed stream that overlaps)', () => {
    const history = new TargetHistory(100);
    history.startRun(hello('a'));
    expect(history.appendEvents(marks(1, 3), 3)).toHaveLength(3);
    expect(history.appendEvents(marks(2, 5), 5).map((e) => e.seq)).toEqual([4, 5]);
    expect(history.current!.lastSeq).toBe(5);
  });

  it('stays within its bound and reports what it trimmed as a gap', () => {
    const history = new TargetHistory(10);
    history.startRun(hello('a'));
    history.appendEvents(marks(1, 20), 20);
    expect(history.size).toBe(10);
    expect(shape(history.replayAll())).toEqual(['hello a', 'gap 1-11 (11 evicted)', 'batch 12,13,14,15,16,17,18,19,20']);
  });

  it('drops whole old runs once their events are gone, keeping the newest run', () => {
    const history = new TargetHistory(5);
    history.startRun(hello('a'));
    history.appendEvents(marks(1, 2), 2);
    history.startRun(hello('b'));
    history.appendEvents(marks(1, 3), 3);
    expect(history.size).toBe(5);
    expect(shape(history.replayAll())).toEqual(['hello a', 'gap 1-2 (2 evicted)', 'hello b', 'batch 1,2,3']);
    history.appendEvents(marks(4, 4), 4);
    expect(history.size).toBe(5);
    expect(shape(history.replayAll())).toEqual(['hello b', 'batch 1,2,3,4']);
  });

  it('resumes the current run after a seq, with a gap for what was trimmed', () => {
    const history = new TargetHistory(6);
    history.startRun(hello('a'));
    history.appendEvents(marks(1, 8), 8);
    expect(shape(history.replayCurrent(6))).toEqual(['batch 7,8']);
    expect(shape(history.replayCurrent(1))).toEqual(['gap 2-3 (2 evicted)', 'batch 4,5,6,7,8']);
  });

  it('replays what it held at the call, not what arrives while the replay is being sent', () => {
    const history = new TargetHistory(100);
    history.startRun(hello('a'));
    history.appendEvents(marks(1, 2), 2);
    const replay = history.replayAll();
    history.appendEvents(marks(3, 4), 4);
    history.startRun(hello('b'));
    expect(shape(replay)).toEqual(['hello a', 'batch 1,2']);
  });

  it('batches long runs in frames of at most 500 events', () => {
    const history = new TargetHistory(2000);
    history.startRun(hello('a'));
    history.appendEvents(marks(1, 1200), 1200);
    const sizes = [...history.replayAll()].filter((m) => m.type === 'batch').map((m) => (m.type === 'batch' ? m.events.length : 0));
    expect(sizes).toEqual([500, 500, 200]);
  });
});
