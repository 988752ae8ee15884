/**
 * Reads an opened recording off the page's thread: fetching, decoding,
 * splitting into rows, and parsing them (prepared-rows.ts) while the page
 * falls behind. The page says how many batches it has ingested
 * (`{ ingested }`): with one in hand and another waiting, it is behind.
 */
import { readRecording, type ReadProgress, type RecordingSource } from './recording-reader.js';

/** What the page posts: the source to read, then how many batches it has ingested. */
export type ReaderRequest = RecordingSource | { ingested: number };

let sent = 0;
let ingested = 0;
/** Batches sent and not yet ingested that make the page "behind". */
const BEHIND = 2;

/** The batch's bytes and typed arrays move to the page instead of being copied. */
function transferables(progress: ReadProgress): Transferable[] {
  if (progress.type !== 'rows') return [];
  const { bytes, rows, prepared } = progress.batch;
  return [bytes.buffer, rows.spans.buffer, rows.lines.buffer, ...(prepared ? [prepared.io.buffer, prepared.conn.buffer, prepared.values.buffer] : [])];
}

self.onmessage = (event: MessageEvent<ReaderRequest>) => {
  const request = event.data;
  if ('ingested' in request) {
    ingested = request.ingested;
    return;
  }
  void readRecording(
    request,
    (progress) => {
      if (progress.type === 'rows') sent++;
      self.postMessage(progress, { transfer: transferables(progress) });
    },
    () => sent - ingested >= BEHIND,
  );
};
