import { reportMisuse } from './handle-misuse.js';
import type { Rule } from './rule.js';

/**
 * `stale-handle`: a retrieve or take of a handle id that is not live —
 * usually use-after-drop (also reported for ids never stored). One finding
 * per handle id; it never resolves.
 */
export function staleHandleRule(): Rule {
  return {
    id: 'stale-handle',
    handleMisused(ctx, e, handle) {
      if (e.type === 'handle.drop') return;
      const verb = e.type === 'handle.take' ? 'taken' : 'retrieved';
      reportMisuse(ctx, e, handle, {
        rule: 'stale-handle',
        severity: 'error',
        verb,
        title: `Handle ${e.handle} in ${e.table} ${verb} after it was gone`,
        fix:
          'This is a use-after-drop race: work that outlives the request (an async task) looked the handle up ' +
          'after the client dropped it — code that unwraps the lookup aborts the process here. Resolve the ' +
          'handle before starting the async work, and treat a missing handle as an error, not a crash.',
      });
    },
  };
}
