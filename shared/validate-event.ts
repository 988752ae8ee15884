import type { AgentEventType } from './protocol.js';

/**
 * Runtime validation of single events, field by field, as docs/protocol.md
 * ("Events") describes them. `validate-message.ts` checks a frame's
 * envelope; this checks what the views and the analysis will read, so an
 * agent's bad event is skipped and counted instead of breaking an
 * inspector. Pure, and cheap on valid input (it runs on every event a UI
 * ingests): each type's fields are read by name and the message is only
 * built for a bad one.
 */

type Fields = Record<string, unknown>;

const isObject = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isStack = (v: unknown): boolean => Array.isArray(v) && v.every(isString);
const isAction = (a: unknown): boolean => isObject(a) && isString(a.name) && isString(a.source) && (a.label === undefined || isString(a.label));
const isSettleResult = (v: unknown): boolean =>
  isObject(v) &&
  isString(v.verdict) &&
  isNumber(v.duration) &&
  isNumber(v.listenersRemoved) &&
  isNumber(v.handlesDropped) &&
  (v.state === undefined || isString(v.state)) &&
  (v.remaining === undefined || (isObject(v.remaining) && isNumber(v.remaining.listeners) && isNumber(v.remaining.handles))) &&
  (v.error === undefined || (isObject(v.error) && isString(v.error.message) && (v.error.code === undefined || isString(v.error.code))));

/** Checks one field's value and remembers the first that is wrong. Optional fields may be left out, never null. */
class FieldCheck {
  field = '';
  what = '';
  value: unknown;

  string(field: string, v: unknown): boolean {
    return isString(v) || this.fail(field, 'a string', v);
  }
  number(field: string, v: unknown): boolean {
    return isNumber(v) || this.fail(field, 'a number', v);
  }
  boolean(field: string, v: unknown): boolean {
    return typeof v === 'boolean' || this.fail(field, 'true or false', v);
  }
  stringOrNull(field: string, v: unknown): boolean {
    return v === null || isString(v) || this.fail(field, 'a string or null', v);
  }
  handleId(field: string, v: unknown): boolean {
    return isString(v) || isNumber(v) || this.fail(field, 'a number or a string', v);
  }
  stack(field: string, v: unknown): boolean {
    return v === undefined || isStack(v) || this.fail(field, 'a list of strings', v);
  }
  actions(field: string, v: unknown): boolean {
    return (Array.isArray(v) && v.every(isAction)) || this.fail(field, 'a list of {name, source, label?}', v);
  }
  result(field: string, v: unknown): boolean {
    return isSettleResult(v) || this.fail(field, 'an object {verdict, duration, listenersRemoved, handlesDropped, …}', v);
  }
  object(field: string, v: unknown): boolean {
    return isObject(v) || this.fail(field, 'an object', v);
  }
  optionalString(field: string, v: unknown): boolean {
    return v === undefined || this.string(field, v);
  }
  optionalNumber(field: string, v: unknown): boolean {
    return v === undefined || this.number(field, v);
  }
  optionalBoolean(field: string, v: unknown): boolean {
    return v === undefined || this.boolean(field, v);
  }
  optionalHandleId(field: string, v: unknown): boolean {
    return v === undefined || this.handleId(field, v);
  }

  private fail(field: string, what: string, value: unknown): false {
    this.field = field;
    this.what = what;
    this.value = value;
    return false;
  }
}

type Check = (e: Fields, c: FieldCheck) => boolean;

const handleAccess: Check = (e, c) =>
  c.string('table', e.table) && c.handleId('handle', e.handle) && c.boolean('ok', e.ok) && c.stringOrNull('owner', e.owner) && c.stack('stack', e.stack);

/** The fields of each event type besides `type`, `seq` and `t`. A Record, so a new event type must be listed. */
const EVENT_CHECKS: Record<AgentEventType, Check> = {
  'server.listen': (e, c) => c.string('server', e.server) && c.string('transport', e.transport) && c.string('address', e.address),
  'server.close': (e, c) => c.string('server', e.server),
  'conn.open': (e, c) =>
    c.string('conn', e.conn) &&
    c.stringOrNull('server', e.server) &&
    c.string('transport', e.transport) &&
    c.optionalString('label', e.label) &&
    c.optionalString('client', e.client) &&
    c.optionalString('peer', e.peer) &&
    c.actions('actions', e.actions) &&
    c.stack('stack', e.stack) &&
    c.optionalString('via', e.via) &&
    c.optionalString('protocol', e.protocol),
  'conn.via': (e, c) => c.string('conn', e.conn) && c.string('via', e.via),
  'conn.protocol': (e, c) => c.string('conn', e.conn) && c.string('protocol', e.protocol),
  'attribution.lost': (e, c) => c.stringOrNull('conn', e.conn) && c.string('subject', e.subject) && c.string('reason', e.reason),
  'conn.peer-end': (e, c) => c.string('conn', e.conn),
  'conn.local-end': (e, c) => c.string('conn', e.conn),
  'conn.close': (e, c) => c.string('conn', e.conn) && c.string('cause', e.cause) && c.optionalString('error', e.error),
  'conn.error': (e, c) => c.string('conn', e.conn) && c.string('code', e.code) && c.string('message', e.message),
  'conn.io': (e, c) =>
    c.string('conn', e.conn) &&
    c.number('bytesIn', e.bytesIn) &&
    c.number('bytesOut', e.bytesOut) &&
    c.optionalNumber('msgsIn', e.msgsIn) &&
    c.optionalNumber('msgsOut', e.msgsOut) &&
    c.number('lastActivity', e.lastActivity) &&
    c.optionalNumber('lastIn', e.lastIn),
  'conn.write-after-close': (e, c) => c.string('conn', e.conn) && c.string('state', e.state) && c.optionalNumber('bytes', e.bytes) && c.stack('stack', e.stack),
  'emitter.watch': (e, c) => c.string('emitter', e.emitter) && c.string('name', e.name) && c.string('kind', e.kind),
  'emitter.unwatch': (e, c) => c.string('emitter', e.emitter),
  'emitter.lost-track': (e, c) => c.string('emitter', e.emitter) && c.string('reason', e.reason),
  'listener.add': (e, c) =>
    c.string('listener', e.listener) &&
    c.string('emitter', e.emitter) &&
    c.string('event', e.event) &&
    c.stringOrNull('owner', e.owner) &&
    c.boolean('once', e.once) &&
    c.optionalBoolean('preexisting', e.preexisting) &&
    c.stack('stack', e.stack),
  'listener.remove': (e, c) => c.string('listener', e.listener) && c.string('emitter', e.emitter) && c.string('event', e.event) && c.string('how', e.how),
  'handle.table': (e, c) => c.string('table', e.table) && c.boolean('mirror', e.mirror),
  'handle.store': (e, c) =>
    c.string('table', e.table) &&
    c.handleId('handle', e.handle) &&
    c.string('handleType', e.handleType) &&
    c.optionalHandleId('parent', e.parent) &&
    c.stringOrNull('owner', e.owner) &&
    c.stack('stack', e.stack),
  'handle.retrieve': handleAccess,
  'handle.take': handleAccess,
  'handle.drop': (e, c) => handleAccess(e, c) && c.optionalHandleId('cascadeFrom', e.cascadeFrom),
  'action.start': (e, c) =>
    c.string('action', e.action) && c.stringOrNull('conn', e.conn) && c.string('name', e.name) && c.string('source', e.source) && c.number('timeout', e.timeout),
  'action.settle': (e, c) => c.string('action', e.action) && c.stringOrNull('conn', e.conn) && c.string('name', e.name) && c.result('result', e.result),
  mark: (e, c) => c.string('label', e.label),
};

/** Events agents of earlier versions published (their own findings): inspectors skip them. */
const RETIRED_CHECKS: Record<string, Check> = {
  'finding.open': (e, c) => c.object('finding', e.finding),
  'finding.resolve': (e, c) => c.string('id', e.id),
};

const CHECKS = new Map<unknown, Check>([...Object.entries(EVENT_CHECKS), ...Object.entries(RETIRED_CHECKS)]);
const check = new FieldCheck();

/** True for an event type agents no longer publish: skip it (after {@link eventProblem} found it well-formed). */
export function isRetiredEvent(type: unknown): boolean {
  // Asked of every event: two comparisons, no lookup.
  return type === 'finding.open' || type === 'finding.resolve';
}

/**
 * What is wrong with one event, or undefined when it is well-formed: a
 * known type, a positive integer `seq`, a numeric `t`, and every field its
 * type promises with the right JSON type (optional ones may be left out,
 * not null). Values of open-ended strings (`transport`, `cause`, `how`…)
 * are not checked, so a newer agent's new value still shows.
 */
export function eventProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'an event must be a JSON object';
  const type = value.type;
  const fields = CHECKS.get(type);
  if (!fields) return `unknown event type ${describe(type)}`;
  const seq = value.seq;
  if (!Number.isSafeInteger(seq) || (seq as number) < 1) return `"${type as string}" event: seq must be a positive integer, not ${describe(seq)}`;
  if (!isNumber(value.t)) return `"${type as string}" event seq ${seq as number}: t must be a number, not ${describe(value.t)}`;
  if (fields(value, check)) return undefined;
  return `"${type as string}" event seq ${seq as number}: ${check.field} must be ${check.what}, not ${describe(check.value)}`;
}

/** A value as a message shows it: short, one line. */
function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (Array.isArray(value)) return 'a list';
  if (isObject(value)) return 'an object';
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}
