import { describe, expect, it } from "vitest";
import { pageOf, pagesFor, rowSlots, virtualWindow } from "./virtual";

const ROW = 36;

describe("virtualWindow", () => {
  it("renders the visible rows and the overscan, at the top", () => {
    // 480 px show rows 0 to 13 (13.3 rows); 8 more below, none above.
    expect(virtualWindow(0, 480, { rowHeight: ROW, total: 250_000, overscan: 8 })).toEqual({
      start: 0,
      end: 22,
      height: 250_000 * ROW,
      offset: 0,
    });
  });

  it("follows the scroll position, with overscan on both sides", () => {
    const w = virtualWindow(1000 * ROW + 10, 480, { rowHeight: ROW, total: 250_000, overscan: 8 });
    // Row 1,000 is partly hidden at the top; rows up to 1,013 show at the bottom.
    expect(w.start).toBe(992);
    expect(w.end).toBe(1014 + 8);
    expect(w.offset).toBe(992 * ROW);
    expect(w.end - w.start).toBeLessThan(40);
  });

  it("stops at the last row", () => {
    const w = virtualWindow(250_000 * ROW, 480, { rowHeight: ROW, total: 250_000, overscan: 8 });
    expect(w.end).toBe(250_000);
    // The scroll position is clamped to the bottom: the last rows fill the viewport.
    expect(w.start).toBe(250_000 - 14 - 8);
    expect(w.offset + (w.end - w.start) * ROW).toBe(w.height);
  });

  it("has nothing to render for no rows, and everything for a few", () => {
    expect(virtualWindow(0, 480, { rowHeight: ROW, total: 0, overscan: 8 })).toEqual({ start: 0, end: 0, height: 0, offset: 0 });
    expect(virtualWindow(120, 480, { rowHeight: ROW, total: 5, overscan: 8 })).toEqual({ start: 0, end: 5, height: 180, offset: 0 });
  });

  it("copes with a negative scroll (rubber-band) and an unmeasured viewport", () => {
    expect(virtualWindow(-40, 480, { rowHeight: ROW, total: 100, overscan: 2 }).start).toBe(0);
    expect(virtualWindow(0, 0, { rowHeight: ROW, total: 100, overscan: 2 })).toMatchObject({ start: 0, end: 2 });
  });

  it("scales the scrollbar past the spacer cap, still reaching every row", () => {
    const options = { rowHeight: ROW, total: 1_000_000, overscan: 0, maxHeight: 360_000 };
    const top = virtualWindow(0, 360, options);
    expect(top).toMatchObject({ start: 0, end: 10, height: 360_000, offset: 0 });
    const bottom = virtualWindow(360_000 - 360, 360, options);
    expect(bottom.end).toBe(1_000_000);
    expect(bottom.start).toBe(1_000_000 - 10);
    // The last row ends exactly at the bottom of the spacer.
    expect(bottom.offset + (bottom.end - bottom.start) * ROW).toBeCloseTo(360_000);
    const middle = virtualWindow((360_000 - 360) / 2, 360, options);
    expect(middle.start).toBeGreaterThan(499_000);
    expect(middle.start).toBeLessThan(501_000);
    // The rows drawn cover the viewport.
    expect(middle.offset).toBeLessThanOrEqual((360_000 - 360) / 2);
    expect(middle.offset + (middle.end - middle.start) * ROW).toBeGreaterThanOrEqual((360_000 - 360) / 2 + 360);
  });
});

describe("rowSlots", () => {
  it("holds every window, wherever it is scrolled", () => {
    for (const viewport of [480, 504, 700]) {
      const slots = rowSlots(viewport, ROW, 8);
      let largest = 0;
      for (let top = 0; top < 200 * ROW; top += 7) {
        const w = virtualWindow(top, viewport, { rowHeight: ROW, total: 250_000, overscan: 8 });
        largest = Math.max(largest, w.end - w.start);
      }
      // As many as the largest window, so the keys (index modulo slots) never clash.
      expect(largest).toBe(slots);
    }
  });
});

describe("pages", () => {
  it("knows the page of a row", () => {
    expect(pageOf(0, 200)).toBe(0);
    expect(pageOf(199, 200)).toBe(0);
    expect(pageOf(200, 200)).toBe(1);
    expect(pageOf(249_999, 200)).toBe(1249);
  });

  it("lists the pages a range of rows is on", () => {
    expect(pagesFor(0, 22, 200)).toEqual([0]);
    expect(pagesFor(992, 1022, 200)).toEqual([4, 5]);
    expect(pagesFor(199, 201, 200)).toEqual([0, 1]);
    expect(pagesFor(200, 400, 200)).toEqual([1]);
    expect(pagesFor(0, 1000, 200)).toEqual([0, 1, 2, 3, 4]);
    expect(pagesFor(5, 5, 200)).toEqual([]);
  });
});
