/**
 * Whether the bytes `[start, end)` are, in structure, one JSON value: outside
 * strings its brackets and braces never close more than they opened and all
 * close by the end, no comma stands outside them, and its strings close.
 * Tokens are not checked: the page's parse of a slice of such rows does that,
 * and then each value it gives is one row's. A row that is not one value
 * could join its neighbours into as many values as rows, but the wrong ones
 * (`"` then `",1`). UTF-8 needs nothing more: the bytes of a character
 * beyond ASCII are all 0x80 or above.
 */
export function isOneValue(bytes: Uint8Array, start: number, end: number): boolean {
  let depth = 0;
  for (let i = start; i < end; i++) {
    const c = bytes[i]!;
    if (c === QUOTE) {
      for (i++; ; i++) {
        if (i >= end) return false;
        const d = bytes[i]!;
        if (d === QUOTE) break;
        if (d === BACKSLASH) i++;
      }
      // `{` is 123 and `[` 91, `}` 125 and `]` 93: they differ in bit 5 only.
    } else if ((c | 32) === OPEN_BRACE) depth++;
    else if ((c | 32) === CLOSE_BRACE) {
      if (--depth < 0) return false;
    } else if (c === COMMA && depth === 0) return false;
  }
  return depth === 0;
}

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
