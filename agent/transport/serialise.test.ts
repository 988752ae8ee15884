import { describe, expect, it } from 'vitest';
import type { Agent, AgentOptions } from '../types.js';
import { type Client, inspectAgent, testAgent } from './harness.test-util.js';

/** A ready agent without creation stacks (they would only lengthen the events compared here). */
async function agent(options: AgentOptions = {}): Promise<Agent> {
  const a = testAgent({ captureStacks: false, ...options });
  await a.ready;
  return a;
}

/** Seqs the client received or was told it will not receive, checked for holes. */
function accountedFor(c: Client, upTo: number): { received: number[]; gapped: number } {
  const received = c.events().map((e) => e.seq);
  let gapped = 0;
  const seen = new Set(received);
  for (const gap of c.of('gap')) {
    gapped += gap.count;
    for (let s = gap.from; s <= gap.to; s++) seen.add(s);
  }
  for (let s = 1; s <= upTo; s++) if (!seen.has(s)) throw new Error(`seq ${s} neither received nor announced by a gap`);
  return { received, gapped };
}

const throwingLabel = {
  toJSON() {
    throw new Error('no JSON for you');
  },
};

describe('values JSON cannot carry', () => {
  it('a BigInt handle id and a label whose toJSON throws arrive as readable stand-ins, with every other event of the batch', async () => {
    const a = await agent();
    const c = await inspectAgent(a);
    const ffi = a.mirrorHandles('ffi');
    a.mark('before');
    ffi.stored(2n ** 63n + 5n, { type: 'room' });
    a.trackConnection({}, { label: throwingLabel as unknown as string, client: (2n ** 64n) as unknown as string });
    a.mark('after');
    await c.until(() => c.events().some((e) => e.type === 'mark' && e.label === 'after'), 'the mark after');

    const types = c.events().map((e) => e.type);
    expect(types).toEqual(['handle.table', 'mark', 'handle.store', 'conn.open', 'mark']);
    expect(c.events().find((e) => e.type === 'handle.store')).toMatchObject({ handle: '9223372036854775813', handleType: 'room' });
    expect(c.events().find((e) => e.type === 'conn.open')).toMatchObject({ label: '[unserialisable: no JSON for you]', client: '18446744073709551616' });
    expect(c.of('gap')).toEqual([]);
    accountedFor(c, c.events().at(-1)!.seq);
  });

  it('an inspector attaching after the ring wrapped gets a snapshot that carries them, and a gap that counts only what it lacks', async () => {
    const a = await agent({ bufferSize: 10 });
    const ffi = a.mirrorHandles('ffi');
    ffi.stored(12345678901234567890n);
    a.trackConnection({}, { label: throwingLabel as unknown as string });
    for (let i = 0; i < 30; i++) a.mark(`filler ${i}`);
    const c = await inspectAgent(a);
    await c.until(() => c.events().filter((e) => e.type === 'mark').length === 10, 'the ring');

    const snapshot = c.of('snapshot')[0]!.events;
    expect(snapshot.map((e) => e.type)).toEqual(['handle.table', 'handle.store', 'conn.open']);
    expect(snapshot[1]).toMatchObject({ handle: '12345678901234567890' });
    const [gap] = c.of('gap');
    // 33 events before the ring's 10: the snapshot carries 3 of them, the gap counts the 20 other marks.
    expect(gap).toMatchObject({ from: 1, to: 23, count: 20, reason: 'evicted' });
    accountedFor(c, 33);
  });
});
