import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { GapMessage, HelloMessage, RecordingLine } from '../../shared/protocol.js';
import type { Logger } from '../../shared/logger.js';
import { createRecordingHeader } from '../client/recording.js';

export const DEFAULT_RECORD_MAX_BYTES = 50 * 1024 * 1024;
/** Bytes waiting for the disk before lines are dropped (and written later as a gap). */
const MAX_PENDING_BYTES = 16 * 1024 * 1024;

/** `demo@ios` → `demo@ios`; anything a file system might mind becomes `_`. */
function fileSafe(key: string): string {
  return key.replace(/[^A-Za-z0-9._@-]/g, '_').slice(0, 100) || 'target';
}

/** `2025-01-31T12-00-00-000Z`: sortable, and valid on every file system. */
function fileStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[:.]/g, '-');
}

/**
 * Writes one target to NDJSON recordings (shared/protocol.ts: a header line,
 * then hello/gap/now/event lines), rotating to a new part when a file would
 * pass `maxBytes`. Each part repeats the header and the current run's hello,
 * so every part opens on its own. Never blocks: if the disk falls behind,
 * events are dropped and recorded as a gap.
 */
export class TargetRecorder {
  private stream: WriteStream | undefined;
  private part = 0;
  private bytes = 0;
  /** Size of a part's opening lines: a part always takes at least one line more. */
  private headerBytes = 0;
  private currentHello: HelloMessage | undefined;
  private dropped: { from: number; to: number; count: number } | undefined;
  private failed = false;
  private readonly stamp: string;
  readonly files: string[] = [];

  constructor(
    private readonly dir: string,
    private readonly key: string,
    private readonly maxBytes: number,
    private readonly logger: Logger,
    now = Date.now(),
  ) {
    this.stamp = fileStamp(now);
  }

  hello(hello: HelloMessage): void {
    // What the disk could not take belongs to the run that is ending.
    this.flushDropped();
    this.currentHello = hello;
    this.write(hello);
  }

  /** Events as the history keeps them: their JSON is written as it is. */
  events(events: readonly { seq: number; json: string }[], now: number): void {
    if (events.length === 0) return;
    if (this.stream && this.stream.writableLength > MAX_PENDING_BYTES) {
      const from = events[0]!.seq;
      const to = events[events.length - 1]!.seq;
      this.dropped = this.dropped ? { ...this.dropped, to, count: this.dropped.count + events.length } : { from, to, count: events.length };
      return;
    }
    this.flushDropped();
    for (const event of events) this.writeText(event.json);
    this.write({ type: 'now', now });
  }

  gap(gap: GapMessage): void {
    this.flushDropped();
    this.write(gap);
  }

  /** Ends the file; resolves once everything written is on disk (or the file failed). */
  close(): Promise<void> {
    this.flushDropped();
    const stream = this.stream;
    this.stream = undefined;
    if (!stream) return Promise.resolve();
    return new Promise((resolve) => {
      stream.once('close', resolve);
      stream.end();
    });
  }

  /** Writes what the disk could not take as a gap, in its place in the stream. */
  private flushDropped(): void {
    if (!this.dropped) return;
    this.write({ type: 'gap', ...this.dropped, reason: 'slow-consumer' });
    this.dropped = undefined;
  }

  private write(line: RecordingLine): void {
    this.writeText(JSON.stringify(line), line);
  }

  private writeText(json: string, line?: RecordingLine): void {
    if (this.failed) return;
    const text = json + '\n';
    const size = Buffer.byteLength(text);
    if (!this.stream || (this.bytes + size > this.maxBytes && this.bytes > this.headerBytes)) this.rotate(line);
    this.stream?.write(text);
    this.bytes += size;
  }

  private rotate(next: RecordingLine | undefined): void {
    this.stream?.end();
    this.part++;
    const file = join(this.dir, `${fileSafe(this.key)}-${this.stamp}-part${this.part}.ndjson`);
    this.files.push(file);
    const stream = createWriteStream(file, { flags: 'w' });
    stream.on('error', (error) => {
      if (this.failed) return;
      this.failed = true;
      this.logger.error(`recording of ${this.key} stopped: ${error.message}`);
    });
    this.stream = stream;
    let text = JSON.stringify(createRecordingHeader()) + '\n';
    // A new part starts mid-run: repeat the hello so the part opens on its own.
    if (this.currentHello && next !== this.currentHello) text += JSON.stringify(this.currentHello) + '\n';
    stream.write(text);
    this.bytes = this.headerBytes = Buffer.byteLength(text);
  }
}

/** Hands out one {@link TargetRecorder} per target, all in one directory. */
export class Recorder {
  constructor(
    readonly dir: string,
    readonly maxBytes: number,
    private readonly logger: Logger,
  ) {}

  forTarget(key: string): TargetRecorder {
    return new TargetRecorder(this.dir, key, this.maxBytes, this.logger);
  }
}
