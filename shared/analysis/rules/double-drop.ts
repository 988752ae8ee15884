import { reportMisuse } from './handle-misuse.js';
import type { Rule } from './rule.js';

/**
 * `double-drop`: a drop of a handle id that was not live (dropped already,
 * or never stored). One finding per handle id; it never resolves.
 */
export function doubleDropRule(): Rule {
  return {
    id: 'double-drop',
    handleMisused(ctx, e, handle) {
      if (e.type !== 'handle.drop') return;
      reportMisuse(ctx, e, handle, {
        rule: 'double-drop',
        severity: 'warning',
        verb: 'dropped',
        title: `Handle ${e.handle} in ${e.table} dropped when it was not live`,
        fix:
          'Two parties believe they own this handle (e.g. both the client and the connection cleanup drop it). ' +
          'Give the drop a single owner, or check has(id) before dropping when both paths are legitimate.',
      });
    },
  };
}
