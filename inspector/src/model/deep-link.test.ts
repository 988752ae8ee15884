import { describe, expect, it } from 'vitest';
import { formatViewState, parseViewState, type ViewState } from './deep-link.js';

describe('deep links', () => {
  it('round-trips the tab, the selection, the window and the hub target', () => {
    const state: ViewState = {
      tab: 'handles',
      selection: { run: 2, kind: 'handle', id: 'rooms:17' },
      window: { from: 1_700_000_000_000, to: 1_700_000_004_500 },
      target: 'demo-backend/app 1',
    };
    const hash = formatViewState(state);
    expect(hash).toBe('#handles&select=handle:2:rooms:17&window=1700000000000-1700000004500&target=demo-backend%2Fapp%201');
    expect(parseViewState(hash)).toEqual({ ...state, selection: { ...state.selection, reveal: true } });
  });

  it('keeps an open-ended window open-ended', () => {
    const parsed = parseViewState(formatViewState({ tab: 'events', selection: null, window: { from: 5, to: Infinity }, target: null }));
    expect(parsed.window).toEqual({ from: 5, to: Infinity });
  });

  it('reads what it does not understand as nothing: old tab-only links, junk, an empty window', () => {
    expect(parseViewState('#connections')).toEqual({ tab: 'connections', selection: null, window: null, target: null });
    expect(parseViewState('#nope&select=planet:1:x&window=9-3')).toEqual({ tab: 'overview', selection: null, window: null, target: null });
    expect(parseViewState('')).toEqual({ tab: 'overview', selection: null, window: null, target: null });
    expect(parseViewState('#findings&select=finding:1:listener-growth%3Ae1%3Aupdate').selection).toEqual({ run: 1, kind: 'finding', id: 'listener-growth:e1:update', reveal: true });
  });
});
