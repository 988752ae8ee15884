import { describe, expect, it } from 'vitest';
import { StreamBuilder } from '../fixtures/stream-builder.js';

describe('double-drop', () => {
  it('fires on a drop of a handle that was already dropped', () => {
    const s = new StreamBuilder();
    s.open('c1');
    s.store('rooms', 1, 'room', 'c1');
    const firstDrop = s.drop('rooms', 1, true, 'c1');
    s.wait(40);
    const secondDrop = s.drop('rooms', 1, false, 'c1');
    const a = s.analyze({}, s.t + 60_000);
    const [finding] = a.findings();
    expect(finding).toMatchObject({
      id: 'double-drop:rooms:1',
      rule: 'double-drop',
      severity: 'warning',
      evidence: [firstDrop, secondDrop],
      openedSeq: secondDrop,
    });
    expect(finding!.message).toContain('Handle 1 of type "room" in table "rooms" was dropped on behalf of connection c1 41 ms after');
    expect(finding!.message).toContain('single owner');
    // A double drop is not a stale access.
    expect(a.findings({ rule: 'stale-handle' })).toEqual([]);
    expect(a.model.handles[0]!.staleAccesses).toEqual([secondDrop]);
  });

  it('fires on a drop of an id that never existed, and says so', () => {
    const s = new StreamBuilder();
    s.drop('rooms', 99, false);
    const [finding] = s.analyze().findings();
    expect(finding!.id).toBe('double-drop:rooms:99');
    expect(finding!.message).toContain('never stored');
  });

  it('does not fire for a single drop per stored handle, nor for cascades', () => {
    const s = new StreamBuilder();
    s.store('rooms', 1, 'room', null);
    s.store('rooms', 2, 'track', null, 1);
    s.drop('rooms', 1, true);
    s.push({ type: 'handle.drop', table: 'rooms', handle: 2, ok: true, cascadeFrom: 1, owner: null });
    expect(s.analyze({}, s.t + 60_000).findings({ includeResolved: true })).toEqual([]);
  });

  it('reports one finding per id and never resolves', () => {
    const s = new StreamBuilder();
    s.store('rooms', 1, 'room', null);
    s.drop('rooms', 1, true);
    s.drop('rooms', 1, false);
    const third = s.drop('rooms', 1, false);
    const findings = s.analyze({}, s.t + 60_000).findings({ includeResolved: true });
    expect(findings).toHaveLength(1);
    expect(findings[0]!.evidence).toContain(third);
    expect(findings[0]!.resolvedSeq).toBeUndefined();
  });
});
