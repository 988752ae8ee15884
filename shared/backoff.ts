/** Reconnect delays: 250 ms doubling to a 5 s cap, jittered so that many inspectors do not retry in step. */
export const BACKOFF_MIN = 250;
export const BACKOFF_MAX = 5000;

/** Delay before reconnect attempt `attempt` (1-based); `random` in [0, 1). */
export function backoffDelay(attempt: number, random: number = Math.random()): number {
  const base = Math.min(BACKOFF_MAX, BACKOFF_MIN * 2 ** Math.max(0, attempt - 1));
  // Between half and all of the base: spreads retries, never waits past the cap.
  return Math.round(base / 2 + (base / 2) * random);
}
