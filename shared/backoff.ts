/**
 * Reconnect delays: exponential from `min` to `max`, each multiplied by a
 * random factor in [`spread[0]`, `spread[1]`) so that many peers do not retry
 * in step.
 */
export interface BackoffPolicy {
  min: number;
  max: number;
  spread: readonly [low: number, high: number];
}

/** Inspectors and the hub's outbound links: 250 ms doubling to a 5 s cap, between half and all of it (never past the cap). */
export const INSPECTOR_BACKOFF: BackoffPolicy = { min: 250, max: 5000, spread: [0.5, 1] };

/** Delay before reconnect attempt `attempt` (1-based); `random` in [0, 1). */
export function backoffDelay(attempt: number, random: number = Math.random(), policy: BackoffPolicy = INSPECTOR_BACKOFF): number {
  const base = Math.min(policy.max, policy.min * 2 ** Math.max(0, attempt - 1));
  const [low, high] = policy.spread;
  return Math.round(base * (low + (high - low) * random));
}
