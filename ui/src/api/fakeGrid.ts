// The fake backend's message grid: the same filters, search and order as the real one
// (src-tauri/core/src/store/grid.rs), computed in memory. A campaign's messages come from a
// MessageSource: the stored array, or rows made on demand from their index, so the demo can
// hold a 250,000-message campaign without keeping 250,000 objects.
import type {
  ErrorCount,
  MessageCounts,
  MessagePage,
  MessageQuery,
  MessageRow,
  MessageStatus,
  SortColumn,
  TimelinePoint,
} from "./bindings";
import { EMPTY_COUNTS, explainCode } from "./fakeSending";

/** The most rows one page may ask for (as the backend clamps it). */
export const GRID_MAX_LIMIT = 5000;

/** What the grid filters and sorts a row by. Times may be ISO strings or ms (each sorts alike). */
export interface RowFacts {
  id: number;
  status: MessageStatus;
  error_code: number | null;
  member_name: string | null;
  imis_id: string | null;
  to: string | null;
  segments: number;
  sent_at: string | number | null;
  updated_at: string | number;
}

export interface MessageSource {
  readonly size: number;
  /** The row at `index`, in audience order. */
  at(index: number): MessageRow;
  /** What the grid needs of row `index`, cheaper than making the row. */
  facts(index: number): RowFacts;
  /** The rows never change, so answers about them can be kept. */
  readonly frozen: boolean;
}

export function arraySource(messages: readonly MessageRow[]): MessageSource {
  const at = (index: number) => {
    const row = messages[index];
    if (!row) throw new RangeError(`no message at ${String(index)}`);
    return row;
  };
  return { size: messages.length, at, facts: at, frozen: false };
}

/** A frozen source whose rows are made from their index, and whose counts are worked out once. */
export function generatedSource(
  size: number,
  make: (index: number) => MessageRow,
  facts: (index: number) => RowFacts,
): MessageSource & { counts: () => MessageCounts } {
  let counts: MessageCounts | null = null;
  return {
    size,
    at: make,
    facts,
    frozen: true,
    counts: () => {
      if (counts === null) {
        const tally = { ...EMPTY_COUNTS, total: size };
        for (let i = 0; i < size; i++) tally[facts(i).status] += 1;
        counts = tally;
      }
      return { ...counts };
    },
  };
}

/**
 * What to look for, as the backend reads the search box: trimmed; a phone number loses its
 * formatting ("(201) 555-01" → "20155501"); case does not matter. Null when there is nothing.
 */
export function searchNeedle(search: string | null | undefined): string | null {
  const text = (search ?? "").trim();
  if (text === "") return null;
  const digits = text.replace(/\D/g, "");
  const numeric = digits !== "" && /^[\d +\-().]+$/.test(text);
  return (numeric ? digits : text).toLowerCase();
}

function matches(row: RowFacts, statuses: ReadonlySet<MessageStatus>, code: number | null, needle: string | null): boolean {
  if (statuses.size > 0 && !statuses.has(row.status)) return false;
  if (code !== null && row.error_code !== code) return false;
  if (needle === null) return true;
  return [row.member_name, row.imis_id, row.to].some((value) => value?.toLowerCase().includes(needle) === true);
}

type Key = string | number | null;

function sortKey(row: RowFacts, column: SortColumn): Key {
  switch (column) {
    case "row":
      // Audience order is id order within a campaign.
      return row.id;
    case "name":
      // SQLite's NOCASE.
      return row.member_name?.toLowerCase() ?? null;
    case "imis_id":
      return row.imis_id;
    case "phone":
      return row.to;
    case "status":
      return row.status;
    case "error_code":
      return row.error_code;
    case "segments":
      return row.segments;
    case "sent_at":
      return row.sent_at;
    case "updated_at":
      return row.updated_at;
  }
}

/** SQLite's order: NULL first, then numbers, then text. */
function compareKeys(a: Key, b: Key): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (typeof a === "number" && typeof b === "string") return -1;
  if (typeof a === "string" && typeof b === "number") return 1;
  return a < b ? -1 : 1;
}

function queryKey(q: MessageQuery): string {
  return JSON.stringify([
    [...(q.statuses ?? [])].sort(),
    q.error_code ?? null,
    searchNeedle(q.search),
    q.sort ?? "row",
    q.descending ?? false,
  ]);
}

/** Answers about frozen sources, by query: the matching indexes in order. */
const kept = new WeakMap<MessageSource, Map<string, Int32Array>>();
const KEPT_PER_SOURCE = 8;

/** The indexes of the rows matching `q`, in its order; null when that is every row in audience order. */
function ordered(source: MessageSource, q: MessageQuery): Int32Array | null {
  const statuses = new Set(q.statuses ?? []);
  const code = q.error_code ?? null;
  const needle = searchNeedle(q.search);
  const sort = q.sort ?? "row";
  const descending = q.descending ?? false;
  if (statuses.size === 0 && code === null && needle === null && sort === "row" && !descending) return null;

  const key = queryKey(q);
  const cache = source.frozen ? (kept.get(source) ?? new Map<string, Int32Array>()) : null;
  const hit = cache?.get(key);
  if (hit) return hit;

  const found: { index: number; key: Key; id: number }[] = [];
  for (let i = 0; i < source.size; i++) {
    const row = source.facts(i);
    if (matches(row, statuses, code, needle)) found.push({ index: i, key: sortKey(row, sort), id: row.id });
  }
  // Ties break by id (audience order within a campaign), in the same direction, as the backend's do.
  const direction = descending ? -1 : 1;
  found.sort((a, b) => direction * (compareKeys(a.key, b.key) || a.id - b.id));
  const result = Int32Array.from(found, (f) => f.index);

  if (cache) {
    if (cache.size >= KEPT_PER_SOURCE) {
      const oldest = cache.keys().next().value;
      if (oldest !== undefined) cache.delete(oldest);
    }
    cache.set(key, result);
    kept.set(source, cache);
  }
  return result;
}

/** The step in which the backend counts matching rows, up to the next multiple past the page (`COUNT_AHEAD` in store/grid.rs). */
export const GRID_COUNT_AHEAD = 10_000;

/** One page of the grid and the number of matching rows. */
export function gridPage(source: MessageSource, q: MessageQuery): MessagePage {
  const offset = Math.max(Math.trunc(q.offset ?? 0), 0);
  const limit = Math.min(Math.max(Math.trunc(q.limit), 1), GRID_MAX_LIMIT);
  const order = ordered(source, q);
  const total = order ? order.length : source.size;
  const rows: MessageRow[] = [];
  for (let k = offset; k < Math.min(offset + limit, total); k++) {
    rows.push(structuredClone(source.at(order ? (order[k] ?? 0) : k)));
  }
  // Counted a step past the page, as the backend does.
  const counted = (Math.floor((offset + limit) / GRID_COUNT_AHEAD) + 1) * GRID_COUNT_AHEAD;
  return { rows, total: Math.min(total, counted), more: total > counted };
}

/** Every row matching `q` (offset and limit ignored), as the export writes them. */
export function gridAll(source: MessageSource, q: MessageQuery): MessageRow[] {
  const order = ordered(source, q);
  const total = order ? order.length : source.size;
  return Array.from({ length: total }, (_, k) => source.at(order ? (order[k] ?? 0) : k));
}

const keptCodes = new WeakMap<MessageSource, ErrorCount[]>();

/** The error codes in the messages, most frequent first (then by code), with what they mean. */
export function errorCounts(source: MessageSource): ErrorCount[] {
  const hit = keptCodes.get(source);
  if (hit) return structuredClone(hit);
  const counts = new Map<number, number>();
  for (let i = 0; i < source.size; i++) {
    const code = source.facts(i).error_code;
    if (code !== null) counts.set(code, (counts.get(code) ?? 0) + 1);
  }
  const result = [...counts]
    .map(([error_code, count]) => ({ error_code, count, explanation: explainCode(error_code) }))
    .sort((a, b) => b.count - a.count || a.error_code - b.error_code);
  if (source.frozen) keptCodes.set(source, result);
  return structuredClone(result);
}

/** A campaign's name as a file name's stem, as the backend's report::file_stem: letters and
 *  digits kept, every run of anything else one dash ("campaign" when nothing is left). */
export function fileStem(campaignName: string): string {
  const stem = Array.from(campaignName, (ch) => (/[\p{L}\p{N}]/u.test(ch) ? ch : "-"))
    .join("")
    .replace(/^-+|-+$/g, "")
    .replace(/-{2,}/g, "-");
  return stem === "" ? "campaign" : stem;
}

/** The name the Save dialog suggests for an export, as the backend makes it: the campaign, then
 *  the workstation's date ("Board-election-get-out-the-vote messages 2026-03-12.csv"). */
export function exportFileName(campaignName: string, at: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  const date = `${String(at.getFullYear())}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
  return `${fileStem(campaignName)} messages ${date}.csv`;
}

function seconds(t: string | number): number {
  return Math.floor((typeof t === "number" ? t : Date.parse(t)) / 1000);
}

/** "Statuses over time", as the backend works it out (store/timeline.rs): cumulative counts
 *  at up to `maxPoints` moments from the first send to the last update, after a zero point. */
export function timelinePoints(source: MessageSource, maxPoints = 240): TimelinePoint[] {
  let start = Infinity;
  let end = -Infinity;
  for (let i = 0; i < source.size; i++) {
    const f = source.facts(i);
    if (f.sent_at !== null) {
      start = Math.min(start, seconds(f.sent_at));
      end = Math.max(end, seconds(f.sent_at));
    }
    if (["sent", "delivered", "undelivered", "failed"].includes(f.status)) end = Math.max(end, seconds(f.updated_at));
  }
  if (!Number.isFinite(start)) return [];
  end = Math.max(end, start);
  const n = Math.max(maxPoints, 1);
  const width = Math.max(Math.floor((end - start) / n) + 1, 1);
  const buckets = Math.max(Math.ceil((end - start) / width), 1);
  // Per bucket b, four counts from b * 4: sent, delivered, undelivered, failed.
  const per = new Float64Array(buckets * 4);
  const add = (t: number, k: number) => {
    const b = Math.min(Math.max(0, Math.floor((t - start) / width)), buckets - 1);
    per[b * 4 + k] = (per[b * 4 + k] ?? 0) + 1;
  };
  const slot = { delivered: 1, undelivered: 2, failed: 3 } as const;
  for (let i = 0; i < source.size; i++) {
    const f = source.facts(i);
    if (f.sent_at !== null) add(seconds(f.sent_at), 0);
    if (f.status === "delivered" || f.status === "undelivered" || f.status === "failed") {
      add(seconds(f.updated_at), slot[f.status]);
    }
  }
  const iso = (s: number) => new Date(s * 1000).toISOString();
  const points: TimelinePoint[] = [{ at: iso(start), sent: 0, delivered: 0, undelivered: 0, failed: 0 }];
  let [sent, delivered, undelivered, failed] = [0, 0, 0, 0];
  for (let b = 0; b < buckets; b++) {
    sent += per[b * 4] ?? 0;
    delivered += per[b * 4 + 1] ?? 0;
    undelivered += per[b * 4 + 2] ?? 0;
    failed += per[b * 4 + 3] ?? 0;
    points.push({ at: iso(Math.min(start + (b + 1) * width, Math.max(end, start + 1))), sent, delivered, undelivered, failed });
  }
  return points;
}
