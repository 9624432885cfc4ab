import { describe, expect, it } from "vitest";
import type { CampaignListItem, CampaignStatus } from "../../api";
import {
  fold,
  progress,
  rowActions,
  sortCampaigns,
  tabCounts,
  toggleSort,
  visibleCampaigns,
} from "./listLogic";

let nextId = 1;
function item(name: string, status: CampaignStatus, extra: Partial<CampaignListItem> = {}): CampaignListItem {
  return {
    id: nextId++,
    name,
    status,
    mode: "test",
    audience_size: null,
    counts: { total: 0, preparing: 0, sent: 0, delivered: 0, undelivered: 0, failed: 0, error: 0, skipped: 0, canceled: 0 },
    delivered_rate: null,
    scheduled_at: null,
    started_at: null,
    completed_at: null,
    created_at: "2025-01-01T00:00:00Z",
    updated_at: "2025-01-01T00:00:00Z",
    ...extra,
  };
}

const items = [
  item("Spring reminder", "completed", { created_at: "2025-03-01T10:00:00Z", scheduled_at: "2025-03-05T10:00:00Z" }),
  item("Café renewals", "scheduled", { created_at: "2025-03-02T10:00:00Z", scheduled_at: "2025-03-20T10:00:00Z" }),
  item("board vote", "sending", { created_at: "2025-02-01T10:00:00Z", scheduled_at: "2025-03-10T10:00:00Z" }),
  item("Annual meeting", "archived", { created_at: "2024-06-01T10:00:00Z" }),
  item("Draft 10", "draft", { created_at: "2025-03-03T10:00:00Z" }),
  item("Draft 9", "draft", { created_at: "2025-03-04T10:00:00Z" }),
];

describe("tabCounts", () => {
  it("counts each status, and All leaves archived out", () => {
    const counts = tabCounts(items);
    expect(counts).toEqual({
      all: 5,
      draft: 2,
      scheduled: 1,
      sending: 1,
      paused: 0,
      completed: 1,
      canceled: 0,
      archived: 1,
    });
  });
});

describe("visibleCampaigns", () => {
  const byName = { key: "name", dir: "asc" } as const;

  it("shows only the tab's campaigns", () => {
    expect(visibleCampaigns(items, "draft", "", byName).map((c) => c.name)).toEqual(["Draft 9", "Draft 10"]);
    expect(visibleCampaigns(items, "all", "", byName).map((c) => c.status)).not.toContain("archived");
    expect(visibleCampaigns(items, "archived", "", byName).map((c) => c.name)).toEqual(["Annual meeting"]);
  });

  it("searches names ignoring case and accents", () => {
    expect(visibleCampaigns(items, "all", "cafe", byName).map((c) => c.name)).toEqual(["Café renewals"]);
    expect(visibleCampaigns(items, "all", "  BOARD ", byName).map((c) => c.name)).toEqual(["board vote"]);
    expect(visibleCampaigns(items, "draft", "spring", byName)).toEqual([]);
  });
});

describe("sortCampaigns", () => {
  const names = (sorted: CampaignListItem[]) => sorted.map((c) => c.name);
  const live = items.filter((c) => c.status !== "archived");

  it("sorts names naturally and without regard to case", () => {
    expect(names(sortCampaigns(live, { key: "name", dir: "asc" }))).toEqual([
      "board vote",
      "Café renewals",
      "Draft 9",
      "Draft 10",
      "Spring reminder",
    ]);
  });

  it("sorts by creation time either way", () => {
    expect(names(sortCampaigns(live, { key: "created", dir: "desc" }))[0]).toBe("Draft 9");
    expect(names(sortCampaigns(live, { key: "created", dir: "asc" }))[0]).toBe("board vote");
  });

  it("puts unscheduled campaigns last in both directions", () => {
    const asc = names(sortCampaigns(live, { key: "scheduled", dir: "asc" }));
    const desc = names(sortCampaigns(live, { key: "scheduled", dir: "desc" }));
    expect(asc.slice(0, 3)).toEqual(["Spring reminder", "board vote", "Café renewals"]);
    expect(desc.slice(0, 3)).toEqual(["Café renewals", "board vote", "Spring reminder"]);
    expect(asc.slice(3)).toEqual(["Draft 9", "Draft 10"]);
    expect(desc.slice(3)).toEqual(["Draft 9", "Draft 10"]);
  });

  it("sorts by lifecycle, active campaigns first", () => {
    expect(sortCampaigns(live, { key: "status", dir: "asc" }).map((c) => c.status)).toEqual([
      "sending",
      "scheduled",
      "draft",
      "draft",
      "completed",
    ]);
  });

  it("does not change its input", () => {
    const copy = [...live];
    sortCampaigns(live, { key: "name", dir: "desc" });
    expect(live).toEqual(copy);
  });
});

describe("toggleSort", () => {
  it("flips the same column and starts new ones at their natural order", () => {
    expect(toggleSort({ key: "name", dir: "asc" }, "name")).toEqual({ key: "name", dir: "desc" });
    expect(toggleSort({ key: "name", dir: "asc" }, "created")).toEqual({ key: "created", dir: "desc" });
    expect(toggleSort({ key: "created", dir: "desc" }, "scheduled")).toEqual({ key: "scheduled", dir: "asc" });
  });
});

describe("row facts", () => {
  it("counts the texts that went out, of those to send, like the campaign's page", () => {
    const counts = { ...item("x", "sending").counts, total: 500, preparing: 120, sent: 300, delivered: 80 };
    expect(progress(counts)).toEqual({ sent: 380, toSend: 500 });
    // Not sendable and skipped recipients are not waiting: nothing sent is 0 of 50, not 50 of 100.
    const none = { ...item("y", "sending").counts, total: 100, preparing: 50, error: 40, skipped: 10 };
    expect(progress(none)).toEqual({ sent: 0, toSend: 50 });
  });

  it("offers delete only for drafts and unschedule only when scheduled", () => {
    expect(rowActions("draft")).toContain("delete");
    expect(rowActions("completed")).not.toContain("delete");
    expect(rowActions("scheduled")).toContain("unschedule");
    expect(rowActions("sending")).toEqual(["open", "duplicate"]);
    expect(rowActions("archived")).toContain("unarchive");
  });

  it("folds accents and case", () => {
    expect(fold("Zoë ÉMILE")).toBe("zoe emile");
  });
});
