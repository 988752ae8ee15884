import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RECORDING_FORMAT, type AgentEvent, type RecordingLine } from '../protocol.js';
import { createAnalysis } from './index.js';
import type { Analysis } from './types.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const recordings = ['reload-leak', 'handle-race', 'forgotten-cleanup'];

/** Replays a recording: events are applied, `now` lines advance time, gaps are recorded. */
function replay(name: string, tickEvery = 0): Analysis {
  const [header, ...lines] = readFileSync(`${fixtures}${name}.ndjson`, 'utf8').trim().split('\n');
  expect(JSON.parse(header!)).toMatchObject({ format: RECORDING_FORMAT, version: 1 });
  const analysis = createAnalysis();
  for (const line of lines) {
    const record = JSON.parse(line) as RecordingLine;
    if (record.type === 'now') analysis.advance(record.now);
    else if (record.type === 'gap') analysis.applyGap(record);
    else if (record.type !== 'hello') {
      const event = record as AgentEvent;
      // Ticks between events, as a live agent would send: they must not change the outcome.
      if (tickEvery > 0) for (let t = analysis.model.now; t < event.t; t += tickEvery) analysis.advance(t);
      analysis.apply(event);
    }
  }
  return analysis;
}

function outcome(analysis: Analysis) {
  return {
    findings: analysis.findings({ includeResolved: true }),
    sessions: analysis.model.sessions.map((s) => ({ group: s.group, index: s.index, conn: s.conn, counts: s.counts })),
    counts: analysis.counts(),
  };
}

describe('golden recordings', () => {
  for (const name of recordings) {
    it(`${name}: the findings and sessions match the reviewed expectation`, () => {
      const expectedFile = `${fixtures}${name}.expected.json`;
      const actual = outcome(replay(name));
      // Regenerate with UPDATE_GOLDEN=1, then review the diff by hand before committing.
      if (process.env.UPDATE_GOLDEN === '1') {
        writeFileSync(expectedFile, `${JSON.stringify(actual, null, 2)}\n`);
      }
      expect(actual).toEqual(JSON.parse(readFileSync(expectedFile, 'utf8')));
    });

    it(`${name}: replaying again, or with clock ticks in between, gives the same findings`, () => {
      const once = outcome(replay(name));
      expect(outcome(replay(name))).toEqual(once);
      expect(outcome(replay(name, 7)).findings).toEqual(once.findings);
      expect(outcome(replay(name, 250)).findings).toEqual(once.findings);
    });
  }
});
