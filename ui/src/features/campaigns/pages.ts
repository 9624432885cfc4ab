// The grid's rows as fetched from the backend: pages of a fixed size for one query, each
// remembered with the refresh it came from, so a live update re-fetches only what is on
// screen and shows the older rows until the new ones arrive.

export interface Page<Row> {
  rows: readonly Row[];
  /** The refresh this page was fetched in (see PageCache.generation). */
  generation: number;
}

export class PageCache<Row> {
  /** Bumped by markStale: pages fetched before are still shown, but fetched again when needed. */
  private current = 0;

  constructor(
    readonly pageSize: number,
    /** Pages kept at most; the ones farthest from what is needed go first. */
    readonly maxPages: number,
    /** Where the pages live: a component passes a SvelteMap, so reading a row tracks its page. */
    private readonly pages: Map<number, Page<Row>> = new Map<number, Page<Row>>(),
  ) {}

  get generation(): number {
    return this.current;
  }

  get size(): number {
    return this.pages.size;
  }

  /** The row at `index`, if its page has been fetched (even before a refresh). */
  row(index: number): Row | undefined {
    const page = this.pages.get(Math.floor(index / this.pageSize));
    return page?.rows[index % this.pageSize];
  }

  /** Keeps a page fetched in `generation`, unless a newer copy is already kept. */
  put(page: number, rows: readonly Row[], generation: number): void {
    const kept = this.pages.get(page);
    if (kept && kept.generation > generation) return;
    this.pages.set(page, { rows, generation });
  }

  /** Of `wanted`, the pages that are missing or older than the last refresh. */
  needed(wanted: readonly number[]): number[] {
    return wanted.filter((page) => (this.pages.get(page)?.generation ?? -1) < this.current);
  }

  /** A live update: every page may be out of date. */
  markStale(): void {
    this.current += 1;
  }

  /** A new query: nothing kept applies any more. */
  clear(): void {
    this.pages.clear();
    this.current += 1;
  }

  /** Drops the pages farthest from `around` (the pages on screen) until at most maxPages are kept. */
  evict(around: readonly number[]): void {
    if (this.pages.size <= this.maxPages) return;
    const centre = around.length === 0 ? 0 : ((around[0] ?? 0) + (around[around.length - 1] ?? 0)) / 2;
    const far = [...this.pages.keys()]
      .filter((page) => !around.includes(page))
      .sort((a, b) => Math.abs(b - centre) - Math.abs(a - centre));
    for (const page of far.slice(0, this.pages.size - this.maxPages)) this.pages.delete(page);
  }
}
