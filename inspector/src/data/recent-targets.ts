import { readRecent, rememberRecent, type RecentTarget } from '../model/recent-targets.js';

const KEY = 'bridgescope.recent';

/** Agents connected to before, newest first, without their tokens (older entries with tokens are rewritten). */
export function recentTargets(): RecentTarget[] {
  try {
    const stored = localStorage.getItem(KEY);
    if (stored === null) return [];
    const list = readRecent(JSON.parse(stored));
    const clean = JSON.stringify(list);
    if (clean !== stored) localStorage.setItem(KEY, clean);
    return list;
  } catch {
    return [];
  }
}

export function rememberTarget(url: string, name: string | undefined): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(rememberRecent(recentTargets(), url, name, Date.now())));
  } catch {
    // Storage disabled: recents are a convenience.
  }
}
