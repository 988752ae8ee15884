/**
 * Text someone else chose (an agent's name, an error message from the
 * wire), made safe to print in one log line: control characters, line and
 * paragraph separators and bidirectional overrides become visible `\uXXXX`
 * escapes, so an ANSI sequence cannot restyle a terminal and a newline
 * cannot forge the next log line; long text is cut.
 */
export function printable(text: string, maxLength = 200): string {
  let out = '';
  for (const char of text) {
    if (out.length >= maxLength) return `${out.slice(0, maxLength)}…`;
    out += unprintable(char.charCodeAt(0)) ? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}` : char;
  }
  return out.length > maxLength ? `${out.slice(0, maxLength)}…` : out;
}

function unprintable(code: number): boolean {
  return code <= 0x1f || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029 || (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069);
}
