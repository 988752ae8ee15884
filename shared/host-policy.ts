/**
 * Host and Origin checks for every HTTP request and WebSocket upgrade.
 * Pure functions: the server calls them, the tests table-drive them.
 *
 * Host defends against DNS rebinding (a foreign name that resolves to
 * 127.0.0.1 carries its own name in Host); Origin defends against a web page
 * on another site opening a WebSocket to the agent (browsers always send
 * Origin, Node and CLI clients usually don't).
 */

export interface HostPolicy {
  /** Extra Host values accepted: a bare name matches any port, `name:port` only that port. */
  allowedHosts: readonly string[];
  /** The interface the agent listens on; accepted as a Host when it is not loopback. */
  bindHost: string;
}

/** `127.x.y.z` written canonically: four decimal parts 0–255, no leading zeros, no hex/octal/short forms. */
/** A host as it stands before `:port` in a URL or address: IPv6 literals in brackets. */
export function bracketHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

export function isCanonicalLoopbackIPv4(host: string): boolean {
  const parts = host.split('.');
  if (parts.length !== 4) return false;
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part) || Number(part) > 255) return false;
  }
  return parts[0] === '127';
}

/** Loopback as a Host/Origin name: canonical 127/8, `[::1]` or `localhost` (lower-cased input). */
function isLoopbackName(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || isCanonicalLoopbackIPv4(hostname);
}

/**
 * Splits `name[:port]` / `[v6][:port]`. Returns undefined for anything
 * malformed (empty, bare IPv6, empty or non-numeric port, port > 65535).
 */
export function splitHostPort(value: string): { hostname: string; port?: string } | undefined {
  let hostname: string;
  let rest: string;
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    if (end < 0) return undefined;
    hostname = value.slice(0, end + 1);
    rest = value.slice(end + 1);
  } else {
    const colon = value.indexOf(':');
    if (colon !== value.lastIndexOf(':')) return undefined;
    hostname = colon < 0 ? value : value.slice(0, colon);
    rest = colon < 0 ? '' : value.slice(colon);
  }
  if (hostname === '' || hostname === '[]') return undefined;
  if (rest === '') return { hostname };
  const port = rest.slice(1);
  if (!rest.startsWith(':') || !/^[0-9]{1,5}$/.test(port) || Number(port) > 65535) return undefined;
  return { hostname, port };
}

export function isAllowedHost(header: string | undefined, policy: HostPolicy): boolean {
  if (!header) return false;
  const value = header.toLowerCase();
  const parsed = splitHostPort(value);
  if (!parsed) return false;
  if (isLoopbackName(parsed.hostname)) return true;
  const bind = policy.bindHost.toLowerCase();
  const bindName = bracketHost(bind);
  if (!isLoopbackBind(bind) && parsed.hostname === bindName) return true;
  return policy.allowedHosts.some((entry) => {
    const allowed = entry.toLowerCase();
    return allowed === value || allowed === parsed.hostname;
  });
}

/**
 * No Origin (Node, CLI) → allowed; `http://` + a loopback name with or
 * without a port → allowed; otherwise only an exact `allowedOrigins` entry.
 */
export function isAllowedOrigin(origin: string | undefined, allowedOrigins: readonly string[]): boolean {
  if (origin === undefined) return true;
  if (allowedOrigins.includes(origin)) return true;
  const lower = origin.toLowerCase();
  if (!lower.startsWith('http://')) return false;
  const parsed = splitHostPort(lower.slice('http://'.length));
  return parsed !== undefined && isLoopbackName(parsed.hostname);
}

function isLoopbackBind(host: string): boolean {
  return host === 'localhost' || host === '::1' || isCanonicalLoopbackIPv4(host);
}
