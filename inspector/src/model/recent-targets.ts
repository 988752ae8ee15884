/**
 * A target connected to before, as the connect page lists it: where it was
 * and what it was called, never its token (a token in localStorage outlives
 * the agent and is readable by any script of this origin).
 */
export interface RecentTarget {
  /** The agent's URL without its token: `ws://127.0.0.1:9230/`. */
  address: string;
  /** The agent's name from its hello. */
  name?: string;
  /** Epoch ms of the last connection. */
  at: number;
}

/** Most recent targets kept. */
export const MAX_RECENT = 8;

/** The URL without `token` (and `since`): safe to keep. Null when not a URL. */
export function withoutToken(url: string): string | null {
  try {
    const parsed = new URL(url);
    parsed.searchParams.delete('token');
    parsed.searchParams.delete('since');
    parsed.hash = '';
    return parsed.href;
  } catch {
    return null;
  }
}

/**
 * Reads what storage holds (this shape, or the plain URL strings older
 * versions kept, tokens included) as token-free entries, newest first.
 */
export function readRecent(stored: unknown): RecentTarget[] {
  if (!Array.isArray(stored)) return [];
  const entries: RecentTarget[] = [];
  for (const item of stored) {
    const raw = typeof item === 'string' ? { address: item, at: 0 } : (item as Partial<RecentTarget> | null);
    const address = typeof raw?.address === 'string' ? withoutToken(raw.address) : null;
    if (!address || entries.some((e) => e.address === address)) continue;
    entries.push({ address, ...(typeof raw?.name === 'string' ? { name: raw.name } : {}), at: typeof raw?.at === 'number' ? raw.at : 0 });
  }
  return entries.slice(0, MAX_RECENT);
}

/** The list with `url` (token dropped) moved to the front. */
export function rememberRecent(list: readonly RecentTarget[], url: string, name: string | undefined, at: number): RecentTarget[] {
  const address = withoutToken(url);
  if (!address) return [...list];
  return [{ address, ...(name ? { name } : {}), at }, ...list.filter((e) => e.address !== address)].slice(0, MAX_RECENT);
}
