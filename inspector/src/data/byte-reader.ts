/**
 * Reads a stream into buffers the reader owns. A byte stream (a fetch body,
 * a Blob's stream, in current browsers and Node) writes straight into them:
 * no chunk is allocated and nothing is copied, which is most of what
 * gathering a recording's 129 MB cost in fresh memory. Any other stream's
 * chunks are copied in.
 */

/**
 * Reads into `into` (at most its length): a view of what was read, over
 * `into`'s memory, possibly moved to a new ArrayBuffer (a byte stream
 * transfers it); empty, with `done`, at the end.
 */
export type ReadInto = (into: Uint8Array<ArrayBuffer>) => Promise<{ read: Uint8Array<ArrayBuffer>; done: boolean }>;

export function readInto(stream: ReadableStream<Uint8Array>): ReadInto {
  let byob: ReadableStreamBYOBReader;
  try {
    byob = stream.getReader({ mode: 'byob' });
  } catch {
    return copyChunks(stream.getReader());
  }
  return async (into) => {
    const { done, value } = await byob.read(into);
    // At the end the stream hands the buffer back empty.
    return { read: value!, done };
  };
}

function copyChunks(reader: ReadableStreamDefaultReader<Uint8Array>): ReadInto {
  /** What is left of the last chunk. */
  let chunk: Uint8Array = new Uint8Array(0);
  return async (into) => {
    if (chunk.length === 0) {
      const { done, value } = await reader.read();
      if (done) return { read: into.subarray(0, 0), done };
      chunk = value;
    }
    const length = Math.min(into.length, chunk.length);
    into.set(chunk.subarray(0, length));
    chunk = chunk.subarray(length);
    return { read: into.subarray(0, length), done: false };
  };
}
