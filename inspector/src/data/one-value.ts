/**
 * Finds where the row starting at `start` of `bytes` ends, its newline or
 * the end of `bytes`, and whether it is one JSON value in structure; returns
 * that end, or its bitwise NOT (negative) when the row is not one value.
 *
 * One value in structure: outside strings its brackets and braces never
 * close more than they opened and all close by the end, no comma stands
 * outside them, and its strings close (holding no control character, as
 * JSON's may not). Tokens are not checked: the page's parse of a slice of
 * such rows does that, and then each value it gives is one row's. A row
 * that is not one value could join its neighbours into as many values as
 * rows, but the wrong ones (`"` then `",1`). The scan finds the newline too,
 * which costs less than searching for it apart. UTF-8 needs nothing more:
 * the bytes of a character beyond ASCII are all 0x80 or above.
 */
export function scanRow(bytes: Uint8Array, start: number): number {
  const length = bytes.length;
  let depth = 0;
  for (let i = start; i < length; i++) {
    const c = bytes[i]!;
    if (c === QUOTE) {
      for (;;) {
        const d = ++i < length ? bytes[i]! : 0;
        if (d === QUOTE) break;
        // An escape takes the next character whole, which may not be a control one either.
        if (d === BACKSLASH ? (++i < length ? bytes[i]! : 0) < SPACE : d < SPACE) return ~lineEnd(bytes, i);
      }
      // `{` is 123 and `[` 91, `}` 125 and `]` 93: they differ in bit 5 only.
    } else if ((c | 32) === OPEN_BRACE) depth++;
    else if ((c | 32) === CLOSE_BRACE) {
      if (--depth < 0) return ~lineEnd(bytes, i);
    } else if (c === NEWLINE) return depth === 0 ? i : ~i;
    else if (c === COMMA && depth === 0) return ~lineEnd(bytes, i);
  }
  return depth === 0 ? length : ~length;
}

function lineEnd(bytes: Uint8Array, from: number): number {
  const newline = bytes.indexOf(NEWLINE, from);
  return newline < 0 ? bytes.length : newline;
}

const NEWLINE = 10;
const SPACE = 32;
const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
