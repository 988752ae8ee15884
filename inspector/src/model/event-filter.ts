import type { AgentEvent } from '../../../shared/protocol.js';
import { describeEvent, eventCategory, eventConnection } from './event-text.js';

/** What the Events view shows. Empty fields match everything. */
export interface EventFilter {
  /** Exact types (`conn.open`) or categories (`conn`). */
  types?: string[];
  /** Events about this connection, or created while it owned the work. */
  conn?: string;
  /** Case-insensitive substring of the event's one-line description or type. */
  text?: string;
}

export function isEmptyFilter(f: EventFilter): boolean {
  return !f.types?.length && !f.conn && !f.text;
}

/** A predicate for the filter, built once so scanning a million events stays cheap. */
export function eventMatcher(filter: EventFilter): (e: AgentEvent) => boolean {
  const types = filter.types?.length ? new Set(filter.types) : null;
  const conn = filter.conn?.trim() || null;
  const text = filter.text?.trim().toLowerCase() || null;
  return (e) => {
    if (types && !types.has(e.type) && !types.has(eventCategory(e.type))) return false;
    if (conn && eventConnection(e) !== conn) return false;
    if (text && !e.type.includes(text) && !describeEvent(e).toLowerCase().includes(text)) return false;
    return true;
  };
}
