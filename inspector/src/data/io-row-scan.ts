/**
 * Reads a `conn.io` row the way the recorder writes it from the bytes of an
 * ASCII batch (offsets in its text are offsets in its bytes), without decoding
 * it and without JSON.parse:
 * most of any recording is these rows, and building an object per row only
 * to copy its numbers into columns costs the reader most of its time. Only
 * the plain form is read here (no whitespace, no escapes in the id);
 * anything else is left to JSON.parse, so what is read is always what
 * parsing the row gives (a field given twice counts last, as there).
 */

import { asciiText } from './batch-text.js';

/** The io fields, in the order of a prepared row's columns: required ones first. */
export const IO_FIELDS = ['seq', 't', 'bytesIn', 'bytesOut', 'lastActivity', 'msgsIn', 'msgsOut', 'lastIn'] as const;
export const IO_REQUIRED = 5;
/** Every row starts so: the recorder writes `type` first. */
export const IO_PREFIX = '{"type":"conn.io",';

const KEYS: readonly string[] = IO_FIELDS.map((field) => `"${field}":`);
const CONN_KEY = '"conn":';
// The same as words: rows are compared four bytes at a time with them, the hottest loop of reading a recording.
const KEY_WORDS = KEYS.map(wordsOf);
const CONN_KEY_WORDS = wordsOf(CONN_KEY);
const IO_PREFIX_WORDS = wordsOf(IO_PREFIX);
/** Bit of each field in `seen`; `conn` is the last one. */
const CONN_BIT = 1 << IO_FIELDS.length;
const REQUIRED_BITS = CONN_BIT | ((1 << IO_REQUIRED) - 1);

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const CLOSE = 125;
const MINUS = 45;
const DOT = 46;
const ZERO = 48;
const NINE = 57;
const LOWER_E = 101;
const UPPER_E = 69;
const PLUS = 43;

/** Powers of ten exact as doubles: a mantissa below 2^53 divided by one is correctly rounded, as parsing is. */
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);
const MAX_MANTISSA = 2 ** 53;

/**
 * Reads the row at `start` of an ASCII batch's `bytes` (`view` on them; it starts with {@link IO_PREFIX}):
 * its fields into `out` from `base` (an optional field it lacks as NaN) and
 * its connection id's offsets into `id`. Returns where the row's closing
 * brace ends (the caller checks that its line ends there), or -1 when the
 * row is not of that plain form, and then `out` and `id` are to be ignored.
 * No key, number or id it accepts holds a newline, so it never reads past
 * its line into a row that follows.
 */
export function scanIoRow(bytes: Uint8Array, view: DataView, start: number, out: Float64Array, base: number, id: Uint32Array): number {
  const end = bytes.length;
  let at = start + IO_PREFIX.length;
  let seen = 0;
  for (;;) {
    if (bytes[at + 1] === 99 && matches(view, at, CONN_KEY_WORDS)) {
      seen |= CONN_BIT;
      at += CONN_KEY.length;
      if (bytes[at] !== QUOTE) return -1;
      // To the closing quote; an escape or a control character (a newline too) is left to JSON.parse.
      let close = at + 1;
      for (let c = bytes[close]!; c !== QUOTE; c = bytes[++close]!) if (close >= end || c < 0x20 || c === BACKSLASH) return -1;
      id[0] = at + 1;
      id[1] = close;
      at = close + 1;
    } else {
      const field = fieldAt(bytes, view, at);
      if (field < 0) return -1;
      seen |= 1 << field;
      at = scanNumber(bytes, at + KEYS[field]!.length, end, out, base + field);
      if (at < 0) return -1;
    }
    const next = bytes[at];
    if (next === COMMA) at++;
    else if (next === CLOSE) break;
    else return -1;
  }
  if ((seen & REQUIRED_BITS) !== REQUIRED_BITS) return -1;
  for (let field = IO_REQUIRED; field < IO_FIELDS.length; field++) if (!(seen & (1 << field))) out[base + field] = Number.NaN;
  return at + 1;
}

/** The io field whose key (with its quotes and colon) starts at `at`, or -1. */
function fieldAt(bytes: Uint8Array, view: DataView, at: number): number {
  // The key's second letter tells the fields apart, but for bytesIn/bytesOut, msgsIn/msgsOut, lastIn/lastActivity.
  let field: number;
  switch (bytes[at + 1]) {
    case 115: // s
      field = 0;
      break;
    case 116: // t
      field = 1;
      break;
    case 98: // b
      field = bytes[at + 6] === 73 ? 2 : 3;
      break;
    case 108: // l
      field = bytes[at + 5] === 65 ? 4 : 7;
      break;
    case 109: // m
      field = bytes[at + 5] === 73 ? 5 : 6;
      break;
    default:
      return -1;
  }
  return matches(view, at, KEY_WORDS[field]!) ? field : -1;
}

/** True when the row at `start` of an ASCII batch (`view` on its bytes) starts with {@link IO_PREFIX}. */
export function startsAsIoRow(view: DataView, start: number): boolean {
  return matches(view, start, IO_PREFIX_WORDS);
}

/** An ASCII text of at least four bytes as little-endian words: its whole ones, then its last four bytes (at `lastAt`). */
interface Words {
  words: Uint32Array;
  lastAt: number;
}

function wordsOf(text: string): Words {
  const view = new DataView(Uint8Array.from(text, (c) => c.charCodeAt(0)).buffer);
  const lastAt = text.length - 4;
  const words = Array.from({ length: Math.ceil(text.length / 4) - 1 }, (_, i) => view.getUint32(4 * i, true));
  return { words: Uint32Array.from([...words, view.getUint32(lastAt, true)]), lastAt };
}

/** True when the bytes at `at` are the text of `expected`. */
function matches(view: DataView, at: number, { words, lastAt }: Words): boolean {
  if (at + lastAt + 4 > view.byteLength) return false;
  const last = words.length - 1;
  for (let i = 0; i < last; i++) if (view.getUint32(at + 4 * i, true) !== words[i]) return false;
  return view.getUint32(at + lastAt, true) === words[last];
}

/** Reads a JSON number at `at` (before `end`) into `out[slot]`: where it ends, or -1 when there is none. */
function scanNumber(bytes: Uint8Array, at: number, end: number, out: Float64Array, slot: number): number {
  let i = at;
  const negative = bytes[i] === MINUS;
  if (negative) i++;
  // Exact while below 2^53; once above it stays above, so it is checked once at the end.
  let mantissa = 0;
  const first = bytes[i]!;
  if (first === ZERO) i++;
  else if (first > ZERO && first <= NINE) {
    for (let c = first; c >= ZERO && c <= NINE && i < end; c = bytes[++i]!) mantissa = mantissa * 10 + (c - ZERO);
  } else return -1;
  let decimals = 0;
  if (bytes[i] === DOT) {
    const from = ++i;
    for (let c = bytes[i]!; c >= ZERO && c <= NINE && i < end; c = bytes[++i]!) mantissa = mantissa * 10 + (c - ZERO);
    decimals = i - from;
    if (decimals === 0) return -1;
  }
  const e = bytes[i];
  const exponent = e === LOWER_E || e === UPPER_E;
  if (exponent) {
    const sign = bytes[++i];
    if (sign === PLUS || sign === MINUS) i++;
    const from = i;
    for (let c = bytes[i]!; c >= ZERO && c <= NINE && i < end; c = bytes[++i]!);
    if (i === from) return -1;
  }
  if (i > end) return -1;
  if (!exponent && mantissa < MAX_MANTISSA && decimals < POW10.length) {
    const value = decimals === 0 ? mantissa : mantissa / POW10[decimals]!;
    out[slot] = negative ? -value : value;
  } else out[slot] = Number(asciiText(bytes, at, i));
  return i;
}
