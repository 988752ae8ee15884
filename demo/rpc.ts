/** The demo bridge's own messages (inside the length-prefixed frames). */

export type BridgeMethod = 'ping' | 'subscribe' | 'unsubscribe' | 'call' | 'connect' | 'disconnect' | 'dispose';

export interface BridgeRequest {
  id: number;
  method: BridgeMethod;
  params?: Record<string, unknown>;
}

export interface BridgeErrorInfo {
  code: string;
  message: string;
}

export interface BridgeReply {
  id: number;
  result?: unknown;
  error?: BridgeErrorInfo;
}

/** Pushed by the backend: a manager event a client subscribed to, or a task error. */
export interface BridgePush {
  event: string;
  data: unknown;
}

export function isBridgeRequest(value: unknown): value is BridgeRequest {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.id === 'number' &&
    typeof v.method === 'string' &&
    (v.params === undefined || (typeof v.params === 'object' && v.params !== null))
  );
}

export function isBridgeReply(value: unknown): value is BridgeReply {
  return typeof value === 'object' && value !== null && typeof (value as { id?: unknown }).id === 'number';
}

export function isBridgePush(value: unknown): value is BridgePush {
  return typeof value === 'object' && value !== null && typeof (value as { event?: unknown }).event === 'string';
}

/** Where the bridge listens: a Unix socket path, or TCP. */
export type BridgeEndpoint = { path: string } | { host: string; port: number };

export function describeEndpoint(endpoint: BridgeEndpoint): string {
  return 'path' in endpoint ? `unix:${endpoint.path}` : `tcp:${endpoint.host}:${endpoint.port}`;
}

/** Parses `unix:/path`, a bare path, or `tcp:host:port`. */
export function parseEndpoint(text: string): BridgeEndpoint {
  if (text.startsWith('tcp:')) {
    const rest = text.slice(4);
    const colon = rest.lastIndexOf(':');
    const port = Number(rest.slice(colon + 1));
    if (colon <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
      throw new Error(`bad TCP endpoint "${text}" (expected tcp:HOST:PORT)`);
    }
    return { host: rest.slice(0, colon), port };
  }
  const path = text.startsWith('unix:') ? text.slice(5) : text;
  if (!path) throw new Error('empty socket path');
  return { path };
}
