import { describe, expect, it } from 'vitest';
import { StreamBuilder } from '../fixtures/stream-builder.js';

function leakyHandles(): { s: StreamBuilder; storeSeq: number; closeSeq: number } {
  const s = new StreamBuilder();
  s.open('c1', { client: 'app' });
  s.store('rooms', 1, 'room', 'c1');
  const storeSeq = s.store('rooms', 2, 'track', 'c1', 1);
  s.drop('rooms', 1, true, 'c1');
  const closeSeq = s.close('c1', 'destroy');
  return { s, storeSeq, closeSeq };
}

describe('orphan-handle', () => {
  it('fires for a live handle once the grace period after its owner closed has passed', () => {
    const { s, storeSeq, closeSeq } = leakyHandles();
    const closeT = s.t;
    expect(s.analyze({ handleGrace: 1000 }, closeT + 999).findings()).toEqual([]);
    const [finding] = s.analyze({ handleGrace: 1000 }, closeT + 1000).findings();
    expect(finding).toMatchObject({
      id: 'orphan-handle:rooms:2',
      rule: 'orphan-handle',
      severity: 'warning',
      subjects: ['rooms:2', 'c1'],
      evidence: [storeSeq, closeSeq],
      openedSeq: closeSeq,
      openedT: closeT + 1000,
    });
    expect(finding!.message).toContain('Handle 2 of type "track" in table "rooms" (child of rooms:1)');
    expect(finding!.message).toContain('connection c1 (client "app"');
    expect(finding!.message).toContain('drop');
  });

  it('does not fire when the connection drops its handles within the grace period', () => {
    const { s } = leakyHandles();
    s.wait(100);
    s.drop('rooms', 2, true, 'c1');
    expect(s.analyze({}, s.t + 60_000).findings({ includeResolved: true })).toEqual([]);
  });

  it('resolves when the handle is dropped late, or taken', () => {
    const { s } = leakyHandles();
    s.wait(5000);
    const dropSeq = s.drop('rooms', 2, true);
    expect(s.analyze().findings({ includeResolved: true })).toMatchObject([{ id: 'orphan-handle:rooms:2', resolvedSeq: dropSeq }]);

    const taken = leakyHandles().s;
    taken.wait(5000);
    const takeSeq = taken.take('rooms', 2, true);
    expect(taken.analyze().findings({ includeResolved: true })).toMatchObject([{ resolvedSeq: takeSeq }]);
  });
});
