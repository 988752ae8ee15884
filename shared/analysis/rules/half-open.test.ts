import { describe, expect, it } from 'vitest';
import { StreamBuilder } from '../fixtures/stream-builder.js';

describe('half-open', () => {
  it('fires when the peer ended and we did not close within the grace period', () => {
    const s = new StreamBuilder();
    s.watch('e1', 'manager');
    s.open('c1', { peer: '10.0.2.2:40000' });
    s.add('l1', 'e1', 'message', 'c1');
    const endSeq = s.peerEnd('c1');
    const endT = s.t;
    expect(s.analyze({ halfOpenGrace: 2000 }, endT + 1999).findings()).toEqual([]);
    const a = s.analyze({ halfOpenGrace: 2000 }, endT + 2000);
    expect(a.model.connections[0]!.state).toBe('half-open');
    const [finding] = a.findings();
    expect(finding).toMatchObject({
      id: 'half-open:c1',
      severity: 'warning',
      subjects: ['c1'],
      evidence: [endSeq],
      openedSeq: endSeq,
      openedT: endT + 2000,
    });
    expect(finding!.message).toContain('connection c1 (peer 10.0.2.2:40000) sent EOF 2 s ago');
    expect(finding!.message).toContain('1 listener and 0 handles');
  });

  it('does not fire when we close within the grace period', () => {
    const s = new StreamBuilder();
    s.open('c1');
    s.peerEnd('c1');
    s.wait(1500);
    s.close('c1', 'peer-end');
    expect(s.analyze({ halfOpenGrace: 2000 }, s.t + 60_000).findings({ includeResolved: true })).toEqual([]);
  });

  it('does not fire when our side ends within the grace period (closing)', () => {
    const s = new StreamBuilder();
    s.open('c1');
    s.peerEnd('c1');
    s.localEnd('c1');
    const a = s.analyze({}, s.t + 60_000);
    expect(a.model.connections[0]!.state).toBe('closing');
    expect(a.findings({ includeResolved: true })).toEqual([]);
  });

  it('resolves when the connection finally closes', () => {
    const s = new StreamBuilder();
    s.open('c1');
    s.peerEnd('c1');
    s.wait(10_000);
    const closeSeq = s.close('c1', 'peer-end');
    const a = s.analyze();
    expect(a.findings()).toEqual([]);
    expect(a.findings({ includeResolved: true })).toMatchObject([{ id: 'half-open:c1', resolvedSeq: closeSeq, resolvedT: s.t }]);
  });
});
