import { describe, expect, it } from 'vitest';
import { printable } from './printable.js';

describe('printable', () => {
  it('escapes what could restyle a terminal or start a new log line, and keeps the rest', () => {
    expect(printable('\u001b[31mred\u001b[0m')).toBe('\\u001b[31mred\\u001b[0m');
    expect(printable('a\nwarning: forged\r\u2028b')).toBe('a\\u000awarning: forged\\u000d\\u2028b');
    expect(printable('\u202eevil')).toBe('\\u202eevil');
    expect(printable('chat-backend@android ünïcødé 👋')).toBe('chat-backend@android ünïcødé 👋');
  });

  it('cuts long text', () => {
    expect(printable('x'.repeat(500), 10)).toBe(`${'x'.repeat(10)}…`);
  });
});
