/**
 * Which rows of a fixed-row-height list to render. Browsers cap an element's
 * height (Chrome near 33.5M px, Firefox near 17.9M px), so past `maxHeight`
 * the scroll range is compressed: the scroll fraction maps to a row index.
 */
export interface VirtualWindowInput {
  count: number;
  rowHeight: number;
  viewportHeight: number;
  scrollTop: number;
  /** Extra rows rendered above and below. Default 8. */
  overscan?: number;
  /** Tallest scrollable height used. Default 15,000,000 px. */
  maxHeight?: number;
}

export interface VirtualWindow {
  /** First row rendered. */
  start: number;
  /** One past the last row rendered. */
  end: number;
  /** Height of the scroll content in px. */
  totalHeight: number;
  /** `top` of row `start` inside the scroll content, in px. */
  offsetTop: number;
}

export const DEFAULT_MAX_HEIGHT = 15_000_000;

export function virtualWindow(input: VirtualWindowInput): VirtualWindow {
  const { count, rowHeight, viewportHeight } = input;
  const overscan = input.overscan ?? 8;
  const maxHeight = input.maxHeight ?? DEFAULT_MAX_HEIGHT;
  const naturalHeight = count * rowHeight;
  const totalHeight = Math.min(naturalHeight, maxHeight);
  const visibleRows = Math.ceil(viewportHeight / rowHeight) + 1;
  const maxScroll = Math.max(0, totalHeight - viewportHeight);
  const scrollTop = clamp(input.scrollTop, 0, maxScroll);
  // Row at the top of the viewport, possibly fractional when compressed.
  const firstVisible =
    naturalHeight <= maxHeight || maxScroll === 0
      ? scrollTop / rowHeight
      : (scrollTop / maxScroll) * Math.max(0, count - viewportHeight / rowHeight);
  const firstRow = Math.floor(firstVisible);
  const start = clamp(firstRow - overscan, 0, count);
  const end = clamp(firstRow + visibleRows + overscan, 0, count);
  // Place row `firstRow` where the viewport's top is, keeping the sub-row offset.
  const offsetTop = scrollTop - (firstVisible - start) * rowHeight;
  return { start, end, totalHeight, offsetTop };
}

/** The scrollTop that brings `row` to the top of the viewport (inverse of the mapping above). */
export function scrollTopForRow(row: number, input: Omit<VirtualWindowInput, 'scrollTop'>): number {
  const { count, rowHeight, viewportHeight } = input;
  const maxHeight = input.maxHeight ?? DEFAULT_MAX_HEIGHT;
  const naturalHeight = count * rowHeight;
  const totalHeight = Math.min(naturalHeight, maxHeight);
  const maxScroll = Math.max(0, totalHeight - viewportHeight);
  if (naturalHeight <= maxHeight) return clamp(row * rowHeight, 0, maxScroll);
  const rowsScrollable = Math.max(1, count - viewportHeight / rowHeight);
  return clamp((row / rowsScrollable) * maxScroll, 0, maxScroll);
}

function clamp(n: number, lo: number, hi: number): number {
  return n < lo ? lo : n > hi ? hi : n;
}
