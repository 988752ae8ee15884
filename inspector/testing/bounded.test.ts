import { describe, expect, it } from 'vitest';
import type { CountsSnapshot } from '../../shared/analysis/types.js';
import type { Finding } from '../../shared/protocol.js';
import { boundedness, isBounded } from './bounded.js';
import { summarize, toJUnit } from './report.js';

describe('isBounded', () => {
  it('allows a warm-up in the first cycle but not a series that keeps climbing', () => {
    expect(isBounded([1, 2, 3, 4, 5])).toBe(false);
    expect(isBounded([1, 2, 2, 2, 2])).toBe(true);
    expect(isBounded([3, 3, 3])).toBe(true);
    expect(isBounded([3, 2, 1])).toBe(true);
    expect(isBounded([1, 2])).toBe(false);
    expect(isBounded([4])).toBe(true);
  });

  it('judges each emitter and handle type, counting a missing key as 0', () => {
    const counts: CountsSnapshot[] = [
      { connections: 1, listeners: { manager: 3 }, handles: {} },
      { connections: 1, listeners: { manager: 3, rooms: 1 }, handles: { 'ffi/room': 1 } },
      { connections: 1, listeners: { manager: 3, rooms: 2 }, handles: { 'ffi/room': 1 } },
    ];
    expect(boundedness(counts)).toEqual({ connections: true, listeners: { manager: true, rooms: false }, handles: { 'ffi/room': true } });
  });
});

describe('reports', () => {
  const finding: Finding = {
    id: 'stale-handle:rooms:7',
    rule: 'stale-handle',
    severity: 'error',
    title: 'Handle 7 used after it was dropped',
    message: 'retrieve(7) <after> drop & "dispose"',
    subjects: ['rooms:7'],
    evidence: [3, 9],
    openedSeq: 9,
    openedT: 12,
  };

  it('escapes findings in JUnit XML and skips ignored rules', () => {
    const xml = toJUnit([finding], { ignored: ['half-open'] });
    expect(xml).toContain('failures="1" skipped="1"');
    expect(xml).toContain('retrieve(7) &lt;after&gt; drop &amp; &quot;dispose&quot;');
    expect(xml).toMatch(/name="half-open">\s*<skipped message="ignored"\/>/);
    expect(xml).not.toContain('<after>');
  });

  it('summarizes by severity', () => {
    expect(summarize([])).toBe('no open findings');
    expect(summarize([finding, { ...finding, severity: 'warning' }, finding])).toBe('3 open findings (2 errors, 1 warning)');
  });
});
