import { describe, expect, it } from 'vitest';
import type { AgentEvent, EventInput, HelloMessage, RecordingLine } from '../../shared/protocol.js';
import { createRecordingHeader, parseRecording, serializeRecording } from './recording.js';
import { Target } from './target.js';

const hello = (instance: string, startedAt: number, lastSeq = 0): HelloMessage => ({
  type: 'hello',
  protocol: 1,
  agent: { name: 'bridge', pid: 7, runtime: 'node', startedAt, instance },
  now: 0,
  lastSeq,
  readonly: false,
  actions: [],
  bufferSize: 100,
});

/** A stream builder: stamps seq and t like an agent would. */
function stream() {
  let seq = 0;
  return (t: number, input: EventInput): AgentEvent => ({ ...input, seq: ++seq, t }) as AgentEvent;
}

/** A connection whose listener outlives it: an orphan once the grace period (1 s by default) has run out. */
function orphanStory(): AgentEvent[] {
  const e = stream();
  return [
    e(0, { type: 'server.listen', server: 's1', transport: 'tcp', address: '127.0.0.1:1' }),
    e(1, { type: 'emitter.watch', emitter: 'e1', name: 'manager', kind: 'EventEmitter' }),
    e(2, { type: 'conn.open', conn: 'c1', server: 's1', transport: 'tcp', actions: [] }),
    e(3, { type: 'listener.add', listener: 'l1', emitter: 'e1', event: 'update', owner: 'c1', once: false }),
    e(4, { type: 'conn.close', conn: 'c1', cause: 'peer-end' }),
  ];
}

describe('Target', () => {
  it('keeps one run per instance: a restart ends the previous run without touching its findings', () => {
    const target = new Target();
    const changes: number[] = [];
    target.subscribe(() => changes.push(target.version));

    target.ingest({ type: 'hello', hello: hello('a', 10_000), kind: 'first' });
    target.ingest({ type: 'snapshot', events: orphanStory(), now: 2000 });
    const first = target.current()!;
    expect(first.findings().map((f) => f.rule)).toEqual(['orphan-listener']);

    // The same instance again (a reconnect) is not a new run.
    target.ingest({ type: 'hello', hello: hello('a', 10_000, 5), kind: 'resume' });
    expect(target.runs).toHaveLength(1);

    target.ingest({ type: 'hello', hello: hello('b', 15_000), kind: 'restart' });
    expect(target.runs).toHaveLength(2);
    expect(target.runs[0]).toMatchObject({ index: 0, startedAt: 10_000, endedAt: 12_000 });
    expect(target.runs[1]).toMatchObject({ index: 1, startedAt: 15_000 });
    expect(target.runs[1]!.endedAt).toBeUndefined();
    expect(target.current()).not.toBe(first);
    expect(target.current()!.model.connections).toEqual([]);
    // The old run still shows what was open when it ended.
    expect(first.findings().map((f) => f.rule)).toEqual(['orphan-listener']);
    expect(first.model.listeners.map((l) => l.removedSeq)).toEqual([undefined]);
    expect(changes).toHaveLength(4);
    expect(changes.at(-1)).toBe(target.version);
  });

  it('advances the analysis with batch `now` so grace periods expire without new events', () => {
    const target = new Target();
    target.ingest({ type: 'hello', hello: hello('a', 0), kind: 'first' });
    target.ingest({ type: 'batch', events: orphanStory(), now: 5 });
    expect(target.current()!.findings()).toEqual([]);
    target.ingest({ type: 'batch', events: [], now: 2000 });
    expect(target.current()!.findings({ rule: 'orphan-listener' })).toHaveLength(1);
  });

  it('ignores events it already applied for this run', () => {
    const events = orphanStory();
    const seen: number[] = [];
    const target = new Target({ onEvents: (batch) => seen.push(...batch.map((e) => e.seq)) });
    target.ingest({ type: 'hello', hello: hello('a', 0), kind: 'first' });
    target.ingest({ type: 'batch', events: events.slice(0, 3), now: 2 });
    target.ingest({ type: 'batch', events: events.slice(1), now: 4 });
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    expect(target.currentRun()!.lastSeq).toBe(5);
  });

  it('gives the same runs and findings from its own recording as it did live', () => {
    const lines: RecordingLine[] = [];
    const live = new Target({ onLine: (line) => lines.push(line) });
    live.ingest({ type: 'hello', hello: hello('a', 1000), kind: 'first' });
    live.ingest({ type: 'batch', events: orphanStory(), now: 100 });
    live.ingest({ type: 'gap', gap: { type: 'gap', from: 6, to: 9, count: 4, reason: 'slow-consumer' } });
    live.ingest({ type: 'batch', events: [], now: 3000 });
    live.ingest({ type: 'hello', hello: hello('b', 9000), kind: 'restart' });
    live.ingest({ type: 'batch', events: orphanStory().slice(0, 3), now: 50 });

    const parsed = parseRecording(serializeRecording(createRecordingHeader(1), lines));
    expect(parsed.errors).toEqual([]);
    const replay = new Target();
    replay.ingestRecording(parsed.lines);

    expect(replay.runs).toHaveLength(2);
    expect(replay.runs.map((r) => [r.startedAt, r.endedAt])).toEqual(live.runs.map((r) => [r.startedAt, r.endedAt]));
    for (const i of [0, 1]) {
      expect(replay.runs[i]!.analysis.findings({ includeResolved: true })).toEqual(live.runs[i]!.analysis.findings({ includeResolved: true }));
      expect(replay.runs[i]!.analysis.model).toEqual(live.runs[i]!.analysis.model);
    }
    expect(replay.runs[0]!.analysis.model.gaps).toHaveLength(1);
  });

  it('skips and counts a malformed event, live or recorded, and applies the ones around it', () => {
    const [listen, watch, open, add, close] = orphanStory() as unknown as Record<string, unknown>[];
    const broken = [
      { ...add, seq: 4, event: {} },
      { type: 'action.settle', seq: 5, t: 4, action: 'a1', conn: 'c1', name: 'close', result: null },
      { type: 'finding.open', seq: 6, t: 4, finding: null },
    ];
    const logged: number[] = [];
    const live = new Target({ onEvents: (batch) => logged.push(...batch.map((e) => e.seq)) });
    live.ingest({ type: 'hello', hello: hello('a', 0), kind: 'first' });
    live.ingest({ type: 'batch', events: [listen, watch, open, ...broken, { ...add, seq: 7 }, { ...close, seq: 8 }] as unknown as AgentEvent[], now: 5000 });
    expect(live.malformed).toEqual({ count: 3, latest: '"finding.open" event seq 6: finding must be an object, not null' });
    expect(logged).toEqual([1, 2, 3, 7, 8]);
    expect(live.current()!.findings().map((f) => f.rule)).toEqual(['orphan-listener']);

    const replay = new Target();
    replay.ingestRecording([hello('a', 0), listen, watch, open, ...broken, { ...add, seq: 7 }, { ...close, seq: 8 }, { type: 'now', now: 5000 }] as RecordingLine[]);
    expect(replay.malformed.count).toBe(3);
    expect(replay.current()!.model).toEqual(live.current()!.model);
  });

  it('skips a well-formed event of a retired type without counting it', () => {
    const target = new Target();
    target.ingest({ type: 'hello', hello: hello('a', 0), kind: 'first' });
    target.ingest({ type: 'batch', events: [{ type: 'finding.open', seq: 1, t: 1, finding: { id: 'x' } }, ...orphanStory().map((e) => ({ ...e, seq: e.seq + 1 }))] as unknown as AgentEvent[], now: 5 });
    expect(target.malformed).toEqual({ count: 0 });
    expect(target.currentRun()!.lastSeq).toBe(6);
    expect(target.current()!.model.seq).toBe(6);
  });
});
