/**
 * Reads an opened recording off the page's thread: fetching, decoding,
 * splitting into rows and preparing them (prepared-rows.ts) happen here
 * while the page analyses the batches already read.
 */
import { readRecording, type ReadProgress, type RecordingSource } from './recording-reader.js';

/** The batch's bytes and typed arrays move to the page instead of being copied. */
function transferables(progress: ReadProgress): Transferable[] {
  if (progress.type !== 'rows') return [];
  const { bytes, rows, prepared } = progress.batch;
  return [bytes, rows.spans, rows.lines, prepared.io, prepared.conn, prepared.values, prepared.rest, prepared.restEnds].map((array) => array.buffer);
}

self.onmessage = (event: MessageEvent<RecordingSource>) => {
  void readRecording(event.data, (progress) => self.postMessage(progress, { transfer: transferables(progress) }));
};
