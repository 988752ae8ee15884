import { describe, expect, it } from 'vitest';
import { StreamBuilder } from '../fixtures/stream-builder.js';

/** The handle race: the client drops the room right after "disconnect"; the server's async task looks it up later. */
function handleRace(fixed: boolean): { s: StreamBuilder; dropSeq: number } {
  const s = new StreamBuilder();
  s.open('c1', { client: 'ios-app' });
  s.store('rooms', 7, 'room', 'c1');
  if (fixed) s.retrieve('rooms', 7, true, 'c1');
  const dropSeq = s.drop('rooms', 7, true, 'c1');
  if (!fixed) s.retrieve('rooms', 7, false, 'c1', ['at leaveRoomTask (/app/rooms.js:88:20)']);
  return { s, dropSeq };
}

describe('stale-handle', () => {
  it('fires on a retrieve after the handle was dropped (use-after-drop)', () => {
    const { s, dropSeq } = handleRace(false);
    const accessSeq = s.events.length;
    const a = s.analyze();
    const [finding] = a.findings();
    expect(finding).toMatchObject({
      id: 'stale-handle:rooms:7',
      rule: 'stale-handle',
      severity: 'error',
      subjects: ['rooms:7', 'c1'],
      evidence: [dropSeq, accessSeq],
      openedSeq: accessSeq,
    });
    expect(finding!.message).toContain('Handle 7 of type "room" in table "rooms" was retrieved from leaveRoomTask (/app/rooms.js:88:20)');
    expect(finding!.message).toContain(`after it had been dropped (seq ${dropSeq})`);
    expect(finding!.message).toContain('Resolve the handle before starting the async work');
    expect(a.model.handles[0]!.staleAccesses).toEqual([accessSeq]);
  });

  it('does not fire when the handle is resolved before it is dropped (the fix)', () => {
    const { s } = handleRace(true);
    expect(s.analyze({}, s.t + 60_000).findings({ includeResolved: true })).toEqual([]);
  });

  it('reports one finding per handle id, adding later accesses as evidence, and never resolves', () => {
    const { s, dropSeq } = handleRace(false);
    const second = s.take('rooms', 7, false);
    s.store('rooms', 8, 'room', 'c1');
    s.close('c1');
    const findings = s.analyze({}, s.t + 60_000).findings({ rule: 'stale-handle', includeResolved: true });
    expect(findings).toHaveLength(1);
    expect(findings[0]!.evidence).toEqual([dropSeq, dropSeq + 1, second]);
    expect(findings[0]!.resolvedSeq).toBeUndefined();
  });

  it('reports an id that was never stored, and says so', () => {
    const s = new StreamBuilder();
    const seq = s.retrieve('rooms', 'ghost', false);
    const [finding] = s.analyze().findings();
    expect(finding).toMatchObject({ id: 'stale-handle:rooms:ghost', evidence: [seq], subjects: ['rooms:ghost'] });
    expect(finding!.message).toContain('never stored');
  });
});
