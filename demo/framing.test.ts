import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameDecoder, FrameError } from './framing.js';

describe('length-prefixed JSON frames', () => {
  it('round-trips messages split at every byte', () => {
    const messages = [{ id: 1, method: 'ping' }, { event: 'volumeChanged', data: { volume: 55 } }, 'é€😀'];
    const bytes = Buffer.concat(messages.map((m) => encodeFrame(m)));
    const decoder = new FrameDecoder();
    const received: unknown[] = [];
    for (let i = 0; i < bytes.length; i++) received.push(...decoder.push(bytes.subarray(i, i + 1)));
    expect(received).toEqual(messages);
    expect(decoder.buffered).toBe(0);
  });

  it('decodes several frames from one chunk and keeps a partial one', () => {
    const whole = Buffer.concat([encodeFrame({ a: 1 }), encodeFrame({ b: 2 }), encodeFrame({ c: 3 })]);
    const decoder = new FrameDecoder();
    expect(decoder.push(whole.subarray(0, whole.length - 2))).toEqual([{ a: 1 }, { b: 2 }]);
    expect(decoder.push(whole.subarray(whole.length - 2))).toEqual([{ c: 3 }]);
  });

  it('writes a 4-byte big-endian length header', () => {
    const frame = encodeFrame({ x: 'y' });
    expect(frame.readUInt32BE(0)).toBe(Buffer.byteLength('{"x":"y"}'));
  });

  it('rejects a frame announcing more than the limit, before buffering it', () => {
    const decoder = new FrameDecoder(16);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(17);
    expect(() => decoder.push(header)).toThrow(FrameError);
    try {
      new FrameDecoder(16).push(header);
    } catch (error) {
      expect((error as FrameError).code).toBe('FRAME_TOO_LARGE');
    }
  });

  it('rejects a frame that is not JSON', () => {
    const body = Buffer.from('{nope');
    const header = Buffer.alloc(4);
    header.writeUInt32BE(body.length);
    expect(() => new FrameDecoder().push(Buffer.concat([header, body]))).toThrow(expect.objectContaining({ code: 'BAD_JSON' }));
  });
});
