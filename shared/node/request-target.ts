/** The parts of a request target a server routes on. */
export interface RequestTarget {
  pathname: string;
  searchParams: URLSearchParams;
}

/**
 * The path and query of an HTTP request target, or undefined for anything
 * but a plain path (`//`, `//host/x`, `http://host/x`, `*`, a path URL
 * parsing rejects): the caller answers 400. Never throws — a target is
 * whatever any local process or web page (`<img src="http://127.0.0.1:PORT//">`)
 * chose to send, and it arrives before every other check.
 */
export function parseRequestTarget(target: string | undefined): RequestTarget | undefined {
  // `//x` would parse as a URL with host `x`: never a path of ours.
  if (target === undefined || !target.startsWith('/') || target.startsWith('//')) return undefined;
  try {
    const url = new URL(target, 'http://request-target');
    return { pathname: url.pathname, searchParams: url.searchParams };
  } catch {
    return undefined;
  }
}
