import { describe, expect, it } from "vitest";
import type { SettingEntry } from "../../api";
import {
  capResetWords,
  checkWindow,
  dayChoiceOf,
  daysInWords,
  daysOf,
  DEFAULT_WINDOW,
  formOf,
  sameWindow,
  specOf,
  topZones,
  waitingLines,
  windowChange,
  windowDiffers,
  windowFromSettings,
  windowInWords,
  type WindowForm,
} from "./window";

const form = (over: Partial<WindowForm> = {}): WindowForm => ({ ...formOf(DEFAULT_WINDOW), ...over });

describe("days", () => {
  it("reads Sunday from noon as Sunday with its rule, and writes it back", () => {
    const choice = dayChoiceOf(["mon", "fri", "sun_from_noon"]);
    expect(choice.days).toMatchObject({ mon: true, tue: false, fri: true, sun: true });
    expect(choice.sundayFromNoon).toBe(true);
    expect(daysOf(choice)).toEqual(["mon", "fri", "sun_from_noon"]);
    expect(daysOf({ ...choice, sundayFromNoon: false })).toEqual(["mon", "fri", "sun"]);
    // "sun" wins, as in the backend.
    expect(dayChoiceOf(["sun", "sun_from_noon"]).sundayFromNoon).toBe(false);
  });

  it("says the days as people do", () => {
    expect(daysInWords(["mon", "tue", "wed", "thu", "fri", "sat", "sun"])).toBe("every day");
    expect(daysInWords(["mon", "tue", "wed", "thu", "fri", "sat", "sun_from_noon"])).toBe("every day (Sundays from noon)");
    expect(daysInWords(["mon", "tue", "wed", "thu", "fri"])).toBe("Monday to Friday");
    expect(daysInWords(["mon", "wed", "fri"])).toBe("Monday, Wednesday and Friday");
    expect(daysInWords(["sat", "sun"])).toBe("Saturday and Sunday");
    expect(daysInWords(["mon", "tue", "wed", "thu", "fri", "sun_from_noon"])).toBe("Monday to Friday and Sunday from noon");
  });
});

describe("checkWindow", () => {
  it("accepts the default window", () => {
    expect(checkWindow(form())).toBeNull();
  });

  it("names the field to fix, in words", () => {
    expect(checkWindow(form({ start: "" }))).toEqual({
      field: "start",
      message: "Enter the earliest time texts may arrive, such as 09:00.",
    });
    expect(checkWindow(form({ end: "" }))?.field).toBe("end");
    expect(checkWindow(form({ start: "20:00", end: "09:00" }))).toEqual({
      field: "end",
      message: "The latest time (9:00) must be after the earliest (20:00): texts arrive between the two on the same day.",
    });
    expect(checkWindow(form({ end: "09:00" }))?.field).toBe("end");
    const none = form();
    for (const day of Object.keys(none.days) as (keyof WindowForm["days"])[]) none.days[day] = false;
    expect(checkWindow(none)).toEqual({ field: "days", message: "Choose at least one day on which texts may arrive." });
  });

  it("refuses a window that only opens on Sunday afternoons but closes in the morning", () => {
    const sundays = dayChoiceOf(["sun_from_noon"]);
    expect(checkWindow({ ...form({ end: "11:00" }), ...sundays })?.message).toMatch(/^On Sundays texts start at noon/);
    expect(checkWindow({ ...form({ end: "13:00" }), ...sundays })).toBeNull();
  });

  it("still checks the times while any hour is chosen (the backend keeps them)", () => {
    expect(checkWindow(form({ anyHour: true, end: "08:00" }))?.field).toBe("end");
  });
});

describe("saving the window", () => {
  it("writes the form as the backend reads it", () => {
    expect(specOf(form({ start: "08:30", anyHour: true }))).toEqual({
      start: "08:30",
      end: "20:00",
      days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
      enabled: false,
    });
  });

  it("saves only a change that can be saved", () => {
    const saved = { start: "9:00", end: "20:00", days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], enabled: true };
    expect(sameWindow(saved, DEFAULT_WINDOW)).toBe(true);
    expect(windowChange(saved, form())).toBeNull();
    expect(windowDiffers(saved, form())).toBe(false);
    expect(windowChange(saved, form({ end: "19:00" }))).toMatchObject({ end: "19:00" });
    expect(windowChange(saved, form({ end: "08:00" }))).toBeNull();
    expect(windowDiffers(saved, form({ end: "08:00" }))).toBe(true);
    expect(windowChange(saved, null)).toBeNull();
  });

  it("reads the Settings' window, with the default for what is missing", () => {
    const entry = (key: string, value: string): SettingEntry => ({
      key,
      kind: "text",
      value,
      default: "",
      is_default: false,
      choices: [],
      description: "",
    });
    expect(
      windowFromSettings([
        entry("window.enabled", "off"),
        entry("window.start", "08:00"),
        entry("window.days", "mon,tue,sun_from_noon"),
      ]),
    ).toEqual({ start: "08:00", end: "20:00", days: ["mon", "tue", "sun_from_noon"], enabled: false });
    expect(windowFromSettings([])).toEqual(DEFAULT_WINDOW);
  });
});

describe("windowInWords", () => {
  it("says when texts arrive, or that there is no window", () => {
    expect(windowInWords(DEFAULT_WINDOW)).toBe("Texts arrive 9:00–20:00 in each member's time zone, every day");
    expect(windowInWords({ start: "10:00", end: "18:30", days: ["mon", "tue", "wed", "thu", "fri"] })).toBe(
      "Texts arrive 10:00–18:30 in each member's time zone, Monday to Friday",
    );
    expect(windowInWords(null)).toBe("At any hour");
    expect(windowInWords({ ...DEFAULT_WINDOW, enabled: false })).toBe("At any hour");
  });
});

describe("topZones and waitingLines", () => {
  it("keeps the six biggest zones and adds up the rest", () => {
    const zones = ["A", "B", "C", "D", "E", "F", "G", "H"].map((zone, i) => ({ zone, label: zone, recipients: 10 + i }));
    const { shown, others } = topZones(zones);
    expect(shown.map((z) => z.zone)).toEqual(["H", "G", "F", "E", "D", "C"]);
    expect(others).toEqual({ zones: 2, recipients: 10 + 11 });
    expect(topZones(zones.slice(0, 3)).others).toBeNull();
  });

  it("shows three sentences, then how many more zones wait", () => {
    const words = ["a", "b", "c", "d", "e"];
    expect(waitingLines(words)).toEqual({ shown: ["a", "b", "c"], more: "and 2 more zones" });
    expect(waitingLines(words.slice(0, 4)).more).toBe("and 1 more zone");
    expect(waitingLines(words.slice(0, 3)).more).toBeNull();
  });
});

describe("capResetWords", () => {
  const now = new Date("2026-12-07T15:00:00Z");

  it("says when midnight UTC is here", () => {
    expect(capResetWords("UTC", "America/New_York", now)).toBe("The daily limit resets at midnight UTC (7 pm in New York).");
    expect(capResetWords("UTC", "America/Los_Angeles", now)).toBe(
      "The daily limit resets at midnight UTC (4 pm in Los Angeles).",
    );
    expect(capResetWords("UTC", "Asia/Kolkata", now)).toBe("The daily limit resets at midnight UTC (5:30 am in Kolkata).");
    // Summer time moves it.
    expect(capResetWords("UTC", "America/New_York", new Date("2026-07-01T15:00:00Z"))).toBe(
      "The daily limit resets at midnight UTC (8 pm in New York).",
    );
  });

  it("says so when this computer keeps UTC", () => {
    expect(capResetWords("UTC", "UTC", now)).toBe("The daily limit resets at midnight UTC, which is midnight here too.");
  });
});
