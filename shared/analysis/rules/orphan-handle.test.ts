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

describe('orphan-handle: one finding per abandoned root', () => {
  function rooms(): { s: StreamBuilder; closeSeq: number } {
    const s = new StreamBuilder();
    s.open('c1', { client: 'app' });
    for (const room of [1, 4, 7]) {
      s.store('rooms', room, 'room', 'c1');
      s.store('rooms', room + 1, 'track', 'c1', room);
      s.store('rooms', room + 2, 'track', 'c1', room);
    }
    const closeSeq = s.close('c1', 'destroy');
    return { s, closeSeq };
  }

  it('reports each room once with its tracks counted, not every handle', () => {
    const { s } = rooms();
    const findings = s.analyze({}, s.t + 1000).findings();
    expect(findings.map((f) => f.id)).toEqual(['orphan-handle:rooms:1', 'orphan-handle:rooms:4', 'orphan-handle:rooms:7']);
    expect(findings[0]!.subjects).toEqual(['rooms:1', 'rooms:2', 'rooms:3', 'c1']);
    expect(findings[0]!.title).toBe('"room" handle 1 in table rooms outlived its connection c1 (+2)');
    expect(findings[0]!.message).toContain('Handle 1 of type "room" in table "rooms" and 2 descendants it holds (2 "track") are still live');
  });

  it('a dropped child lowers the count; dropping the root resolves it; a taken root leaves its children as roots', () => {
    const { s } = rooms();
    s.wait(2000);
    s.drop('rooms', 2, true);
    const takeSeq = s.take('rooms', 4, true);
    // A real table cascades: children first, then the room.
    for (const handle of [8, 9, 7]) s.drop('rooms', handle, true);
    const a = s.analyze();
    const open = a.findings();
    expect(open.find((f) => f.id === 'orphan-handle:rooms:1')!.subjects).toEqual(['rooms:1', 'rooms:3', 'c1']);
    expect(open.find((f) => f.id === 'orphan-handle:rooms:1')!.message).toContain('and 1 descendant it holds (1 "track")');
    expect(open.map((f) => f.id)).toEqual(['orphan-handle:rooms:1', 'orphan-handle:rooms:5', 'orphan-handle:rooms:6']);
    expect(open.find((f) => f.id === 'orphan-handle:rooms:5')).toMatchObject({ openedSeq: takeSeq, subjects: ['rooms:5', 'c1'] });
    expect(a.findings({ includeResolved: true }).filter((f) => f.resolvedSeq !== undefined).map((f) => f.id)).toEqual([
      'orphan-handle:rooms:4',
      'orphan-handle:rooms:7',
    ]);
  });
});
