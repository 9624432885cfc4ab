// Step 2 (Target audience), the iMIS side: browsing the query folders, the query's filter form,
// and the words around a run. Paths look like "$/Folder/Query"; "$" is the top folder.
import type { QueryEntry, QueryParameter } from "../../api";
import { formatCount, formatRelative } from "../../lib/format";

export const ROOT = "$";

/** An example path for hints and messages. */
export const EXAMPLE_PATH = "$/Herald Demo/All members";

/** One step of the breadcrumb above the query list. */
export interface Crumb {
  name: string;
  path: string;
}

/** The path without surrounding spaces or a trailing slash ("$/Members/" → "$/Members"). */
export function normalizePath(text: string): string {
  return text.trim().replace(/\/+$/, "");
}

/** Whether `text` reads as an iMIS document path. */
export function isQueryPath(text: string): boolean {
  const path = normalizePath(text);
  return path === ROOT || path.startsWith(`${ROOT}/`);
}

/** The folders from the top down to `folder`, the top one named `rootLabel`. */
export function breadcrumb(folder: string, rootLabel: string): Crumb[] {
  const path = normalizePath(folder);
  const crumbs: Crumb[] = [{ name: rootLabel, path: ROOT }];
  if (!path.startsWith(`${ROOT}/`)) return crumbs;
  let current = ROOT;
  for (const part of path.slice(ROOT.length + 1).split("/")) {
    if (part === "") continue;
    current = `${current}/${part}`;
    crumbs.push({ name: part, path: current });
  }
  return crumbs;
}

/** The folder that holds `path`; null at the top. */
export function parentFolder(path: string): string | null {
  const normalized = normalizePath(path);
  if (normalized === ROOT || !normalized.startsWith(`${ROOT}/`)) return null;
  return normalized.slice(0, normalized.lastIndexOf("/"));
}

/** Folders first, then queries, each by name as people sort ("Query 2" before "Query 10"). */
export function sortEntries(entries: readonly QueryEntry[]): QueryEntry[] {
  const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
  return [...entries].sort(
    (a, b) => (a.kind === b.kind ? 0 : a.kind === "folder" ? -1 : 1) || collator.compare(a.name, b.name),
  );
}

/** Why the typed path cannot be run, or null when it can. */
export function pathError(text: string): string | null {
  const path = normalizePath(text);
  if (path === "") return "Choose a query in the list above, or type its path.";
  if (!isQueryPath(path)) return `Query paths start with $/, for example ${EXAMPLE_PATH}.`;
  if (path === ROOT) return "That is the top folder: choose a query inside it.";
  return null;
}

/**
 * Where focus goes in a list of `length` items on `key` (arrows, Home, End, Page Up/Down), or
 * null when the key does not move it. Stops at the ends rather than wrapping.
 */
export function rovingIndex(current: number, key: string, length: number, page = 10): number | null {
  if (length === 0) return null;
  const last = length - 1;
  const from = Math.min(Math.max(current, 0), last);
  switch (key) {
    case "ArrowDown":
      return Math.min(from + 1, last);
    case "ArrowUp":
      return Math.max(from - 1, 0);
    case "Home":
      return 0;
    case "End":
      return last;
    case "PageDown":
      return Math.min(from + page, last);
    case "PageUp":
      return Math.max(from - page, 0);
    default:
      return null;
  }
}

// --- the filter form -----------------------------------------------------------------------

/** The form's values, by parameter name. */
export type ParamValues = Record<string, string>;

/** One value per parameter: the previous one for the same name (e.g. the draft's), else empty (= any). */
export function initialParams(
  parameters: readonly QueryParameter[],
  previous: Readonly<Partial<Record<string, string>>> = {},
): ParamValues {
  const values: ParamValues = {};
  for (const p of parameters) values[p.name] = previous[p.name] ?? "";
  return values;
}

/** What the run sends: the query's own parameters with a value, trimmed; empty ones mean "any". */
export function paramsToSend(parameters: readonly QueryParameter[], values: Readonly<ParamValues>): Record<string, string> {
  const sent: Record<string, string> = {};
  for (const p of parameters) {
    const value = (values[p.name] ?? "").trim();
    if (value !== "") sent[p.name] = value;
  }
  return sent;
}

/** The parameter's label for people. */
export function paramLabel(p: Pick<QueryParameter, "name" | "prompt">): string {
  return p.prompt.trim() === "" ? p.name : p.prompt.trim();
}

/**
 * The choices of a parameter that lists its values: "Any" first, then the values, plus the
 * current value when the list does not have it (a draft saved with another value keeps it).
 */
export function paramOptions(p: Pick<QueryParameter, "values">, current: string): { value: string; label: string }[] {
  const values = [...new Set(p.values)].filter((v) => v !== "");
  if (current !== "" && !values.includes(current)) values.push(current);
  return [{ value: "", label: "Any" }, ...values.map((v) => ({ value: v, label: v }))];
}

// --- after a run ---------------------------------------------------------------------------

/** How long iMIS took: "under 0.1 s", "0.4 s", "12 s", "2 min 5 s". */
export function formatFetchTime(ms: number): string {
  if (!Number.isFinite(ms) || ms < 50) return "under 0.1 s";
  if (ms < 9_950) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  return rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`;
}

/** "1,234 members · fetched in 0.4 s". */
export function fetchInfo(rowCount: number, fetchMs: number): string {
  return `${formatCount(rowCount)} ${rowCount === 1 ? "member" : "members"} · fetched in ${formatFetchTime(fetchMs)}`;
}

/** The sentence under a draft's cached query rows. */
export function cachedNote(path: string, fetchedAt: string, now: Date): string {
  return `Cached ${formatRelative(fetchedAt, now)} from ${path} — the draft works offline; Run again to refresh.`;
}
