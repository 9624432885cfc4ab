// Windowing for the message grid: which rows to put in the DOM for a scroll position, and
// which pages of rows to ask the backend for. Plain arithmetic, so it is tested on its own.

/**
 * The tallest spacer the grid makes. Engines cap an element's height (Gecko near 17.9 million
 * px, Blink and WebKit near 33.5 million); past this the scrollbar is scaled instead, so even
 * millions of rows scroll end to end. 250,000 rows of 36 px (9 million px) are never scaled.
 */
export const MAX_SPACER_PX = 15_000_000;

export interface WindowOptions {
  /** Fixed height of every row, in px. */
  rowHeight: number;
  /** Rows in all (every one gets its slot in the scrollbar). */
  total: number;
  /** Extra rows rendered above and below the visible ones, so fast scrolling shows no gap. */
  overscan: number;
  /** Cap on the spacer's height (tests make it small). */
  maxHeight?: number;
}

export interface VirtualWindow {
  /** First row rendered (overscan included). */
  start: number;
  /** One past the last row rendered; `start === end` when there is nothing to show. */
  end: number;
  /** Height of the spacer that gives the scrollbar its length: total × row height, or the cap. */
  height: number;
  /** Where, from the top of the spacer, row `start` is drawn. */
  offset: number;
}

/** The rows to render when the viewport, `viewportHeight` px tall, is scrolled `scrollTop` px down. */
export function virtualWindow(scrollTop: number, viewportHeight: number, options: WindowOptions): VirtualWindow {
  const rowHeight = Math.max(options.rowHeight, 1);
  const total = Math.max(Math.floor(options.total), 0);
  const overscan = Math.max(Math.floor(options.overscan), 0);
  const viewport = Math.max(viewportHeight, 0);
  const content = total * rowHeight;
  const height = Math.min(content, options.maxHeight ?? MAX_SPACER_PX);
  const top = Math.min(Math.max(scrollTop, 0), Math.max(height - viewport, 0));
  // Past the cap, each px of scrollbar stands for more than one px of rows.
  const scale = content > height && height > viewport ? (content - viewport) / (height - viewport) : 1;
  const virtualTop = top * scale;
  const first = Math.min(Math.floor(virtualTop / rowHeight), total);
  const last = Math.min(Math.ceil((virtualTop + viewport) / rowHeight), total);
  const start = Math.max(first - overscan, 0);
  const end = Math.min(Math.max(last, first) + overscan, total);
  return { start, end, height, offset: top - (virtualTop - start * rowHeight) };
}

/**
 * Row elements the grid keeps for a viewport `viewportHeight` px tall: the most rows any
 * window holds (a partly shown row at each edge, and the overscan on both sides). Rendering
 * always this many (fewer only at the end) and keying each by its index modulo this count,
 * the row scrolled out is the element reused for the row scrolled in.
 */
export function rowSlots(viewportHeight: number, rowHeight: number, overscan: number): number {
  const rows = Math.ceil(Math.max(viewportHeight, 0) / Math.max(rowHeight, 1));
  return rows + 1 + 2 * Math.max(Math.floor(overscan), 0);
}

/** The page holding row `index`. */
export function pageOf(index: number, pageSize: number): number {
  return Math.floor(Math.max(index, 0) / Math.max(pageSize, 1));
}

/** The pages holding rows `start` to `end - 1`, in order; none for an empty range. */
export function pagesFor(start: number, end: number, pageSize: number): number[] {
  if (end <= start) return [];
  const first = pageOf(start, pageSize);
  const last = pageOf(end - 1, pageSize);
  return Array.from({ length: last - first + 1 }, (_, k) => first + k);
}
