import type { RowBatch } from '../../client/recording.js';
import { batchRows } from './batch-rows.js';
import { readInto } from './byte-reader.js';
import { grown, type PreparedRows } from './prepared-rows.js';

/** Where a recording comes from: the server's `/recording` (absolute URL) or a file the user picked. */
export type RecordingSource = { url: string } | { file: Blob };

/** Where the reader's time went, in ms, and how many batches it prepared (the benchmark's breakdown). */
export interface ReadStats {
  /** Waiting for the next bytes (network or disk). */
  waitMs: number;
  /** Cutting a batch of whole lines (the unfinished last one goes on to the next batch). */
  cutMs: number;
  /** Finding and preparing a batch's rows for the page (batch-rows.ts). */
  prepareMs: number;
  /** Handing batches over. */
  postMs: number;
  batches: number;
}

/**
 * A batch on its way to the page: the bytes of complete lines (moved, not
 * copied: the page keeps them as they are when they are ASCII, else decodes
 * them as the reader did), where its rows are, and the rows prepared.
 */
export interface WireBatch {
  bytes: Uint8Array;
  rows: Omit<RowBatch, 'text'> & { ascii: boolean };
  prepared: PreparedRows;
}

/** What reading reports, in order: batches as they are read, then one `end` or `failed`. */
export type ReadProgress =
  | {
      type: 'rows';
      batch: WireBatch;
      /** Bytes read so far, and the whole size when known. */
      read: number;
      total: number | null;
    }
  | { type: 'end'; stats: ReadStats }
  | { type: 'failed'; message: string };

/** Hand rows over about this often, so the page ingests them while the rest is read. */
const BATCH_BYTES = 1 << 20;
const NEWLINE = 10;
const BOM = [0xef, 0xbb, 0xbf];

/**
 * Reads a recording, cuts it into batches of whole lines and prepares their
 * rows for the page, reporting them as it goes (in the recording worker).
 * It never throws: a read failure is reported as `failed`.
 */
export async function readRecording(source: RecordingSource, report: (progress: ReadProgress) => void): Promise<void> {
  const stats: ReadStats = { waitMs: 0, cutMs: 0, prepareMs: 0, postMs: 0, batches: 0 };
  let clock = performance.now();
  /** Adds the time since the last lap to one phase. */
  const lap = (phase: 'waitMs' | 'cutMs' | 'prepareMs' | 'postMs') => {
    const now = performance.now();
    stats[phase] += now - clock;
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
    const next = readInto(stream);
    /** The next batch: the unfinished line of the last one, then what is read after it. */
    let buffer: Uint8Array<ArrayBuffer> = new Uint8Array(BATCH_BYTES);
    let filled = 0;
    let read = 0;
    /** 0-based line of the file the next batch starts at. */
    let line = 0;
    /** Sends the lines of the buffer up to `cut`, the rest going on to a new one (the buffer moves to the page). */
    const send = (cut: number) => {
      const start = read === filled && BOM.every((b, i) => buffer[i] === b) ? BOM.length : 0;
      const batch = buffer.subarray(start, cut);
      const rest = filled - cut;
      const after = new Uint8Array(Math.max(BATCH_BYTES, 2 * rest));
      after.set(buffer.subarray(cut, filled));
      buffer = after;
      filled = rest;
      lap('cutMs');
      const rows = batchRows(batch, line);
      line = rows.nextLine;
      lap('prepareMs');
      if (!rows.batch) return;
      stats.batches++;
      report({ type: 'rows', batch: rows.batch, read, total });
      lap('postMs');
    };
    for (;;) {
      if (filled === buffer.length) {
        const cut = buffer.lastIndexOf(NEWLINE) + 1;
        // A line longer than the buffer: make room for the rest of it.
        if (cut === 0) buffer = grown(buffer, new Uint8Array(2 * buffer.length));
        else send(cut);
      }
      lap('waitMs');
      const { read: got, done } = await next(buffer.subarray(filled));
      lap('waitMs');
      buffer = new Uint8Array(got.buffer);
      if (done) break;
      filled += got.length;
      read += got.length;
    }
    send(filled);
    report({ type: 'end', stats });
  } catch (error) {
    report({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  }
}
