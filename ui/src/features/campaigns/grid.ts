// The message grid's columns, filters and query, as plain functions.
import type { ErrorCount, MessageCounts, MessageQuery, MessageStatus, SortColumn } from "../../api";
import { formatCount } from "../../lib/format";

/** Rows per request: a few screens' worth, well under the backend's 5,000. */
export const GRID_PAGE_SIZE = 200;
/** Every row is this tall (px), so the scrollbar can be sized without measuring rows. */
export const ROW_HEIGHT = 36;
/** Rows rendered beyond each edge of the viewport. */
export const OVERSCAN = 8;
/** Pages kept in memory (12 × 200 = 2,400 rows, a few screens either way); the farthest from
 *  the screen go first. */
export const MAX_CACHED_PAGES = 12;
/** How long typing pauses before the search runs. */
export const SEARCH_DEBOUNCE_MS = 250;
/** The viewport height assumed before it can be measured (and in tests, which have no layout). */
export const FALLBACK_VIEWPORT_PX = 480;

/** "Who didn't get it?": carrier said no, Twilio said no, or it was never sendable. */
export const NOT_DELIVERED: readonly MessageStatus[] = ["undelivered", "failed", "error"];

/** The status chips, in the order people read the counters. */
export const STATUS_CHIPS: readonly MessageStatus[] = [
  "delivered",
  "sent",
  "undelivered",
  "failed",
  "error",
  "skipped",
  "canceled",
  "preparing",
];

export interface GridColumn {
  id: string;
  label: string;
  /** How the backend sorts by it; absent when it cannot. */
  sort?: SortColumn;
  /** Its width in px, or its least width when it grows. */
  min: number;
  /** Its share of the room left over, if it takes any. */
  grow?: number;
  numeric?: boolean;
}

// Sized so the whole grid fits a 1440 px window beside the sidebar; narrower, it scrolls
// sideways; wider, the member and error columns take the room.
export const GRID_COLUMNS: readonly GridColumn[] = [
  { id: "row", label: "#", sort: "row", min: 48, numeric: true },
  { id: "member", label: "Member", sort: "name", min: 128, grow: 1 },
  { id: "imis", label: "iMIS ID", sort: "imis_id", min: 76 },
  { id: "phone", label: "Phone", sort: "phone", min: 112 },
  { id: "status", label: "Status", sort: "status", min: 108 },
  { id: "twilio", label: "Twilio status", min: 88 },
  { id: "error", label: "Error", sort: "error_code", min: 128, grow: 1.6 },
  { id: "segments", label: "Segments", sort: "segments", min: 92, numeric: true },
  { id: "sent", label: "Sent", sort: "sent_at", min: 112 },
  { id: "updated", label: "Updated", sort: "updated_at", min: 112 },
  { id: "writeback", label: "Write-back", min: 84 },
];

/** The CSS grid tracks every row shares. */
export const GRID_TEMPLATE = GRID_COLUMNS.map((c) =>
  c.grow === undefined ? `${String(c.min)}px` : `minmax(${String(c.min)}px, ${String(c.grow)}fr)`,
).join(" ");

/** The grid's least width: below it, the grid scrolls sideways. */
export const GRID_MIN_WIDTH = GRID_COLUMNS.reduce((sum, c) => sum + c.min, 0);

export interface GridFilter {
  statuses: readonly MessageStatus[];
  errorCode: number | null;
  search: string;
}

export interface GridSort {
  column: SortColumn;
  descending: boolean;
}

export const DEFAULT_SORT: GridSort = { column: "row", descending: false };

/** The backend's query for one page of the grid. */
export function gridQuery(filter: GridFilter, sort: GridSort, offset: number, limit: number): MessageQuery {
  const search = filter.search.trim();
  return {
    statuses: [...filter.statuses],
    error_code: filter.errorCode,
    search: search === "" ? null : search,
    sort: sort.column,
    descending: sort.descending,
    offset,
    limit,
  };
}

/** Clicking a header: the same column flips its direction, another one sorts ascending. */
export function nextSort(current: GridSort, column: SortColumn): GridSort {
  if (current.column === column) return { column, descending: !current.descending };
  return { column, descending: false };
}

export function ariaSort(current: GridSort, column: SortColumn | undefined): "ascending" | "descending" | undefined {
  if (column === undefined || current.column !== column) return undefined;
  return current.descending ? "descending" : "ascending";
}

/** The statuses with `status` switched on or off, in chip order. */
export function toggleStatus(statuses: readonly MessageStatus[], status: MessageStatus): MessageStatus[] {
  const on = new Set(statuses);
  if (on.has(status)) on.delete(status);
  else on.add(status);
  return STATUS_CHIPS.filter((s) => on.has(s));
}

function sameSet(a: readonly MessageStatus[], b: readonly MessageStatus[]): boolean {
  return a.length === b.length && a.every((s) => b.includes(s));
}

/** Whether exactly the Not delivered statuses are chosen. */
export function isNotDelivered(statuses: readonly MessageStatus[]): boolean {
  return sameSet(statuses, NOT_DELIVERED);
}

/** The Not delivered quick filter: on, or back to everything when it already is. */
export function toggleNotDelivered(statuses: readonly MessageStatus[]): MessageStatus[] {
  return isNotDelivered(statuses) ? [] : [...NOT_DELIVERED];
}

export function notDeliveredCount(counts: MessageCounts): number {
  return NOT_DELIVERED.reduce((sum, status) => sum + counts[status], 0);
}

export function hasFilter(filter: GridFilter): boolean {
  return filter.statuses.length > 0 || filter.errorCode !== null || filter.search.trim() !== "";
}

/** Cuts `text` at a word before `max` characters, with "…". */
export function shorten(text: string, max: number): string {
  const clean = text.trim();
  if (clean.length <= max) return clean;
  const cut = clean.slice(0, max);
  const space = cut.lastIndexOf(" ");
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,.;:—-]+$/u, "")}…`;
}

/** "30003 — The phone is switched off… (1,204)". */
export function errorOptionLabel(entry: ErrorCount): string {
  const words = entry.explanation.trim().replace(/[.\s]+$/u, "");
  const head = words === "" ? String(entry.error_code) : `${String(entry.error_code)} — ${shorten(words, 48)}`;
  return `${head} (${formatCount(entry.count)})`;
}

/** "1,234 of 250,000 messages"; "1 of 1 message"; "More than 10,000 of 1,000,000 messages"
 *  while the matches are still being counted (`more`). */
export function countLabel(shown: number, all: number, more = false): string {
  const matching = more ? `More than ${formatCount(shown)}` : formatCount(shown);
  return `${matching} of ${formatCount(all)} ${all === 1 ? "message" : "messages"}`;
}

/** How many rows match, as a page's answer says: all of them, or (`more`) the rows counted
 *  so far, the backend counting a step past the page asked for. */
export interface GridCount {
  total: number;
  more: boolean;
}

/**
 * The count to keep after a page's answer, given the one kept for the same query (null:
 * none yet). An exact count wins over a partial one that does not go past it (a page near
 * the top is counted less far than one scrolled to), and partial counts only grow.
 */
export function mergeCount(kept: GridCount | null, page: GridCount): GridCount {
  if (kept === null || !page.more) return page;
  if (!kept.more) return kept.total >= page.total ? kept : page;
  return { total: Math.max(kept.total, page.total), more: true };
}

/**
 * The grid's number of rows: the count, or, while it is partial, the number the campaign's
 * counts give when the filter is statuses alone (or nothing): all its messages, or the sum
 * of those statuses'. Then the whole list scrolls, and the number agrees with the chips'.
 */
export function gridRows(count: GridCount, filter: GridFilter, counts: MessageCounts): GridCount {
  if (!count.more || filter.search.trim() !== "" || filter.errorCode !== null) return count;
  const known =
    filter.statuses.length === 0 ? counts.total : filter.statuses.reduce((sum, status) => sum + counts[status], 0);
  return known > count.total ? { total: known, more: false } : count;
}

/** The grid's active cell: `row` -1 is the header row. */
export interface CellPosition {
  row: number;
  col: number;
}

/**
 * Where a key moves the grid's active cell (the ARIA grid pattern): arrows by one cell, Page
 * Up/Down by a screenful of rows, Home/End to the row's first/last cell, Ctrl+Home/End to the
 * first/last row. Null: the key is not the grid's.
 */
export function moveCell(
  at: CellPosition,
  key: string,
  ctrl: boolean,
  shape: { rows: number; cols: number; pageRows: number },
): CellPosition | null {
  const lastRow = shape.rows - 1;
  const lastCol = shape.cols - 1;
  const clampRow = (r: number) => Math.max(-1, Math.min(r, lastRow));
  switch (key) {
    case "ArrowDown":
      return { row: clampRow(at.row + 1), col: at.col };
    case "ArrowUp":
      return { row: clampRow(at.row - 1), col: at.col };
    case "ArrowRight":
      return { row: at.row, col: Math.min(at.col + 1, lastCol) };
    case "ArrowLeft":
      return { row: at.row, col: Math.max(at.col - 1, 0) };
    case "PageDown":
      return { row: clampRow(Math.max(at.row, 0) + shape.pageRows), col: at.col };
    case "PageUp":
      return { row: clampRow(Math.max(at.row - shape.pageRows, 0)), col: at.col };
    case "Home":
      return ctrl ? { row: shape.rows > 0 ? 0 : -1, col: 0 } : { row: at.row, col: 0 };
    case "End":
      return ctrl ? { row: lastRow, col: lastCol } : { row: at.row, col: lastCol };
    default:
      return null;
  }
}
