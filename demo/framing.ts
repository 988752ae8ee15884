/**
 * Length-prefixed JSON frames, as the bridge speaks them: a 4-byte
 * big-endian byte length, then that many bytes of UTF-8 JSON.
 */

/** Frames above this are a protocol violation (a corrupt or hostile peer). */
export const MAX_FRAME_BYTES = 1024 * 1024;

const HEADER_BYTES = 4;

export class FrameError extends Error {
  constructor(
    readonly code: 'FRAME_TOO_LARGE' | 'BAD_JSON',
    message: string,
  ) {
    super(message);
    this.name = 'FrameError';
  }
}

export function encodeFrame(message: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  if (body.length > MAX_FRAME_BYTES) {
    throw new FrameError('FRAME_TOO_LARGE', `frame of ${body.length} bytes exceeds ${MAX_FRAME_BYTES}`);
  }
  const frame = Buffer.allocUnsafe(HEADER_BYTES + body.length);
  frame.writeUInt32BE(body.length, 0);
  body.copy(frame, HEADER_BYTES);
  return frame;
}

/**
 * Reassembles frames from arbitrarily split chunks (a frame may arrive in
 * many 'data' events, or many frames in one).
 */
export class FrameDecoder {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly maxFrameBytes = MAX_FRAME_BYTES) {}

  /** Returns the complete messages in this chunk; throws FrameError on a bad frame. */
  push(chunk: Buffer): unknown[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const messages: unknown[] = [];
    let offset = 0;
    while (this.pending.length - offset >= HEADER_BYTES) {
      const length = this.pending.readUInt32BE(offset);
      if (length > this.maxFrameBytes) {
        throw new FrameError('FRAME_TOO_LARGE', `frame of ${length} bytes exceeds ${this.maxFrameBytes}`);
      }
      if (this.pending.length - offset - HEADER_BYTES < length) break;
      const body = this.pending.subarray(offset + HEADER_BYTES, offset + HEADER_BYTES + length);
      offset += HEADER_BYTES + length;
      try {
        messages.push(JSON.parse(body.toString('utf8')));
      } catch {
        throw new FrameError('BAD_JSON', 'frame is not valid JSON');
      }
    }
    // Copy the remainder so the (possibly large) consumed chunk can be freed.
    this.pending = offset === 0 ? this.pending : Buffer.from(this.pending.subarray(offset));
    return messages;
  }

  /** Bytes of an incomplete frame waiting for more data. */
  get buffered(): number {
    return this.pending.length;
  }
}
