import { describe, expect, it } from "vitest";
import type { ForcingChar } from "../../api";
import { analyze } from "../../api/fakeCompose";
import {
  charName,
  fixProblem,
  insertAtCaret,
  onlyEmojiForce,
  recipientLabel,
  removeEmoji,
  showChar,
  splitHighlights,
  summarizeForcing,
} from "./message";

const f = (ch: string, utf16_offset: number, look_alike: string | null = null): ForcingChar => ({
  ch,
  utf16_offset,
  look_alike,
});

describe("splitHighlights", () => {
  it("cuts at UTF-16 offsets, with surrogate pairs counting two", () => {
    // The backend's own example: 😜 is two code units, so ’ sits at 5.
    const text = "😜 It’s ${FirstName}";
    const pieces = splitHighlights(text, [f("😜", 0), f("’", 5, "'")]);
    expect(pieces.map((p) => [p.text, p.forcing?.ch ?? null])).toEqual([
      ["😜", "😜"],
      [" It", null],
      ["’", "’"],
      ["s ${FirstName}", null],
    ]);
    expect(pieces.map((p) => p.text).join("")).toBe(text);
  });

  it("handles marks at the very end, adjacent marks and several emoji", () => {
    const text = "a😜😜”";
    const pieces = splitHighlights(text, [f("”", 5), f("😜", 3), f("😜", 1)]);
    expect(pieces.map((p) => [p.text, p.forcing !== null])).toEqual([
      ["a", false],
      ["😜", true],
      ["😜", true],
      ["”", true],
    ]);
  });

  it("leaves out entries that do not match the text (a stale analysis)", () => {
    const pieces = splitHighlights("It's fine", [f("’", 2), f("😜", 40)]);
    expect(pieces).toEqual([{ text: "It's fine", forcing: null }]);
  });

  it("gives nothing for an empty text", () => {
    expect(splitHighlights("", [])).toEqual([]);
  });
});

describe("insertAtCaret", () => {
  it("inserts at the caret and puts the caret after the insertion", () => {
    expect(insertAtCaret("Hi !", 3, 3, "${FirstName}")).toEqual({ text: "Hi ${FirstName}!", caret: 15 });
  });

  it("replaces a selection, whichever way it was made", () => {
    expect(insertAtCaret("Hi NAME!", 7, 3, "${FirstName}")).toEqual({ text: "Hi ${FirstName}!", caret: 15 });
  });

  it("keeps surrogate pairs whole around the caret and clamps wild positions", () => {
    expect(insertAtCaret("😜", 2, 2, "x")).toEqual({ text: "😜x", caret: 3 });
    expect(insertAtCaret("ab", 99, 99, "!")).toEqual({ text: "ab!", caret: 3 });
    expect(insertAtCaret("ab", -4, 0, "!")).toEqual({ text: "!ab", caret: 1 });
  });
});

describe("fixProblem", () => {
  it("replaces the unknown field at its offset by the suggestion", () => {
    const template = "It’s… ${FirstNme}, ${FirstNme}";
    const fixed = fixProblem(template, { message: "", utf16_offset: 6, suggestion: "FirstName" });
    expect(fixed).toEqual({ text: "It’s… ${FirstName}, ${FirstNme}", caret: 18 });
  });

  it("does nothing without a suggestion or when the text moved", () => {
    expect(fixProblem("Hi ${X}", { message: "", utf16_offset: 3, suggestion: null })).toBeNull();
    expect(fixProblem("Hi ${X}", { message: "", utf16_offset: 1, suggestion: "Y" })).toBeNull();
    expect(fixProblem("Hi ${X", { message: "", utf16_offset: 3, suggestion: "Y" })).toBeNull();
  });
});

describe("names of characters", () => {
  it("names the usual suspects and shows invisible ones by code point", () => {
    expect(charName("’")).toBe("curly apostrophe");
    expect(charName("😜")).toBe("emoji");
    expect(charName("ç")).toBe("c with cedilla");
    expect(charName("á")).toBe("letter outside GSM-7");
    expect(showChar("\u00A0")).toBe("U+00A0");
    expect(showChar("  ")).toBe("2 spaces");
    expect(showChar("...")).toBe("...");
  });

  it("lists each character once, with how often it occurs", () => {
    expect(summarizeForcing([f("’", 2, "'"), f("😜", 5), f("’", 9, "'")])).toEqual([
      { ch: "’", name: "curly apostrophe", lookAlike: "'", count: 2 },
      { ch: "😜", name: "emoji", lookAlike: null, count: 1 },
    ]);
  });
});

describe("recipientLabel", () => {
  it("uses the name columns and the line in the file", () => {
    expect(recipientLabel(["ID", "FirstName", "LastName"], ["1", "Zoë", "Brown"], 0)).toBe("Zoë Brown (line 2)");
    expect(recipientLabel(["ID", "Full_Name"], ["1", "Ann Lee"], 3)).toBe("Ann Lee (line 5)");
    expect(recipientLabel(["ID", "Mobile"], ["1", "555"], 1)).toBe("Recipient on line 3");
  });
});

describe("emoji", () => {
  /** What the backend says forces UCS-2 in `text` (one entry per code point, as it does). */
  const forcingOf = (text: string) => analyze(text, ["FirstName"], ["Ann"]).forcing;
  const remove = (text: string) => removeEmoji(text, forcingOf(text))?.text;

  it("offers their removal only when they alone force UCS-2", () => {
    expect(onlyEmojiForce("Party 🎉 tonight", forcingOf("Party 🎉 tonight"))).toBe(true);
    expect(onlyEmojiForce("I ❤️ it", forcingOf("I ❤️ it"))).toBe(true);
    // A curly apostrophe forces it too: removing the emoji would not be enough.
    expect(onlyEmojiForce("It’s on 🎉", forcingOf("It’s on 🎉"))).toBe(false);
    expect(onlyEmojiForce("Plain text", forcingOf("Plain text"))).toBe(false);
    // An analysis of another text.
    expect(onlyEmojiForce("Party tonight", forcingOf("Party 🎉 tonight"))).toBe(false);
    expect(removeEmoji("It’s on 🎉", forcingOf("It’s on 🎉"))).toBeNull();
  });

  it("removes each emoji whole: skin tone, variation selector, ZWJ sequence, flag, keycap", () => {
    expect(removeEmoji("Hi 👋🏽 ${FirstName}", forcingOf("Hi 👋🏽 ${FirstName}"))).toEqual({
      text: "Hi ${FirstName}",
      removed: 1,
    });
    expect(remove("Family 👨‍👩‍👧 day")).toBe("Family day");
    expect(remove("I ❤️ it")).toBe("I it");
    expect(remove("Vote 1️⃣ now 🇫🇷")).toBe("Vote now");
    const many = "Yay 🎉🎉 see you";
    expect(removeEmoji(many, forcingOf(many))?.removed).toBe(2);
  });

  it("keeps the rest of the text as it is, but for the space an emoji leaves doubled", () => {
    expect(remove("Hi 🎉 all")).toBe("Hi all");
    expect(remove("Yay 🎉🎉 see you")).toBe("Yay see you");
    expect(remove("🎉 Party at 8")).toBe("Party at 8");
    expect(remove("Thanks 🎉\nSee you 🎉🎉")).toBe("Thanks\nSee you");
    expect(remove("Hi 👋, Ann")).toBe("Hi, Ann");
    expect(remove("Two  spaces stay ☕ here, ${FirstName}!")).toBe("Two  spaces stay here, ${FirstName}!");
    expect(remove("no space🎉before")).toBe("no spacebefore");
  });
});
