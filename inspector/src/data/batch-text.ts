/**
 * A batch of a recording's lines as the page keeps it: its bytes when they
 * are all ASCII (most recordings: offsets in the bytes and in the text are
 * the same, and nothing has to be decoded until a row is read), else the
 * decoded text.
 */
export type BatchText = string | Uint8Array;

const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** Text of a batch's bytes, the same on both threads (a BOM only counts at the start of the file, which the reader drops). */
export function decodeLines(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** True when `bytes` are all ASCII: their text is the bytes themselves, offsets in one are offsets in the other. */
export function isAscii(bytes: Uint8Array): boolean {
  const head = Math.min(bytes.length, -bytes.byteOffset & 3);
  const words = new Int32Array(bytes.buffer, bytes.byteOffset + head, (bytes.length - head) >>> 2);
  let any = 0;
  for (let i = 0; i < head; i++) any |= bytes[i]!;
  for (let i = head + 4 * words.length; i < bytes.length; i++) any |= bytes[i]!;
  return ((any | orOf(words)) & 0x80808080) === 0;
}

/** All the words or-ed: four bytes at a time, a 1 MiB batch is checked in a fraction of the time decoding it takes. */
function orOf(words: Int32Array): number {
  let any = 0;
  for (let i = 0; i < words.length; i++) any |= words[i]!;
  // Nothing else after the loop: V8 compiles it while in it, and code after it would have no type feedback yet.
  return any;
}

/** The text of `bytes` from `start` to `end`, when they are ASCII. */
export function asciiText(bytes: Uint8Array, start: number, end: number): string {
  // Short ones (connection ids, one per run of a connection's rows) are built here: a TextDecoder call costs more than their characters.
  if (end - start > 32) return decoder.decode(bytes.subarray(start, end));
  let text = '';
  for (let i = start; i < end; i++) text += String.fromCharCode(bytes[i]!);
  return text;
}

/** The text from `start` to `end` (offsets in the text). */
export function sliceText(text: BatchText, start: number, end: number): string {
  return typeof text === 'string' ? text.slice(start, end) : asciiText(text, start, end);
}
