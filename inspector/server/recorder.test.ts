import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseRecording } from '../client/recording.js';
import { TargetRecorder } from './recorder.js';
import { hello } from '../client/hello.test-util.js';

/** A mark as the hub's history hands it over: its seq and its JSON. */
const mark = (seq: number, label = 'm') => ({ seq, json: JSON.stringify({ type: 'mark', seq, t: seq, label }) });

let dir: string;
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('TargetRecorder', () => {
  it('writes what the disk could not take as a gap in its own run, even when the backend restarts right after', async () => {
    dir = await mkdtemp(join(tmpdir(), 'bridgescope-recorder-'));
    const quiet = { warn() {}, error() {} };
    const recorder = new TargetRecorder(dir, 'app', 1024 ** 3, quiet);
    recorder.hello(hello('x'));
    // One huge event puts the file stream far behind, so the next ones are dropped.
    recorder.events([mark(1, 'x'.repeat(20 * 1024 * 1024))], 1);
    recorder.events([mark(2), mark(3)], 3);
    recorder.hello(hello('y'));
    recorder.events([mark(1), mark(2)], 2);
    await recorder.close();
    const parsed = parseRecording(await readFile(recorder.files[0]!, 'utf8'));
    expect(parsed.errors).toEqual([]);
    expect(parsed.lines.map((l) => (l.type === 'hello' ? `hello ${l.agent.instance}` : l.type === 'gap' ? `gap ${l.from}-${l.to}` : l.type))).toEqual([
      'hello x',
      'mark',
      'now',
      'gap 2-3',
      'hello y',
      // Still behind: the new run's loss is its own gap, written at close.
      'gap 1-2',
    ]);
  });
});
