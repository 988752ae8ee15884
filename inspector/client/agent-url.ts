/**
 * Agent URLs: `ws://host:port/?token=T`. The token stays on every reconnect;
 * `since` is added when resuming the same agent instance; `/status` is the
 * plain HTTP endpoint that tells a refused token from an agent that is down.
 */

export interface AgentUrl {
  /** The WebSocket URL as given (http(s) turned into ws(s)), without `since`. */
  readonly ws: string;
  readonly token: string | undefined;
  /** `http(s)://host:port/status?token=T`. */
  readonly status: string;
}

/** Parses an agent URL; throws an Error with code `BAD_URL` when it is not one. */
export function parseAgentUrl(input: string): AgentUrl {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw badUrl(input, 'not a URL');
  }
  const scheme = { 'ws:': 'ws:', 'wss:': 'wss:', 'http:': 'ws:', 'https:': 'wss:' }[url.protocol];
  if (!scheme) throw badUrl(input, `expected ws:// or wss://, got ${url.protocol}//`);
  if (!url.hostname) throw badUrl(input, 'no host');
  url.protocol = scheme;
  url.searchParams.delete('since');
  url.hash = '';
  const token = url.searchParams.get('token') ?? undefined;

  const status = new URL(url.href);
  status.protocol = scheme === 'wss:' ? 'https:' : 'http:';
  status.pathname = '/status';
  status.search = '';
  if (token !== undefined) status.searchParams.set('token', token);
  return { ws: url.href, token, status: status.href };
}

/** The URL to resume from `since` (events after it). */
export function withSince(wsUrl: string, since: number): string {
  const url = new URL(wsUrl);
  url.searchParams.set('since', String(since));
  return url.href;
}

/** The URL with its token hidden, for messages that may end up in CI logs. */
export function redactToken(input: string): string {
  return input.replace(/([?&]token=)[^&#\s]*/g, '$1***');
}

function badUrl(input: string, why: string): Error & { code: string } {
  return Object.assign(new Error(`not an agent URL (${why}): ${redactToken(input)}`), { code: 'BAD_URL' });
}
