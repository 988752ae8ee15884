import type { Logger } from './types.js';

/**
 * The agent's logger: the app's own (guarded, so a throwing logger never
 * reaches the host), a silent one for `logger: false`, or by default the
 * console — at most once per message, since a transport problem tends to
 * repeat (a hub that stays down, an inspector that keeps sending garbage) and
 * the host's log must not fill up with it.
 */
export function createLogger(option: Logger | false | undefined): Logger {
  if (option === false) return { warn() {}, error() {}, debug() {} };
  if (option) return guardLogger(option);
  return onceConsoleLogger();
}

function onceConsoleLogger(): Logger {
  const seen = new Set<string>();
  const once = (write: (...args: unknown[]) => void) => (message: string, detail?: unknown) => {
    if (seen.has(message)) return;
    seen.add(message);
    try {
      if (detail === undefined) write(`[bridgescope] ${message}`);
      else write(`[bridgescope] ${message}`, detail);
    } catch {
      // A broken console must not break the host.
    }
  };
  return { warn: once(console.warn), error: once(console.error), debug() {} };
}

function guardLogger(logger: Logger): Logger {
  const guard =
    (method: 'debug' | 'warn' | 'error') =>
    (message: string, detail?: unknown): void => {
      try {
        logger[method]?.(message, detail);
      } catch {
        // The app's logger threw: nothing sensible left to report to.
      }
    };
  return { debug: guard('debug'), warn: guard('warn'), error: guard('error') };
}
