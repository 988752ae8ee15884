import { describe, expect, it } from 'vitest';
import { parseRequestTarget } from './request-target.js';

describe('parseRequestTarget', () => {
  it('reads the path and query of a plain target', () => {
    const target = parseRequestTarget('/target/a%40b?token=t&since=3');
    expect(target?.pathname).toBe('/target/a%40b');
    expect(target?.searchParams.get('since')).toBe('3');
  });

  it.each(['//', '//evil.com/status', '///x', 'http://127.0.0.1/status', '*', '', 'status', undefined])('refuses %j without throwing', (target) => {
    expect(parseRequestTarget(target)).toBeUndefined();
  });
});
