import type { ActionModel } from '../../../shared/analysis/types.js';

/** The action a trace request refers to: by id, or the first matching one started after `afterSeq`. */
export function resolveAction(
  actions: readonly ActionModel[],
  ref: { conn: string | null; name: string; afterSeq: number; action?: string },
): ActionModel | undefined {
  if (ref.action) return actions.find((a) => a.id === ref.action);
  return actions.find((a) => a.connection === ref.conn && a.name === ref.name && a.startedSeq > ref.afterSeq);
}
