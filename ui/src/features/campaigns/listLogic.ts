// The campaign list's tabs, search, sort and row facts, as plain functions.
import type { CampaignListItem, CampaignStatus, MessageCounts } from "../../api";
import { progressOf } from "./detail";

export type TabId = "all" | CampaignStatus;

export const TABS: readonly { id: TabId; label: string }[] = [
  { id: "all", label: "All" },
  { id: "draft", label: "Draft" },
  { id: "scheduled", label: "Scheduled" },
  { id: "sending", label: "Sending" },
  { id: "paused", label: "Paused" },
  { id: "completed", label: "Completed" },
  { id: "canceled", label: "Canceled" },
  { id: "archived", label: "Archived" },
];

export type SortKey = "name" | "status" | "created" | "scheduled";
export type SortDir = "asc" | "desc";
export interface Sort {
  key: SortKey;
  dir: SortDir;
}

/** Lifecycle order, used when sorting by status. */
const STATUS_ORDER: readonly CampaignStatus[] = [
  "sending",
  "paused",
  "scheduled",
  "draft",
  "completed",
  "canceled",
  "archived",
];

/** "All" means every campaign that is not archived. */
export function inTab(item: Pick<CampaignListItem, "status">, tab: TabId): boolean {
  return tab === "all" ? item.status !== "archived" : item.status === tab;
}

export function tabCounts(items: readonly Pick<CampaignListItem, "status">[]): Record<TabId, number> {
  const counts = Object.fromEntries(TABS.map((t) => [t.id, 0])) as Record<TabId, number>;
  for (const item of items) {
    counts[item.status] += 1;
    if (item.status !== "archived") counts.all += 1;
  }
  return counts;
}

/** Case- and accent-insensitive form for searching ("Café" matches "cafe"). */
export function fold(text: string): string {
  return text.normalize("NFKD").replace(/\p{M}/gu, "").toLocaleLowerCase().trim();
}

export function matchesSearch(item: Pick<CampaignListItem, "name">, query: string): boolean {
  const q = fold(query);
  return q === "" || fold(item.name).includes(q);
}

const collator = new Intl.Collator(undefined, { sensitivity: "base", numeric: true });

function compareTime(a: string | null, b: string | null): number {
  return (a === null ? 0 : Date.parse(a)) - (b === null ? 0 : Date.parse(b));
}

/**
 * Sorted copy. Campaigns without a scheduled time go last whichever way the column is sorted;
 * ties fall back to newest first, then id, so the order is stable across refreshes.
 */
export function sortCampaigns<T extends CampaignListItem>(items: readonly T[], sort: Sort): T[] {
  const sign = sort.dir === "asc" ? 1 : -1;
  const tieBreak = (a: T, b: T) => compareTime(b.created_at, a.created_at) || b.id - a.id;
  return [...items].sort((a, b) => {
    let diff = 0;
    switch (sort.key) {
      case "name":
        diff = collator.compare(a.name, b.name);
        break;
      case "status":
        diff = STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status);
        break;
      case "created":
        diff = compareTime(a.created_at, b.created_at);
        break;
      case "scheduled":
        if (a.scheduled_at === null || b.scheduled_at === null) {
          if (a.scheduled_at === b.scheduled_at) return tieBreak(a, b);
          return a.scheduled_at === null ? 1 : -1;
        }
        diff = compareTime(a.scheduled_at, b.scheduled_at);
        break;
    }
    return diff * sign || tieBreak(a, b);
  });
}

/** The rows to show for a tab, a search and a sort. */
export function visibleCampaigns<T extends CampaignListItem>(
  items: readonly T[],
  tab: TabId,
  query: string,
  sort: Sort,
): T[] {
  return sortCampaigns(
    items.filter((item) => inTab(item, tab) && matchesSearch(item, query)),
    sort,
  );
}

/** Clicking a column header: the same column flips direction; a new one starts at its natural order. */
export function toggleSort(current: Sort, key: SortKey): Sort {
  if (current.key === key) return { key, dir: current.dir === "asc" ? "desc" : "asc" };
  return { key, dir: key === "created" ? "desc" : "asc" };
}

/** Messages that went out, of those to send (as on the campaign's page: see progressOf). */
export function progress(counts: MessageCounts): { sent: number; toSend: number } {
  const { sent, toSend } = progressOf(counts);
  return { sent, toSend };
}

export type RowAction = "open" | "edit" | "duplicate" | "archive" | "unarchive" | "delete" | "unschedule";

/** What the row menu offers for a campaign in this status. */
export function rowActions(status: CampaignStatus): RowAction[] {
  const actions: RowAction[] = ["open"];
  if (status === "draft") actions.push("edit");
  if (status === "scheduled") actions.push("unschedule");
  actions.push("duplicate");
  if (status === "draft" || status === "completed" || status === "canceled") actions.push("archive");
  if (status === "archived") actions.push("unarchive");
  if (status === "draft") actions.push("delete");
  return actions;
}
