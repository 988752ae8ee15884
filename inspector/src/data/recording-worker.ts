/**
 * Reads an opened recording off the page's thread: fetching, decoding and
 * splitting a large file into rows cost about as much as parsing it, and
 * the page parses and checks each batch while the worker reads the next.
 */
import { readRecording, type RecordingSource } from './recording-reader.js';

self.onmessage = (event: MessageEvent<RecordingSource>) => {
  void readRecording(event.data, (progress) => self.postMessage(progress, { transfer: progress.type === 'rows' ? [progress.rows.lengths.buffer, progress.rows.lines.buffer] : [] }));
};
