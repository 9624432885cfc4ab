import { describe, expect, it } from "vitest";
import { analyze, parseCsv } from "./fakeCompose";

// The mock is rough on purpose; these only keep it honest about the shapes the UI relies on.
describe("mock composition", () => {
  it("reads quoted CSV fields and reports ragged rows by line", () => {
    expect(parseCsv('\uFEFFID,Note\r\n1,"Hi, ""you"""\r\n\r\n2,x\n')).toEqual({
      columns: ["ID", "Note"],
      rows: [
        ["1", 'Hi, "you"'],
        ["2", "x"],
      ],
    });
    expect(() => parseCsv("ID,Mobile\n1,2\n1,2,3\n")).toThrow("line 3: this row has 3 fields but the header names 2 columns");
  });

  it("finds forcing characters at UTF-16 offsets and offers look-alikes", () => {
    const a = analyze("😜 It’s ${FirstName}", ["FirstName"], ["Zoë"]);
    expect(a.encoding).toBe("UCS-2");
    expect(a.preview).toBe("😜 It’s Zoë");
    expect(a.forcing.map((f) => [f.ch, f.utf16_offset, f.look_alike])).toEqual([
      ["😜", 0, null],
      ["’", 5, "'"],
    ]);
    expect(a.forcing_from_values).toEqual(["ë"]);
    expect(a.smart_template).toBe("😜 It's ${FirstName}");
    const typo = analyze("Hi ${FirstNme}", ["FirstName"], []);
    expect(typo.problems).toEqual([
      {
        message: "Unknown merge field ${FirstNme} at position 3 — did you mean ${FirstName}?",
        utf16_offset: 3,
        suggestion: "FirstName",
      },
    ]);
  });
});
