import { describe, expect, it } from "vitest";
import type { AudiencePreview } from "../../api";
import { audienceComplete, audienceKind, checkColumns, initialColumns, originOf, readCsvText, sourceWith } from "./audience";

const preview = (over: Partial<AudiencePreview> = {}): AudiencePreview => ({
  columns: ["ID", "FirstName", "Cell"],
  rows: [["1", "Zoë", "201-555-0123"]],
  row_count: 1,
  fetched_at: "2025-03-12T12:00:00Z",
  source_name: "members.csv",
  source: null,
  suggested_id_column: "ID",
  suggested_phone_column: "Cell",
  ...over,
});

describe("readCsvText", () => {
  it("decodes UTF-8, with or without a byte-order mark", async () => {
    const bytes = new TextEncoder().encode("\uFEFFID,FirstName\n1,Zoë\n");
    await expect(readCsvText(new File([bytes], "m.csv"))).resolves.toBe("ID,FirstName\n1,Zoë\n");
  });

  it("refuses text in another encoding with a message people can act on", async () => {
    const latin1 = new Uint8Array([0x49, 0x44, 0x0a, 0x5a, 0x6f, 0xeb]); // "ID\nZoë" in Windows-1252
    await expect(readCsvText(new File([latin1], "members.csv"))).rejects.toThrow(
      "members.csv is not UTF-8 text: save it as CSV UTF-8 and try again.",
    );
  });
});

describe("columns", () => {
  it("prefers the draft's saved columns, then the guesses", () => {
    const source = { query: null, params: {}, csv: "m.csv", id_column: "FirstName", phone_column: "Cell" };
    expect(initialColumns(preview({ source }), null)).toEqual({ idColumn: "FirstName", phoneColumn: "Cell" });
    expect(initialColumns(preview(), null)).toEqual({ idColumn: "ID", phoneColumn: "Cell" });
    const gone = { ...source, id_column: "MemberID" };
    expect(initialColumns(preview({ suggested_id_column: null }), gone)).toEqual({ idColumn: "", phoneColumn: "Cell" });
  });

  it("needs a file, both columns, and two different ones", () => {
    expect(checkColumns(null, { idColumn: "", phoneColumn: "" }).file).toMatch(/CSV file/);
    expect(checkColumns(null, { idColumn: "", phoneColumn: "" }, "imis")).toEqual({
      query: "Choose the iMIS query with the people to text, then run it.",
    });
    expect(checkColumns(preview(), { idColumn: "ID", phoneColumn: "" })).toEqual({
      phoneColumn: "Choose the column that holds the mobile phone number.",
    });
    expect(checkColumns(preview(), { idColumn: "ID", phoneColumn: "ID" }).phoneColumn).toMatch(/different/);
    expect(checkColumns(preview(), { idColumn: "ID", phoneColumn: "Cell" })).toEqual({});
  });

  it("is complete once the draft has saved columns that the rows have", () => {
    expect(audienceComplete(null)).toBe(false);
    expect(audienceComplete(preview())).toBe(false);
    const source = { query: null, params: {}, csv: "m.csv", id_column: "ID", phone_column: "Cell" };
    expect(audienceComplete(preview({ source }))).toBe(true);
    expect(audienceComplete(preview({ source: { ...source, phone_column: "Mobile" } }))).toBe(false);
  });
});

describe("where the rows came from", () => {
  const query = { query: "$/Herald Demo/Members by type", params: { MemberType: "STU" }, csv: null, id_column: "ID", phone_column: "Mobile" };

  it("reads the snapshot's own name first: a query path, else a file", () => {
    const fromQuery = preview({ source_name: "$/Herald Demo/Members by type", source: query });
    expect(originOf(fromQuery, null)).toEqual({ query: "$/Herald Demo/Members by type", params: { MemberType: "STU" }, csv: null });
    // The saved parameters belong to another query: not carried over.
    expect(originOf(preview({ source_name: "$/Herald Demo/All members" }), query)).toEqual({
      query: "$/Herald Demo/All members",
      params: {},
      csv: null,
    });
    expect(originOf(preview(), query)).toEqual({ query: null, params: {}, csv: "members.csv" });
    expect(originOf(preview({ source_name: null }), query)?.query).toBe("$/Herald Demo/Members by type");
    expect(originOf(null, query)).toEqual({ query: "$/Herald Demo/Members by type", params: { MemberType: "STU" }, csv: null });
    expect(originOf(null, null)).toBeNull();
  });

  it("opens on the side the audience came from, the iMIS query when there is none", () => {
    expect(audienceKind(null, null)).toBe("imis");
    expect(audienceKind(null, query)).toBe("imis");
    expect(audienceKind(null, { ...query, query: null, csv: "m.csv" })).toBe("csv");
    expect(audienceKind(preview(), query)).toBe("csv");
    expect(audienceKind(preview({ source_name: "$/Herald Demo/All members" }), null)).toBe("imis");
  });

  it("saves the columns with the rows' origin", () => {
    const choice = { idColumn: "ID", phoneColumn: "Mobile" };
    expect(sourceWith({ query: "$/Q", params: { A: "1" }, csv: "stale.csv" }, choice)).toEqual({
      query: "$/Q",
      params: { A: "1" },
      csv: null,
      id_column: "ID",
      phone_column: "Mobile",
    });
    expect(sourceWith({ query: null, params: { A: "1" }, csv: "m.csv" }, choice)).toEqual({
      query: null,
      params: {},
      csv: "m.csv",
      id_column: "ID",
      phone_column: "Mobile",
    });
  });
});
