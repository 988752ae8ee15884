import { describe, expect, it } from 'vitest';
import { StreamBuilder } from '../fixtures/stream-builder.js';

describe('stuck-teardown', () => {
  it('fires when a disconnect settles stuck, and resolves when the connection closes', () => {
    const s = new StreamBuilder();
    s.open('c1', { label: 'unity-client' });
    const startSeq = s.act('a1', 'c1', 'disconnect', 2000);
    s.wait(2000);
    const settleSeq = s.settle('a1', 'c1', 'disconnect', {
      verdict: 'stuck',
      duration: 2000,
      state: 'open',
      remaining: { listeners: 3, handles: 1 },
    });
    const open = s.analyze();
    const [finding] = open.findings();
    expect(finding).toMatchObject({
      id: 'stuck-teardown:a1',
      rule: 'stuck-teardown',
      severity: 'error',
      subjects: ['a1', 'c1'],
      evidence: [startSeq, settleSeq],
      openedSeq: settleSeq,
      openedT: s.t,
    });
    expect(finding!.message).toContain('"disconnect" action (run from the inspector) on connection c1 (label "unity-client"');
    expect(finding!.message).toContain('still open, still owning 3 listeners and 1 handle');
    expect(open.model.actions[0]).toMatchObject({ id: 'a1', verdict: 'stuck', settledSeq: settleSeq });

    s.wait(100);
    const closeSeq = s.close('c1', 'destroy');
    const closed = s.analyze();
    expect(closed.findings()).toEqual([]);
    expect(closed.findings({ includeResolved: true })).toMatchObject([{ id: 'stuck-teardown:a1', resolvedSeq: closeSeq }]);
  });

  it('does not fire for a clean or failed teardown', () => {
    const s = new StreamBuilder();
    s.open('c1');
    s.act('a1', 'c1', 'close');
    s.close('c1', 'local-end');
    s.settle('a1', 'c1', 'close', { verdict: 'clean', duration: 3 });
    s.open('c2');
    s.act('a2', 'c2', 'explode');
    s.settle('a2', 'c2', 'explode', { verdict: 'failed', error: { message: 'boom' } });
    expect(s.analyze({}, s.t + 60_000).findings({ includeResolved: true })).toEqual([]);
  });
});
