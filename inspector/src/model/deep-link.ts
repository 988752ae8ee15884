import type { TimeWindow } from './time-window.js';

export const TABS = ['overview', 'timeline', 'connections', 'listeners', 'handles', 'findings', 'events'] as const;
export type Tab = (typeof TABS)[number];

export const SELECTION_KINDS = ['connection', 'listener', 'handle', 'emitter', 'action', 'finding', 'event'] as const;

/** What is selected across views: one entity of one run (an event by its seq). */
export interface Selection {
  run: number;
  kind: (typeof SELECTION_KINDS)[number];
  id: string;
  /** Set when a link asked for it: its view scrolls it into view once. */
  reveal?: boolean;
}

/** What a link reopens: the view, the selection, the time window, and in hub mode the target. */
export interface ViewState {
  tab: Tab;
  selection: Selection | null;
  window: TimeWindow | null;
  /** A hub target's key. */
  target: string | null;
}

/**
 * The view as a URL fragment: `#connections&select=connection:1:c3&window=1700000000000-1700000005000`.
 * The query (`?agent=…`, `?token=…`) says where the data comes from; the
 * fragment which part of it is shown, so a pasted link reopens the same view.
 * An open-ended window (`from-`) keeps following the stream.
 */
export function formatViewState(state: ViewState): string {
  const parts: string[] = [state.tab];
  if (state.selection) parts.push(`select=${state.selection.kind}:${state.selection.run}:${encode(state.selection.id)}`);
  if (state.window) parts.push(`window=${Math.round(state.window.from)}-${Number.isFinite(state.window.to) ? Math.round(state.window.to) : ''}`);
  if (state.target) parts.push(`target=${encode(state.target)}`);
  return `#${parts.join('&')}`;
}

/** Reads a fragment written by {@link formatViewState}; what is missing or malformed is null (the tab: overview). */
export function parseViewState(hash: string): ViewState {
  const [first = '', ...rest] = hash.replace(/^#/, '').split('&');
  const params = new Map(rest.map((p) => [p.slice(0, p.indexOf('=') < 0 ? p.length : p.indexOf('=')), p.slice(p.indexOf('=') + 1)]));
  return {
    tab: (TABS as readonly string[]).includes(first) ? (first as Tab) : 'overview',
    selection: parseSelection(params.get('select')),
    window: parseWindow(params.get('window')),
    target: params.has('target') ? decode(params.get('target')!) : null,
  };
}

function parseSelection(text: string | undefined): Selection | null {
  const match = text ? /^([a-z]+):(\d+):(.+)$/.exec(text) : null;
  if (!match || !(SELECTION_KINDS as readonly string[]).includes(match[1]!)) return null;
  const id = decode(match[3]!);
  return id ? { kind: match[1] as Selection['kind'], run: Number(match[2]), id, reveal: true } : null;
}

function parseWindow(text: string | undefined): TimeWindow | null {
  const match = text ? /^(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)?$/.exec(text) : null;
  if (!match) return null;
  const from = Number(match[1]);
  const to = match[2] === undefined ? Infinity : Number(match[2]);
  return to > from ? { from, to } : null;
}

/** Ids may hold `:` (handles are `table:id`): kept readable, the rest escaped. */
function encode(text: string): string {
  return encodeURIComponent(text).replace(/%3A/gi, ':');
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return '';
  }
}
