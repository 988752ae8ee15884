import { describe, expect, it } from 'vitest';
import type { RecordingLine } from '../../../shared/protocol.js';
import { parseRecording } from '../../client/recording.js';
import { recordingText } from './sources.js';
import { UiStore } from './ui-store.js';
import { hello } from '../../client/hello.test-util.js';

describe('Record', () => {
  it('saves every gap and clock tick as it arrived, also after a run’s last event and in a run without events', () => {
    const store = new UiStore();
    const lines: RecordingLine[] = [
      hello('a'),
      { type: 'mark', seq: 1, t: 5, label: 'start' },
      { type: 'gap', from: 2, to: 50, count: 49, reason: 'evicted' },
      { type: 'now', now: 900 },
      hello('b'),
      { type: 'gap', from: 1, to: 10, count: 10, reason: 'slow-consumer' },
    ];
    store.target.ingestRecording(lines);
    const saved = parseRecording(recordingText(store));
    expect(saved.errors).toEqual([]);
    expect(saved.lines).toEqual(lines);
  });
});
