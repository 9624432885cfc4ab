import { describe, expect, it } from "vitest";
import { PageCache } from "./pages";

const rows = (page: number, size = 4) => Array.from({ length: size }, (_, k) => `row ${String(page * size + k)}`);

describe("PageCache", () => {
  it("finds a row in its page, and knows which pages are missing", () => {
    const cache = new PageCache<string>(4, 10);
    expect(cache.needed([0, 1])).toEqual([0, 1]);
    cache.put(1, rows(1), cache.generation);
    expect(cache.row(5)).toBe("row 5");
    expect(cache.row(0)).toBeUndefined();
    expect(cache.needed([0, 1])).toEqual([0]);
  });

  it("keeps showing pages after a refresh, but asks for them again", () => {
    const cache = new PageCache<string>(4, 10);
    cache.put(0, rows(0), cache.generation);
    cache.put(1, rows(1), cache.generation);
    cache.markStale();
    expect(cache.row(1)).toBe("row 1");
    expect(cache.needed([1])).toEqual([1]);
    cache.put(1, ["new 4", "new 5", "new 6", "new 7"], cache.generation);
    expect(cache.needed([0, 1])).toEqual([0]);
    expect(cache.row(5)).toBe("new 5");
  });

  it("does not let an answer from before a refresh replace a newer one", () => {
    const cache = new PageCache<string>(4, 10);
    const old = cache.generation;
    cache.markStale();
    cache.put(0, ["fresh"], cache.generation);
    cache.put(0, ["stale"], old);
    expect(cache.row(0)).toBe("fresh");
  });

  it("forgets everything for a new query", () => {
    const cache = new PageCache<string>(4, 10);
    cache.put(0, rows(0), cache.generation);
    cache.clear();
    expect(cache.size).toBe(0);
    expect(cache.needed([0])).toEqual([0]);
  });

  it("drops the pages farthest from the screen first", () => {
    const cache = new PageCache<string>(4, 3);
    for (const page of [0, 1, 2, 3, 4, 5]) cache.put(page, rows(page), cache.generation);
    cache.evict([4]);
    expect(cache.size).toBe(3);
    expect([0, 1, 2, 3, 4, 5].filter((p) => cache.needed([p]).length === 0)).toEqual([3, 4, 5]);
  });

  it("keeps the pages on screen even when they alone are more than the cap", () => {
    const cache = new PageCache<string>(4, 1);
    cache.put(0, rows(0), cache.generation);
    cache.put(1, rows(1), cache.generation);
    cache.evict([0, 1]);
    expect(cache.size).toBe(2);
  });
});
