import type { AgentEvent, AgentMessage, ErrorCode, ProtocolError } from './protocol.js';

/**
 * Runtime validation of messages from agents (which may be written in any
 * language). A bad frame yields a {@link ProtocolError} with a stable code,
 * never an exception. Used by the hub and by every AgentLink. Requests from
 * UIs go through the agent's own validator (shared/node/request-frame.ts).
 */
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: ProtocolError };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isRequestId = (v: unknown): v is string | number => isString(v) || isNumber(v);

function fail<T>(code: ErrorCode, message: string): Parsed<T> {
  return { ok: false, error: { code, message } };
}


function validEvents(events: unknown): events is AgentEvent[] {
  if (!Array.isArray(events)) return false;
  let previous = 0;
  for (const e of events) {
    if (!isObject(e) || !isString(e.type) || !isNumber(e.t) || !Number.isInteger(e.seq) || (e.seq as number) <= previous) return false;
    previous = e.seq as number;
  }
  return true;
}

export function parseAgentMessage(text: string): Parsed<AgentMessage> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail('BAD_JSON', 'frame is not valid JSON');
  }
  return checkAgentMessage(value);
}

/** Checks an already parsed frame. */
export function checkAgentMessage(value: unknown): Parsed<AgentMessage> {
  if (!isObject(value) || !isString(value.type)) return fail('BAD_MESSAGE', 'expected an object with a string "type"');
  const m = value;
  const good = { ok: true, value: m as unknown as AgentMessage } as const;
  switch (m.type) {
    case 'hello': {
      const a = m.agent;
      if (
        !isNumber(m.protocol) ||
        !isObject(a) ||
        !isString(a.name) ||
        !isString(a.instance) ||
        !(a.client === undefined || isString(a.client)) ||
        !isNumber(m.now) ||
        !isNumber(m.lastSeq)
      )
        return fail('BAD_MESSAGE', 'hello needs protocol, agent {name, instance, client?}, now and lastSeq');
      if (!Array.isArray(m.actions)) m.actions = [];
      return good;
    }
    case 'snapshot':
    case 'batch':
      return validEvents(m.events) && isNumber(m.now)
        ? good
        : fail('BAD_MESSAGE', `${m.type} needs events (objects with type, increasing integer seq, t) and now`);
    case 'gap':
      return Number.isInteger(m.from) && Number.isInteger(m.to) && isNumber(m.count) && (m.to as number) >= (m.from as number)
        ? good
        : fail('BAD_MESSAGE', 'gap needs integer from <= to and count');
    case 'response':
      return isRequestId(m.id) ? good : fail('BAD_MESSAGE', 'response needs an id');
    case 'error':
      return isObject(m.error) && isString(m.error.code) ? good : fail('BAD_MESSAGE', 'error needs error {code, message}');
    default:
      return fail('UNKNOWN_TYPE', `unknown agent message type "${m.type}"`);
  }
}
