import { constants } from 'node:http2';
import { byteLengthOf, interpose } from '../interpose.js';
import type { AppSessions } from './sessions.js';

interface StreamLike {
  respond?: unknown;
  rstCode?: number;
  session?: object | null;
  close?(code?: number): void;
  emit(type: string | symbol, ...args: unknown[]): boolean;
}

type Headers = Record<string, string | string[] | undefined>;

/**
 * Every HTTP/2 stream a server accepts is a session (`http2`, or `grpc` for
 * a gRPC call) carried by its TCP connection: the server's `'stream'`
 * listeners (gRPC's included) and every event of the stream run as it, so a
 * subscription made for a call is owned by that call and orphaned when the
 * client cancels it. Called from the server probe's `'stream'` dispatch;
 * returns the session id to run the listeners as.
 */
export function http2Stream(sessions: AppSessions, stream: unknown, headers: unknown): string | null {
  if (typeof stream !== 'object' || stream === null) return null;
  if (typeof (stream as StreamLike).emit !== 'function' || typeof (stream as StreamLike).respond !== 'function') return null;
  const s = stream as StreamLike;
  const h = (typeof headers === 'object' && headers !== null ? headers : {}) as Headers;
  const contentType = String(h['content-type'] ?? '');
  const carrier = socketOf(s.session) ?? sessions.running();
  const id = sessions.open(s, {
    protocol: contentType.startsWith('application/grpc') ? 'grpc' : 'http2',
    carrier,
    label: `${String(h[':method'] ?? '')} ${String(h[':path'] ?? '')}`.trim(),
    actions: {
      disconnect: () => s.close?.(constants.NGHTTP2_NO_ERROR),
      close: () => s.close?.(constants.NGHTTP2_CANCEL),
    },
  });
  interpose(s, 'emit', (invoke) =>
    function observedStreamEmit(this: unknown, ...args: unknown[]) {
      if (sessions.active) sessions.guard('observing an HTTP/2 stream failed', () => observe(sessions, s, args[0], args[1]));
      return sessions.run(s, () => invoke(this, args));
    },
  );
  return id;
}

function observe(sessions: AppSessions, stream: StreamLike, type: unknown, arg: unknown): void {
  switch (type) {
    case 'data':
      sessions.inbound(stream, byteLengthOf(arg));
      break;
    case 'end':
      sessions.peerEnded(stream);
      break;
    case 'close': {
      const code = stream.rstCode ?? constants.NGHTTP2_NO_ERROR;
      sessions.closed(stream, 'local', code === constants.NGHTTP2_NO_ERROR ? undefined : rstName(code));
      break;
    }
    default:
      break;
  }
}

/**
 * The TCP socket under an HTTP/2 session. `session.socket` is a proxy
 * object, not the socket the agent tracks; the real one sits behind Node's
 * own `socket` symbol.
 */
function socketOf(session: unknown): object | undefined {
  if (typeof session !== 'object' || session === null) return undefined;
  const key = Object.getOwnPropertySymbols(session).find((symbol) => symbol.description === 'socket');
  const socket = key === undefined ? undefined : (session as Record<symbol, unknown>)[key];
  return typeof socket === 'object' && socket !== null ? socket : undefined;
}

/** RST_STREAM error codes (RFC 9113, section 7) by value. */
const RST_CODES = [
  'NO_ERROR',
  'PROTOCOL_ERROR',
  'INTERNAL_ERROR',
  'FLOW_CONTROL_ERROR',
  'SETTINGS_TIMEOUT',
  'STREAM_CLOSED',
  'FRAME_SIZE_ERROR',
  'REFUSED_STREAM',
  'CANCEL',
  'COMPRESSION_ERROR',
  'CONNECT_ERROR',
  'ENHANCE_YOUR_CALM',
  'INADEQUATE_SECURITY',
  'HTTP_1_1_REQUIRED',
];

/** `NGHTTP2_CANCEL` for 8. */
function rstName(code: number): string {
  const name = RST_CODES[code];
  return name ? `NGHTTP2_${name}` : `RST_STREAM ${code}`;
}
