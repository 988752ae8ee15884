import { describe, expect, it } from 'vitest';
import { StreamBuilder } from '../fixtures/stream-builder.js';

function leakyBackend(): { s: StreamBuilder; addSeq: number; closeSeq: number } {
  const s = new StreamBuilder();
  s.watch('e1', 'manager');
  s.open('c1', { label: 'room', client: 'app', peer: '127.0.0.1:5001' });
  const addSeq = s.add('l1', 'e1', 'message', 'c1', ['at subscribe (/app/bridge.js:12:9)', 'at onData (/app/bridge.js:30:3)']);
  s.peerEnd('c1');
  const closeSeq = s.close('c1', 'peer-end');
  return { s, addSeq, closeSeq };
}

describe('orphan-listener', () => {
  it('tells when its grace period next expires, and nothing once it has', () => {
    const { s } = leakyBackend();
    const closeT = s.t;
    const a = s.analyze({ orphanGrace: 1000 }, closeT);
    expect(a.nextDeadline()).toBe(closeT + 1000);
    a.advance(closeT + 1000);
    expect(a.findings({ rule: 'orphan-listener' })).toHaveLength(1);
    // The half-open grace started at peer-end is still queued; it is moot now that c1 closed.
    a.advance(closeT + 5000);
    expect(a.nextDeadline()).toBeUndefined();
  });

  it('fires once the grace period after the owner closed has passed', () => {
    const { s, addSeq, closeSeq } = leakyBackend();
    const closeT = s.t;
    const before = s.analyze({ orphanGrace: 1000 }, closeT + 999);
    expect(before.findings()).toEqual([]);

    const a = s.analyze({ orphanGrace: 1000 }, closeT + 1000);
    const [finding] = a.findings();
    expect(finding).toMatchObject({
      id: 'orphan-listener:l1',
      rule: 'orphan-listener',
      severity: 'warning',
      subjects: ['l1', 'c1'],
      evidence: [addSeq, closeSeq],
      openedSeq: closeSeq,
      openedT: closeT + 1000,
    });
    expect(finding!.message).toContain('"message" listener on manager');
    expect(finding!.message).toContain('connection c1 (label "room", client "app", peer 127.0.0.1:5001)');
    expect(finding!.message).toContain('subscribe (/app/bridge.js:12:9)');
    expect(finding!.message).toContain('1 s after');
    expect(finding!.message).toMatch(/removeListener|off/);
  });

  it('also fires when the next event arrives after the deadline, without advance', () => {
    const { s } = leakyBackend();
    s.wait(5000);
    s.mark('later');
    expect(s.analyze().findings().map((f) => f.id)).toEqual(['orphan-listener:l1']);
  });

  it('does not fire when the listener is removed within the grace period', () => {
    const { s } = leakyBackend();
    s.wait(500);
    s.remove('l1', 'e1', 'message');
    const a = s.analyze({ orphanGrace: 1000 }, s.t + 60_000);
    expect(a.findings({ includeResolved: true })).toEqual([]);
  });

  it('does not fire for listeners of connections that are still open', () => {
    const s = new StreamBuilder();
    s.watch('e1', 'manager');
    s.open('c1');
    s.add('l1', 'e1', 'message', 'c1');
    expect(s.analyze({}, s.t + 60_000).findings()).toEqual([]);
  });

  it('resolves when the listener is finally removed, and stays in history', () => {
    const { s } = leakyBackend();
    s.wait(3000);
    const removeSeq = s.remove('l1', 'e1', 'message');
    const a = s.analyze();
    expect(a.findings()).toEqual([]);
    const [resolved] = a.findings({ includeResolved: true });
    expect(resolved).toMatchObject({ id: 'orphan-listener:l1', resolvedSeq: removeSeq, resolvedT: s.t });
  });

  it('flags a listener added for a connection that had already closed', () => {
    const s = new StreamBuilder();
    s.watch('e1', 'manager');
    s.open('c1');
    const closeSeq = s.close('c1', 'local-end');
    const closeT = s.t;
    s.wait(200);
    const addSeq = s.add('late', 'e1', 'status', 'c1');
    const a = s.analyze({ orphanGrace: 1000 }, closeT + 1000);
    expect(a.findings()).toMatchObject([{ id: 'orphan-listener:late', evidence: [closeSeq, addSeq], openedSeq: addSeq, openedT: closeT + 1000 }]);
    expect(a.findings()[0]!.message).toContain('after the connection had already closed');
  });
});
