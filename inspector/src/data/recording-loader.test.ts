import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeRecording } from '../../../bench/workload/recording-file.js';
import { parseRecording } from '../../client/recording.js';
import { Target } from '../../client/target.js';
import type { AgentEvent, RecordingLine } from '../../../shared/protocol.js';
import { batchRows } from './batch-rows.js';
import { recordingText } from './sources.js';
import { UiStore } from './ui-store.js';

const dir = mkdtempSync(join(tmpdir(), 'bridgescope-loader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The bench's busy-backend recording: io, listeners, handles, leaks with findings, a closing clock tick. */
function busyRecording(events: number): string[] {
  const file = join(dir, `${events}.ndjson`);
  writeRecording(file, events);
  return readFileSync(file, 'utf8').split('\n');
}

/** Opens `text` the way the page does: the worker's batches of whole lines, about `chunk` bytes each, prepared there. */
function open(text: string, chunk = 64 * 1024): UiStore {
  const store = new UiStore();
  store.beginRecording('test');
  const bytes = new TextEncoder().encode(text);
  let line = 0;
  for (let at = 0; at < bytes.length; ) {
    // Whole lines, as the reader cuts them.
    const cut = bytes.indexOf(10, at + chunk) + 1 || bytes.length;
    const { batch, nextLine } = batchRows(bytes.slice(at, cut), line);
    line = nextLine;
    at = cut;
    if (batch && !store.appendRecording(batch, null)) break;
  }
  store.endRecording({ read: null });
  return store;
}

/** Today's reference: the whole file parsed, then replayed through a Target; what it applied and every line it kept. */
function reference(text: string) {
  const applied: AgentEvent[] = [];
  const lines: RecordingLine[] = [];
  const target = new Target({ onEvents: (events) => applied.push(...events), onLine: (line) => lines.push(line) });
  const parsed = parseRecording(text);
  target.ingestRecording(parsed.lines);
  return { target, applied, lines, parsed };
}

describe('opening a recording in batches', () => {
  const rows = busyRecording(40_000);
  // Three malformed events in place of good ones (same seq and t), as a broken agent would have sent them.
  const listenerAdd = rows.findIndex((r) => r.includes('"listener.add"'));
  const handleStore = rows.findIndex((r) => r.includes('"handle.store"'));
  const io = rows.findIndex((r) => r.includes('"conn.io"'));
  rows[listenerAdd] = rows[listenerAdd]!.replace(/"event":"[^"]*"/, '"event":{}');
  rows[handleStore] = rows[handleStore]!.replace(/"handle":\d+/, '"handle":{"x":1}');
  rows[io] = rows[io]!.replace(/"bytesIn":\d+/, '"bytesIn":"12"');
  const text = rows.join('\n');

  it('analyses every event to the same runs, findings and counts as parsing the whole file, and skips the same malformed ones', () => {
    const store = open(text);
    const ref = reference(text);
    expect(ref.parsed.errors).toEqual([]);
    expect(store.recordingErrors).toEqual([]);
    expect(store.target.runs).toHaveLength(1);
    const [mine, theirs] = [store.target.runs[0]!.analysis, ref.target.runs[0]!.analysis];
    expect(mine.findings({ includeResolved: true }).length).toBeGreaterThan(20);
    expect(mine.findings({ includeResolved: true })).toEqual(theirs.findings({ includeResolved: true }));
    expect(mine.counts()).toEqual(theirs.counts());
    expect(mine.model).toEqual(theirs.model);
    expect(store.target.malformed.count).toBe(3);
    expect(store.target.malformed).toEqual(ref.target.malformed);
  });

  it('logs every applied event as its row of the file, parsed only when read', () => {
    const store = open(text);
    const { applied } = reference(text);
    const { log } = store;
    expect(log.length).toBe(applied.length);
    expect(log.length).toBe(rows.filter((r) => r.includes('"seq"')).length - 3);
    for (let i = 0; i < log.length; i += 997) {
      expect(log.at(i)).toEqual(applied[i]);
      expect(log.rawAt(i)).toBe(JSON.stringify(applied[i]));
      expect(log.timeAt(i)).toBe(applied[i]!.t);
    }
    // Nothing is kept as an object: each read parses the row anew.
    expect(log.at(5)).not.toBe(log.at(5));
    expect(log.indexOf(1, applied[30_000]!.seq)).toBe(30_000);
  });

  it('saves what it applied: the same lines as replaying the file, hellos and clock ticks in place', () => {
    const store = open(text);
    const saved = parseRecording(recordingText(store));
    expect(saved.errors).toEqual([]);
    expect(saved.lines).toEqual(reference(text).lines);
  });

  it('gives the same whatever the batch boundaries', () => {
    const whole = open(text, text.length);
    const small = open(text, 4096);
    expect(small.target.runs[0]!.analysis.model).toEqual(whole.target.runs[0]!.analysis.model);
    expect(small.log.length).toBe(whole.log.length);
  });

  it('stops at the damage, keeps what came before and names the line', () => {
    const broken = [...rows];
    broken[25_000] = '{"type":"conn.io",';
    broken[25_001] = '{"type":"mark","seq":1,"t":1,"label":"é"}';
    const store = open(broken.join('\n'));
    const ref = reference(broken.join('\n'));
    expect(store.recordingErrors).toEqual([{ line: 25_001, message: 'line 25001: not valid JSON' }]);
    expect(store.recordingErrors).toEqual(ref.parsed.errors);
    expect(store.log.length).toBe(ref.applied.length);
    expect(store.target.runs[0]!.analysis.model).toEqual(ref.target.runs[0]!.analysis.model);
  });

  it('reads text that is not ASCII the same', () => {
    const wide = rows.map((row) => row.replace('"label":"', '"label":"é€😀 ').replace('"event":"', '"event":"ü'));
    const text = wide.join('\n');
    const ref = reference(text);
    const store = open(text);
    expect(store.log.length).toBe(ref.applied.length);
    expect(store.log.at(5)).toEqual(ref.applied[5]);
    expect(store.log.rawAt(5)).toBe(JSON.stringify(ref.applied[5]));
    expect(store.target.runs[0]!.analysis.model).toEqual(ref.target.runs[0]!.analysis.model);
  });
});
