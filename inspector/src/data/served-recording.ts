import type { ReadProgress } from './recording-reader.js';
import { readerFailure, startReader } from './reader-thread.js';

/**
 * The recording `bridgescope serve --open FILE` serves, and reading it
 * before the UI is up: the page's entry (main.tsx) runs this before it loads
 * the UI's code, so keep its imports small.
 */

/** The served recording, as a source for openRecording. */
export function servedRecording(token: string): { url: string } {
  return { url: new URL(`/recording?token=${encodeURIComponent(token)}`, location.href).href };
}

/** The served recording being read ahead, and what it read so far. */
let ahead: { url: string; worker: Worker; read: ReadProgress[] } | null = null;

/** On a `serve --open` page (`?token=…&recording=1`), starts reading the served recording. */
export function readServedRecordingAhead(search: string): void {
  const params = new URLSearchParams(search);
  const token = params.get('token');
  if (!token || params.get('recording') !== '1' || params.has('agent')) return;
  const { url } = servedRecording(token);
  try {
    const early = { url, worker: startReader({ url }), read: [] as ReadProgress[] };
    early.worker.onmessage = (event: MessageEvent<ReadProgress>) => early.read.push(event.data);
    early.worker.onerror = (event) => early.read.push(readerFailure(event));
    ahead = early;
  } catch {
    // No worker: openRecording reports it.
  }
}

/** The reading of `url` started ahead, if any (once): its worker, and what it reported so far. */
export function takeReadAhead(url: string): { worker: Worker; read: ReadProgress[] } | undefined {
  const early = ahead?.url === url ? ahead : undefined;
  ahead = null;
  return early;
}
