// Imported: the global `performance` is a lazy accessor, a getter call on every read.
import { performance } from 'node:perf_hooks';

/**
 * The agent's time: ms since the agent started, monotonic, rounded to
 * microseconds (keeps frames small). `recent` is the last reading, kept
 * current by every stamped event and by the probes' I/O timer: per-chunk
 * probes read it instead of the clock, which costs more than the rest of
 * their work together.
 */
export class AgentClock {
  private readonly start = performance.now();
  /** The last value `now()` returned: never ahead of the real time. */
  recent = 0;

  readonly now = (): number => (this.recent = Math.round((performance.now() - this.start) * 1000) / 1000);
}
