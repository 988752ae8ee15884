import { describe, expect, it } from 'vitest';
import { readInto } from './byte-reader.js';

const bytes = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 7) % 251);

/** Everything `stream` holds, read into buffers of `size` bytes as the recording reader does. */
async function readAll(stream: ReadableStream<Uint8Array>, size: number) {
  const next = readInto(stream);
  const all = new Uint8Array(bytes.length + 1);
  let at = 0;
  for (let buffer = new Uint8Array(size); ; ) {
    const { read, done } = await next(buffer);
    if (done) return all.subarray(0, at);
    all.set(read, at);
    at += read.length;
    buffer = new Uint8Array(read.buffer);
  }
}

describe('reading a stream into the reader’s buffers', () => {
  it('reads a byte stream (a Blob’s) straight into them', async () => {
    expect(await readAll(new Blob([bytes]).stream(), 4096)).toEqual(bytes);
  });

  it('copies in the chunks of a stream that is not a byte stream, however they fall', async () => {
    const chunks = [bytes.subarray(0, 10), bytes.subarray(10, 50_000), bytes.subarray(50_000)];
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const chunk = chunks.shift();
        if (chunk) controller.enqueue(chunk);
        else controller.close();
      },
    });
    expect(await readAll(stream, 4096)).toEqual(bytes);
  });
});
