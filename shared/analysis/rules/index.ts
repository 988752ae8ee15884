import { connectionGrowthRule } from './connection-growth.js';
import { doubleDropRule } from './double-drop.js';
import { emitAfterCloseRule } from './emit-after-close.js';
import { halfOpenRule } from './half-open.js';
import { listenerGrowthRule } from './listener-growth.js';
import { orphanHandleRule } from './orphan-handle.js';
import { orphanListenerRule } from './orphan-listener.js';
import type { Rule } from './rule.js';
import { staleHandleRule } from './stale-handle.js';
import { stuckTeardownRule } from './stuck-teardown.js';

/** Fresh instances of every rule (some keep per-analysis state). */
export function createRules(): Rule[] {
  return [
    orphanListenerRule(),
    listenerGrowthRule(),
    connectionGrowthRule(),
    emitAfterCloseRule(),
    halfOpenRule(),
    staleHandleRule(),
    doubleDropRule(),
    orphanHandleRule(),
    stuckTeardownRule(),
  ];
}
