import { describe, expect, it } from "vitest";
import type { QueryEntry, QueryParameter } from "../../api";
import {
  breadcrumb,
  cachedNote,
  fetchInfo,
  formatFetchTime,
  initialParams,
  isQueryPath,
  normalizePath,
  paramLabel,
  paramOptions,
  paramsToSend,
  parentFolder,
  pathError,
  rovingIndex,
  sortEntries,
} from "./query";

const param = (over: Partial<QueryParameter> = {}): QueryParameter => ({
  name: "MemberType",
  prompt: "Member type",
  operation: "Equal",
  allow_multiple: false,
  values: ["REG", "STU"],
  ...over,
});

describe("paths", () => {
  it("splits a folder into a breadcrumb from the top", () => {
    expect(breadcrumb("$", "iMIS")).toEqual([{ name: "iMIS", path: "$" }]);
    expect(breadcrumb("$/Herald Demo/Events/", "iMIS")).toEqual([
      { name: "iMIS", path: "$" },
      { name: "Herald Demo", path: "$/Herald Demo" },
      { name: "Events", path: "$/Herald Demo/Events" },
    ]);
    expect(breadcrumb("nonsense", "Top")).toEqual([{ name: "Top", path: "$" }]);
  });

  it("finds the parent folder, none above the top", () => {
    expect(parentFolder("$/Herald Demo/Events")).toBe("$/Herald Demo");
    expect(parentFolder("$/Herald Demo")).toBe("$");
    expect(parentFolder("$")).toBeNull();
    expect(parentFolder("Members")).toBeNull();
  });

  it("reads typed paths", () => {
    expect(normalizePath("  $/Herald Demo/All members/ ")).toBe("$/Herald Demo/All members");
    expect(isQueryPath("$/Members")).toBe(true);
    expect(isQueryPath("Members/All")).toBe(false);
    expect(isQueryPath("$Members")).toBe(false);
    expect(pathError("")).toMatch(/Choose a query/);
    expect(pathError("Members/All")).toBe("Query paths start with $/, for example $/Herald Demo/All members.");
    expect(pathError("$/")).toMatch(/top folder/);
    expect(pathError("$/Herald Demo/All members")).toBeNull();
  });

  it("puts folders first, then sorts by name as people do", () => {
    const e = (name: string, kind: QueryEntry["kind"]): QueryEntry => ({ name, path: `$/${name}`, kind });
    const sorted = sortEntries([e("b query 10", "query"), e("Zeta", "folder"), e("b query 2", "query"), e("alpha", "folder")]);
    expect(sorted.map((x) => x.name)).toEqual(["alpha", "Zeta", "b query 2", "b query 10"]);
  });

  it("moves focus with the keys and stops at the ends", () => {
    expect(rovingIndex(0, "ArrowDown", 3)).toBe(1);
    expect(rovingIndex(2, "ArrowDown", 3)).toBe(2);
    expect(rovingIndex(0, "ArrowUp", 3)).toBe(0);
    expect(rovingIndex(1, "End", 3)).toBe(2);
    expect(rovingIndex(2, "Home", 3)).toBe(0);
    expect(rovingIndex(0, "PageDown", 30)).toBe(10);
    expect(rovingIndex(5, "PageUp", 30)).toBe(0);
    expect(rovingIndex(0, "Enter", 3)).toBeNull();
    expect(rovingIndex(0, "ArrowDown", 0)).toBeNull();
  });
});

describe("the filter form", () => {
  it("starts from the draft's values for the same names, else any", () => {
    const params = [param(), param({ name: "Chapter", prompt: "", values: [] })];
    expect(initialParams(params, { MemberType: "STU", Other: "x" })).toEqual({ MemberType: "STU", Chapter: "" });
    expect(initialParams(params)).toEqual({ MemberType: "", Chapter: "" });
  });

  it("sends only the query's own parameters that have a value, trimmed", () => {
    const params = [param(), param({ name: "Chapter", values: [] })];
    expect(paramsToSend(params, { MemberType: " STU ", Chapter: "  ", Stale: "x" })).toEqual({ MemberType: "STU" });
    expect(paramsToSend([], { MemberType: "STU" })).toEqual({});
  });

  it("labels by prompt and offers Any first", () => {
    expect(paramLabel(param())).toBe("Member type");
    expect(paramLabel(param({ prompt: " " }))).toBe("MemberType");
    expect(paramOptions(param(), "")).toEqual([
      { value: "", label: "Any" },
      { value: "REG", label: "REG" },
      { value: "STU", label: "STU" },
    ]);
    expect(paramOptions(param(), "LIFE").map((o) => o.value)).toEqual(["", "REG", "STU", "LIFE"]);
  });
});

describe("after a run", () => {
  it("formats how long iMIS took", () => {
    expect(formatFetchTime(12)).toBe("under 0.1 s");
    expect(formatFetchTime(400)).toBe("0.4 s");
    expect(formatFetchTime(1_260)).toBe("1.3 s");
    expect(formatFetchTime(12_400)).toBe("12 s");
    expect(formatFetchTime(125_000)).toBe("2 min 5 s");
    expect(formatFetchTime(120_000)).toBe("2 min");
  });

  it("says how many members and how fast", () => {
    expect(fetchInfo(1234, 400)).toBe("1,234 members · fetched in 0.4 s");
    expect(fetchInfo(1, 2_000)).toBe("1 member · fetched in 2.0 s");
    expect(fetchInfo(0, 90)).toBe("0 members · fetched in 0.1 s");
  });

  it("says how old the cached rows are and where they came from", () => {
    const now = new Date("2025-03-12T15:00:00Z");
    expect(cachedNote("$/Herald Demo/All members", "2025-03-12T12:00:00Z", now)).toBe(
      "Cached 3 hours ago from $/Herald Demo/All members — the draft works offline; Run again to refresh.",
    );
    expect(cachedNote("$/X", "2025-03-12T14:59:50Z", now)).toMatch(/^Cached just now from \$\/X/);
  });
});
