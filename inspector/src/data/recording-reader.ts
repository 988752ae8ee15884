import { RowSplitter, type RowBatch } from '../../client/recording.js';
import { prepareRows, type PreparedRows } from './prepared-rows.js';

/** Where a recording comes from: the server's `/recording` (absolute URL) or a file the user picked. */
export type RecordingSource = { url: string } | { file: Blob };

/** Where the reader's time went, in ms (the benchmark's breakdown). */
export interface ReadTimings {
  /** Waiting for the next bytes (network or disk). */
  waitMs: number;
  /** Bytes to text. */
  decodeMs: number;
  /** Text to rows. */
  splitMs: number;
  /** Preparing the rows for the page: parsing the `conn.io` ones, joining the others. */
  prepareMs: number;
  /** Handing batches over (copying them to the page). */
  postMs: number;
}

/** What reading reports, in order: row batches as they are read, then one `end` or `failed`. */
export type ReadProgress =
  | {
      type: 'rows';
      rows: RowBatch;
      /** The same rows, prepared for the page. */
      prepared: PreparedRows;
      /** Bytes read so far, and the whole size when known. */
      bytes: number;
      total: number | null;
    }
  | { type: 'end'; timings: ReadTimings }
  | { type: 'failed'; message: string };

/** Hand rows over about this often, so the page ingests them while the rest is read. */
const BATCH_BYTES = 1 << 20;

/**
 * Reads a recording and splits it into row batches, reporting them as it
 * goes (in the recording worker). It never throws: a read failure is
 * reported as `failed`.
 */
export async function readRecording(source: RecordingSource, report: (progress: ReadProgress) => void): Promise<void> {
  const timings: ReadTimings = { waitMs: 0, decodeMs: 0, splitMs: 0, prepareMs: 0, postMs: 0 };
  let clock = performance.now();
  /** Adds the time since the last lap to one phase. */
  const lap = (phase: keyof ReadTimings) => {
    const now = performance.now();
    timings[phase] += now - clock;
    clock = now;
  };
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
      lap('splitMs');
      sinceBatch = 0;
      if (!rows) return;
      const prepared = prepareRows(rows);
      lap('prepareMs');
      report({ type: 'rows', rows, prepared, bytes, total });
      lap('postMs');
    };
    for (;;) {
      lap('waitMs');
      const { done, value } = await reader.read();
      lap('waitMs');
      if (done) break;
      bytes += value.length;
      sinceBatch += value.length;
      const text = decoder.decode(value, { stream: true });
      lap('decodeMs');
      splitter.push(text);
      if (sinceBatch >= BATCH_BYTES) send(splitter.take());
    }
    splitter.push(decoder.decode());
    lap('decodeMs');
    send(splitter.end());
    report({ type: 'end', timings });
  } catch (error) {
    report({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  }
}
