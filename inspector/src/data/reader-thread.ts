import type { ReadProgress, RecordingSource } from './recording-reader.js';

/** A worker reading `source` (recording-worker.ts), reporting as it goes. */
export function startReader(source: RecordingSource): Worker {
  const worker = new Worker(new URL('./recording-worker.ts', import.meta.url), { type: 'module' });
  worker.postMessage(source);
  return worker;
}

/** A worker that stopped (its script failed to load or threw), as the reading's failure. */
export function readerFailure(event: ErrorEvent): ReadProgress {
  event.preventDefault();
  return { type: 'failed', message: event.message || 'the recording reader stopped' };
}
