import { describe, expect, it } from "vitest";
import type { MessageCounts } from "../../api";
import {
  ariaSort,
  countLabel,
  DEFAULT_SORT,
  errorOptionLabel,
  GRID_COLUMNS,
  GRID_MIN_WIDTH,
  GRID_TEMPLATE,
  gridQuery,
  gridRows,
  hasFilter,
  isNotDelivered,
  mergeCount,
  moveCell,
  nextSort,
  notDeliveredCount,
  shorten,
  STATUS_CHIPS,
  toggleNotDelivered,
  toggleStatus,
} from "./grid";

describe("the grid's query", () => {
  it("sends the filters, the search and the order for one page", () => {
    expect(
      gridQuery({ statuses: ["failed"], errorCode: 30003, search: "  Zoë " }, { column: "name", descending: true }, 400, 200),
    ).toEqual({ statuses: ["failed"], error_code: 30003, search: "Zoë", sort: "name", descending: true, offset: 400, limit: 200 });
  });

  it("sends no search for a blank box", () => {
    expect(gridQuery({ statuses: [], errorCode: null, search: "   " }, DEFAULT_SORT, 0, 200)).toMatchObject({
      statuses: [],
      error_code: null,
      search: null,
      sort: "row",
      descending: false,
    });
  });

  it("knows when anything is filtered", () => {
    expect(hasFilter({ statuses: [], errorCode: null, search: " " })).toBe(false);
    expect(hasFilter({ statuses: ["sent"], errorCode: null, search: "" })).toBe(true);
    expect(hasFilter({ statuses: [], errorCode: 30005, search: "" })).toBe(true);
    expect(hasFilter({ statuses: [], errorCode: null, search: "555" })).toBe(true);
  });
});

describe("sorting by a header", () => {
  it("sorts ascending first, then flips, and says so for aria-sort", () => {
    const byName = nextSort(DEFAULT_SORT, "name");
    expect(byName).toEqual({ column: "name", descending: false });
    expect(nextSort(byName, "name")).toEqual({ column: "name", descending: true });
    expect(nextSort({ column: "name", descending: true }, "sent_at")).toEqual({ column: "sent_at", descending: false });
    expect(ariaSort(byName, "name")).toBe("ascending");
    expect(ariaSort({ column: "name", descending: true }, "name")).toBe("descending");
    expect(ariaSort(byName, "phone")).toBeUndefined();
    expect(ariaSort(byName, undefined)).toBeUndefined();
  });

  it("has a column for each thing the brief lists, sortable where the backend can", () => {
    expect(GRID_COLUMNS.map((c) => c.label)).toEqual([
      "#",
      "Member",
      "iMIS ID",
      "Phone",
      "Status",
      "Twilio status",
      "Error",
      "Segments",
      "Sent",
      "Updated",
      "Write-back",
    ]);
    expect(GRID_COLUMNS.flatMap((c) => (c.sort ? [c.sort] : []))).toEqual([
      "row",
      "name",
      "imis_id",
      "phone",
      "status",
      "error_code",
      "segments",
      "sent_at",
      "updated_at",
    ]);
  });

  it("lays the columns out as grid tracks, the member and error columns taking the room left", () => {
    expect(GRID_TEMPLATE.split(" ").filter((t) => t.startsWith("minmax"))).toEqual(["minmax(128px,", "minmax(128px,"]);
    expect(GRID_TEMPLATE).toContain("minmax(128px, 1.6fr)");
    expect(GRID_MIN_WIDTH).toBe(1088);
  });
});

describe("status filters", () => {
  it("switches a status on and off, in chip order", () => {
    expect(toggleStatus([], "failed")).toEqual(["failed"]);
    expect(toggleStatus(["failed"], "delivered")).toEqual(["delivered", "failed"]);
    expect(toggleStatus(["delivered", "failed"], "failed")).toEqual(["delivered"]);
    expect([...STATUS_CHIPS].sort()).toEqual(["canceled", "delivered", "error", "failed", "preparing", "sent", "skipped", "undelivered"]);
  });

  it("has a Not delivered quick filter: undelivered, failed and error", () => {
    const on = toggleNotDelivered([]);
    expect(on).toEqual(["undelivered", "failed", "error"]);
    expect(isNotDelivered(on)).toBe(true);
    expect(isNotDelivered(["error", "failed", "undelivered"])).toBe(true);
    expect(isNotDelivered(["failed"])).toBe(false);
    expect(toggleNotDelivered(on)).toEqual([]);
    expect(toggleNotDelivered(["delivered"])).toEqual(["undelivered", "failed", "error"]);
    const counts: MessageCounts = { total: 100, preparing: 1, sent: 2, delivered: 80, undelivered: 7, failed: 3, error: 2, skipped: 4, canceled: 1 };
    expect(notDeliveredCount(counts)).toBe(12);
  });
});

describe("words", () => {
  it("labels an error code with what it means", () => {
    expect(errorOptionLabel({ error_code: 30003, count: 1204, explanation: "The phone is switched off or out of reach." })).toBe(
      "30003 — The phone is switched off or out of reach (1,204)",
    );
    expect(
      errorOptionLabel({
        error_code: 30007,
        count: 3,
        explanation: "The carrier filtered the message as spam or it breaks the carrier's content rules.",
      }),
    ).toBe("30007 — The carrier filtered the message as spam or it… (3)");
    expect(errorOptionLabel({ error_code: 12345, count: 1, explanation: "" })).toBe("12345 (1)");
  });

  it("shortens at a word", () => {
    expect(shorten("short", 10)).toBe("short");
    expect(shorten("The phone is switched off or out of reach", 26)).toBe("The phone is switched off…");
    expect(shorten("Supercalifragilistic", 8)).toBe("Supercal…");
  });

  it("counts what is shown out of everything", () => {
    expect(countLabel(1234, 250_000)).toBe("1,234 of 250,000 messages");
    expect(countLabel(1, 1)).toBe("1 of 1 message");
    expect(countLabel(0, 180)).toBe("0 of 180 messages");
    expect(countLabel(10_000, 1_000_000, true)).toBe("More than 10,000 of 1,000,000 messages");
  });

  it("keeps the furthest count of a query, and an exact one over a shorter partial one", () => {
    const partial = (total: number) => ({ total, more: true });
    const exact = (total: number) => ({ total, more: false });
    expect(mergeCount(null, partial(10_000))).toEqual(partial(10_000));
    expect(mergeCount(partial(10_000), partial(20_000))).toEqual(partial(20_000));
    // A page near the top answers after one scrolled further: the count does not shrink.
    expect(mergeCount(partial(20_000), partial(10_000))).toEqual(partial(20_000));
    expect(mergeCount(exact(10_050), partial(10_000))).toEqual(exact(10_050));
    expect(mergeCount(partial(20_000), exact(10_050))).toEqual(exact(10_050));
    // A live update grew the matches past what was counted exactly.
    expect(mergeCount(exact(9_000), partial(10_000))).toEqual(partial(10_000));
  });

  it("takes the campaign's own counts when the filter is statuses alone, even before the count is whole", () => {
    const counts: MessageCounts = {
      total: 1_000_000,
      preparing: 0,
      sent: 0,
      delivered: 900_000,
      undelivered: 60_000,
      failed: 40_000,
      error: 0,
      skipped: 0,
      canceled: 0,
    };
    const partial = { total: 10_000, more: true };
    const none = { statuses: [], errorCode: null, search: "" };
    expect(gridRows(partial, none, counts)).toEqual({ total: 1_000_000, more: false });
    expect(gridRows(partial, { ...none, statuses: ["undelivered", "failed"] }, counts)).toEqual({ total: 100_000, more: false });
    // A search or an error code: only the backend knows; the count stays partial.
    expect(gridRows(partial, { ...none, statuses: ["failed"], search: "Ann" }, counts)).toEqual(partial);
    expect(gridRows(partial, { ...none, errorCode: 30003 }, counts)).toEqual(partial);
    // An exact count is the backend's; counts that lag behind a partial one do not shrink it.
    expect(gridRows({ total: 42, more: false }, none, counts)).toEqual({ total: 42, more: false });
    expect(gridRows({ total: 20_000, more: true }, { ...none, statuses: ["sent"] }, counts)).toEqual({ total: 20_000, more: true });
  });
});

describe("moving through the grid with the keyboard", () => {
  const shape = { rows: 100, cols: 11, pageRows: 10 };
  it("moves by a cell, a screenful and to the ends, never outside", () => {
    expect(moveCell({ row: 0, col: 0 }, "ArrowDown", false, shape)).toEqual({ row: 1, col: 0 });
    expect(moveCell({ row: 0, col: 0 }, "ArrowUp", false, shape)).toEqual({ row: -1, col: 0 });
    expect(moveCell({ row: -1, col: 3 }, "ArrowUp", false, shape)).toEqual({ row: -1, col: 3 });
    expect(moveCell({ row: 99, col: 3 }, "ArrowDown", false, shape)).toEqual({ row: 99, col: 3 });
    expect(moveCell({ row: 5, col: 10 }, "ArrowRight", false, shape)).toEqual({ row: 5, col: 10 });
    expect(moveCell({ row: 5, col: 0 }, "ArrowLeft", false, shape)).toEqual({ row: 5, col: 0 });
    expect(moveCell({ row: 5, col: 2 }, "PageDown", false, shape)).toEqual({ row: 15, col: 2 });
    expect(moveCell({ row: -1, col: 2 }, "PageDown", false, shape)).toEqual({ row: 10, col: 2 });
    expect(moveCell({ row: 95, col: 2 }, "PageDown", false, shape)).toEqual({ row: 99, col: 2 });
    expect(moveCell({ row: 5, col: 2 }, "PageUp", false, shape)).toEqual({ row: 0, col: 2 });
    expect(moveCell({ row: 5, col: 2 }, "Home", false, shape)).toEqual({ row: 5, col: 0 });
    expect(moveCell({ row: 5, col: 2 }, "End", false, shape)).toEqual({ row: 5, col: 10 });
    expect(moveCell({ row: 5, col: 2 }, "Home", true, shape)).toEqual({ row: 0, col: 0 });
    expect(moveCell({ row: 5, col: 2 }, "End", true, shape)).toEqual({ row: 99, col: 10 });
    expect(moveCell({ row: 5, col: 2 }, "a", false, shape)).toBeNull();
  });

  it("stays on the header when there are no rows", () => {
    const none = { rows: 0, cols: 11, pageRows: 10 };
    expect(moveCell({ row: -1, col: 0 }, "ArrowDown", false, none)).toEqual({ row: -1, col: 0 });
    expect(moveCell({ row: -1, col: 0 }, "Home", true, none)).toEqual({ row: -1, col: 0 });
  });
});
