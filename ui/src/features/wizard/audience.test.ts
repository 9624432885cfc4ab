import { describe, expect, it } from "vitest";
import type { AudiencePreview } from "../../api";
import { audienceComplete, checkColumns, initialColumns, readCsvText } from "./audience";

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
