import { RULE_IDS, type RuleId } from '../../protocol.js';
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
import { unattributedRule } from './unattributed.js';

/** One factory per rule id: a Record, so a new RuleId fails to compile until it has a rule. */
const RULES: Record<RuleId, () => Rule> = {
  'orphan-listener': orphanListenerRule,
  'listener-growth': listenerGrowthRule,
  'connection-growth': connectionGrowthRule,
  'emit-after-close': emitAfterCloseRule,
  'half-open': halfOpenRule,
  'stale-handle': staleHandleRule,
  'double-drop': doubleDropRule,
  'orphan-handle': orphanHandleRule,
  'stuck-teardown': stuckTeardownRule,
  unattributed: unattributedRule,
};

/** Fresh instances of every rule, in the design's order (some keep per-analysis state). */
export function createRules(): Rule[] {
  return RULE_IDS.map((id) => RULES[id]());
}
