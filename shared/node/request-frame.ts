import type { InspectorRequest, ProtocolError, RequestId } from '../protocol.js';

/** What a frame from an inspector turned out to be. */
export type ParsedFrame =
  | { ok: true; request: InspectorRequest }
  | { ok: false; id?: RequestId; error: ProtocolError };

const KNOWN_TYPES = new Set(['auth', 'subscribe', 'act', 'mark']);

/**
 * Longest `mark` label an inspector may send, in UTF-16 units. A mark is kept
 * in the ring buffer, so without it one inspector could make the host hold
 * bufferSize × maxMessageSize bytes (640 MiB with the defaults).
 */
const MAX_MARK_LABEL = 1024;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Validates one inbound WebSocket frame. Never throws: every problem becomes
 * a stable error code, with the request id when one could be read so the
 * inspector can match the reply.
 */
export function parseFrame(data: Uint8Array | string, isBinary: boolean, maxMessageSize: number): ParsedFrame {
  if (isBinary) return fail('BINARY_FRAME', 'requests must be text frames');
  const size = typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
  if (size > maxMessageSize) return fail('FRAME_TOO_LARGE', `message of ${size} bytes exceeds maxMessageSize ${maxMessageSize}`);
  let value: unknown;
  try {
    value = JSON.parse(typeof data === 'string' ? data : utf8.decode(data));
  } catch {
    return fail('BAD_JSON', 'the frame is not valid JSON text');
  }
  return parseRequest(value);
}

/** Validates an already parsed JSON value as an {@link InspectorRequest}. */
function parseRequest(value: unknown): ParsedFrame {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail('BAD_MESSAGE', 'a request must be a JSON object');
  }
  const msg = value as Record<string, unknown>;
  const id = isRequestId(msg.id) ? msg.id : undefined;
  if (typeof msg.type !== 'string') return fail('BAD_MESSAGE', 'a request needs a string "type"', id);
  if (!KNOWN_TYPES.has(msg.type)) return fail('UNKNOWN_TYPE', `unknown request type "${msg.type.slice(0, 64)}"`, id);
  if (id === undefined) return fail('BAD_MESSAGE', 'a request needs an "id" (string or number)');
  const bad = (field: string, expected: string) => fail('BAD_MESSAGE', `"${field}" must be ${expected}`, id);
  switch (msg.type) {
    case 'auth':
      if (typeof msg.token !== 'string') return bad('token', 'a string');
      return { ok: true, request: { type: 'auth', id, token: msg.token } };
    case 'subscribe':
      if (msg.since === undefined) return { ok: true, request: { type: 'subscribe', id } };
      if (!isSeq(msg.since)) return bad('since', 'a non-negative integer');
      return { ok: true, request: { type: 'subscribe', id, since: msg.since } };
    case 'act': {
      if (typeof msg.name !== 'string' || msg.name === '') return bad('name', 'a non-empty string');
      // null is accepted as "agent-wide", the same as leaving `conn` out.
      if (msg.conn !== undefined && msg.conn !== null && typeof msg.conn !== 'string') return bad('conn', 'a string');
      if (msg.timeout !== undefined && !(typeof msg.timeout === 'number' && Number.isFinite(msg.timeout) && msg.timeout >= 0)) {
        return bad('timeout', 'a non-negative number of milliseconds');
      }
      const request: InspectorRequest = { type: 'act', id, name: msg.name };
      if (typeof msg.conn === 'string') request.conn = msg.conn;
      if (msg.timeout !== undefined) request.timeout = msg.timeout as number;
      return { ok: true, request };
    }
    default:
      if (typeof msg.label !== 'string' || msg.label.length > MAX_MARK_LABEL) return bad('label', `a string of at most ${MAX_MARK_LABEL} characters`);
      return { ok: true, request: { type: 'mark', id, label: msg.label } };
  }
}

function isRequestId(id: unknown): id is RequestId {
  return typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id));
}

function isSeq(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function fail(code: ProtocolError['code'], message: string, id?: RequestId): ParsedFrame {
  return id === undefined ? { ok: false, error: { code, message } } : { ok: false, id, error: { code, message } };
}
