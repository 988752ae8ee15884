import { RowSplitter, type RowBatch } from '../../client/recording.js';

/** Where a recording comes from: the server's `/recording` (absolute URL) or a file the user picked. */
export type RecordingSource = { url: string } | { file: Blob };

/** What reading reports, in order: row batches as they are read, then one `end` or `failed`. */
export type ReadProgress =
  | {
      type: 'rows';
      rows: RowBatch;
      /** Bytes read so far, and the whole size when known. */
      bytes: number;
      total: number | null;
    }
  | { type: 'end' }
  | { type: 'failed'; message: string };

/** Hand rows over about this often, so the page parses and checks them while the rest is read. */
const BATCH_BYTES = 1 << 20;

/**
 * Reads a recording and splits it into row batches, reporting them as it
 * goes (in the recording worker). It never throws: a read failure is
 * reported as `failed`.
 */
export async function readRecording(source: RecordingSource, report: (progress: ReadProgress) => void): Promise<void> {
  try {
    let stream: ReadableStream<Uint8Array>;
    let total: number | null;
    if ('file' in source) {
      stream = source.file.stream();
      total = source.file.size;
    } else {
      const response = await fetch(source.url, { cache: 'no-store' });
      if (!response.ok || !response.body) throw new Error(`the server answered ${response.status} for /recording`);
      stream = response.body;
      const length = Number(response.headers.get('content-length'));
      total = length > 0 ? length : null;
    }
    const splitter = new RowSplitter();
    const decoder = new TextDecoder();
    const reader = stream.getReader();
    let bytes = 0;
    let sinceBatch = 0;
    const send = (rows: RowBatch | undefined) => {
      if (rows) report({ type: 'rows', rows, bytes, total });
      sinceBatch = 0;
    };
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.length;
      sinceBatch += value.length;
      splitter.push(decoder.decode(value, { stream: true }));
      if (sinceBatch >= BATCH_BYTES) send(splitter.take());
    }
    splitter.push(decoder.decode());
    send(splitter.end());
    report({ type: 'end' });
  } catch (error) {
    report({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  }
}
