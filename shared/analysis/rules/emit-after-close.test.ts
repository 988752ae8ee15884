import { describe, expect, it } from 'vitest';
import { StreamBuilder } from '../fixtures/stream-builder.js';

describe('emit-after-close', () => {
  it('fires on a write after close, one finding per connection with every write as evidence', () => {
    const s = new StreamBuilder();
    s.open('c1', { client: 'app' });
    s.close('c1', 'peer-end');
    // A write already on its way when the peer left is a race, not a leak.
    s.wait(250);
    s.writeAfterClose('c1', 'closed');
    s.wait(750);
    const first = s.writeAfterClose('c1', 'closed', ['at broadcast (/app/manager.js:22:11)']);
    const second = s.writeAfterClose('c1', 'closed');
    s.wait(5000);
    s.mark('much later');
    const a = s.analyze();
    const findings = a.findings();
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      id: 'emit-after-close:c1',
      severity: 'error',
      subjects: ['c1'],
      evidence: [first, second],
      openedSeq: first,
    });
    expect(findings[0]!.resolvedSeq).toBeUndefined();
    expect(findings[0]!.message).toContain('42 bytes to connection c1 (client "app"');
    expect(findings[0]!.message).toContain('1 s after it closed');
    expect(findings[0]!.message).toContain('broadcast (/app/manager.js:22:11)');
    expect(a.model.connections[0]!.deadWrites).toBe(3);
  });

  it('names the peer having ended', () => {
    const s = new StreamBuilder();
    s.open('c1');
    s.peerEnd('c1');
    s.wait(1000);
    s.writeAfterClose('c1', 'peer-ended');
    expect(s.analyze().findings()[0]!.message).toContain('after its peer ended');
  });

  it('does not fire for a write that raced the teardown (destroyed, its close not yet out), and names the app frame, not a built-in', () => {
    const s = new StreamBuilder();
    s.open('c1');
    s.writeAfterClose('c1', 'closed');
    s.close('c1', 'peer-end');
    s.wait(1000);
    const later = s.writeAfterClose('c1', 'closed', ['at new Promise (<anonymous>)', 'at Writer.write (/app/node_modules/rpc/writer.js:9:3)', 'at forward (/app/server.js:20:5)']);
    const [finding] = s.analyze().findings();
    expect(finding).toMatchObject({ id: 'emit-after-close:c1', openedSeq: later });
    expect(finding!.message).toContain('Written at forward (/app/server.js:20:5)');
  });

  it('fires at once on a write after our own end(): no peer to race with', () => {
    const s = new StreamBuilder();
    s.open('c1');
    s.localEnd('c1');
    const write = s.writeAfterClose('c1', 'local-ended');
    expect(s.analyze().findings()).toMatchObject([{ id: 'emit-after-close:c1', openedSeq: write }]);
  });

  it('does not fire for writes while the connection is open', () => {
    const s = new StreamBuilder();
    s.open('c1');
    s.io('c1', s.t, 4096);
    s.close('c1', 'local-end');
    expect(s.analyze({}, s.t + 60_000).findings({ includeResolved: true })).toEqual([]);
  });
});
