import { describe, expect, it } from 'vitest';
import { StreamBuilder } from '../fixtures/stream-builder.js';

describe('unattributed', () => {
  it('says once that detection is degraded, and follows every connection the agent reports', () => {
    const s = new StreamBuilder();
    s.watch('e1', 'bus');
    s.open('c1');
    s.add('l1', 'e1', 'tick', null);
    const first = s.push({ type: 'attribution.lost', conn: 'c1', subject: 'l1', reason: "attribution is 'sync': work that continued after an await has no owner" });
    s.open('c2');
    s.add('l2', 'e1', 'tick', null);
    s.push({ type: 'attribution.lost', conn: 'c2', subject: 'l2', reason: 'same' });
    const a = s.analyze();
    const findings = a.findings();
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ id: 'unattributed:attribution', severity: 'warning', openedSeq: first, subjects: ['c1', 'c2', 'l1', 'l2'] });
    expect(findings[0]!.title).toContain('Leak detection is degraded');
    expect(findings[0]!.message).toContain("attribution is 'sync'");
    expect(findings[0]!.message).toContain('connections c1, c2');
    expect(a.model.attribution).toEqual({ lost: 2, connections: ['c1', 'c2'] });
  });
});
