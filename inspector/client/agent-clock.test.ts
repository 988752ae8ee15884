import { describe, expect, it } from 'vitest';
import { AgentClockEstimate } from './agent-clock.js';
import { hello } from './hello.test-util.js';

describe('the agent clock estimate', () => {
  it('follows the hello and each batch, plus the time since; never a snapshot, whose now is its newest event', async () => {
    const clock = new AgentClockEstimate();
    expect(clock.now()).toBeUndefined();
    clock.observe({ type: 'hello', hello: { ...hello('a'), now: 5000 }, kind: 'first' });
    clock.observe({ type: 'snapshot', events: [], now: 1200 });
    await new Promise((resolve) => setTimeout(resolve, 30));
    const afterHello = clock.now()!;
    expect(afterHello).toBeGreaterThanOrEqual(5025);
    expect(afterHello).toBeLessThan(6000);
    clock.observe({ type: 'batch', events: [], now: 9000 });
    expect(clock.now(100)).toBeGreaterThanOrEqual(8900);
    expect(clock.now(100)).toBeLessThan(9000);
  });
});
