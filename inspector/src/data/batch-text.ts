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

/** True when the text decoded from `bytes` is the bytes themselves: ASCII only. */
export function isAscii(bytes: Uint8Array, text: string): boolean {
  // Any other byte decodes to fewer code units, or to U+FFFD when it is not UTF-8.
  return text.length === bytes.length && !text.includes('\uFFFD');
}

/** The text from `start` to `end` (offsets in the text). */
export function sliceText(text: BatchText, start: number, end: number): string {
  return typeof text === 'string' ? text.slice(start, end) : decoder.decode(text.subarray(start, end));
}
