import { describe, expect, it } from "vitest";
import { cleanWindow, isOpen, nextOpen, waitInWords } from "./fakeWindow";
import { api } from "./index";
import { installMock } from "./mock";

const SENDING = 4; // "Board election: get out the vote"
const SURVEY = 7; // "Member survey (draft)", with a cached CSV audience
const WINDOW = { start: "9:00", end: "20:00", days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun_from_noon"] };

describe("the fake's sending window", () => {
  it("is checked and written as the backend does", () => {
    expect(cleanWindow(WINDOW)).toEqual({ ...WINDOW, start: "09:00", enabled: true });
    expect(() => cleanWindow({ ...WINDOW, end: "08:00" })).toThrow(
      "the window ends (08:00) before it starts (9:00): overnight windows are not allowed",
    );
    expect(() => cleanWindow({ ...WINDOW, days: [] })).toThrow("the window allows no day at all");
  });

  it("opens at the start time in each zone, and on Sundays from noon", () => {
    // Friday 27 November 2026, 15:00 UTC: 10:00 in New York, 7:00 in Los Angeles.
    const at = Date.parse("2026-11-27T15:00:00Z");
    expect(isOpen(WINDOW, at, "America/New_York")).toBe(true);
    expect(isOpen(WINDOW, at, "America/Los_Angeles")).toBe(false);
    expect(new Date(nextOpen(WINDOW, at, "America/Los_Angeles")).toISOString()).toBe("2026-11-27T17:00:00.000Z");
    // Sunday 29 November, 10:00 in New York: not before noon.
    expect(new Date(nextOpen(WINDOW, Date.parse("2026-11-29T15:00:00Z"), "America/New_York")).toISOString()).toBe(
      "2026-11-29T17:00:00.000Z",
    );
    expect(isOpen({ ...WINDOW, enabled: false }, at, "America/Los_Angeles")).toBe(true);
  });

  it("says what waits in the backend's words", () => {
    const wait = { zone: "America/Los_Angeles", fallback: false, messages: 3214, opens_at: "", opens_local: "9:00" };
    expect(waitInWords(wait)).toBe("Waiting for 9:00 in America/Los_Angeles (3,214 messages)");
    expect(waitInWords({ ...wait, zone: "America/Chicago", fallback: true, messages: 1 })).toBe(
      "Waiting for 9:00 in America/Chicago, the zone used when a member's is unknown (1 message)",
    );
  });
});

describe("the fake backend and the window", () => {
  it("counts the recipients by zone from their numbers", async () => {
    installMock();
    const { summary } = await api.draftSummary(SURVEY, null);
    expect(summary.zones.map((z) => [z.zone, z.recipients])).toEqual([
      ["America/New_York", 6],
      ["America/Chicago", 4],
      ["America/Los_Angeles", 4],
      ["America/Toronto", 1],
      ["Pacific/Honolulu", 1],
    ]);
    expect(summary.unknown_zone).toBe(0);
    expect(summary).toMatchObject({ fallback_zone: "America/New_York", cap_zone: "UTC" });
    expect(summary.window).toMatchObject({ start: "09:00", end: "20:00", enabled: true });
  });

  it("keeps a draft's own window, writes the Settings' one in when it is scheduled, and refuses a bad one", async () => {
    installMock();
    expect((await api.getCampaign(SURVEY)).send_window).toBeNull();
    await expect(api.updateDraft(SURVEY, { window: { ...WINDOW, end: "08:00" } })).rejects.toMatchObject({
      code: "invalid",
      message: expect.stringContaining("the sending window: the window ends (08:00)") as string,
    });
    const saved = await api.updateDraft(SURVEY, { window: { ...WINDOW, enabled: false } });
    expect(saved.send_window).toEqual({ ...WINDOW, start: "09:00", enabled: false });
    expect((await api.draftSummary(SURVEY, null)).summary.window).toBeNull();

    installMock();
    await api.setSetting("window.end", "19:30");
    await api.scheduleCampaign(SURVEY, null);
    expect((await api.getCampaign(SURVEY)).send_window).toMatchObject({ start: "09:00", end: "19:30" });
  });

  it("refuses window settings in words, and keeps them in their usual form", async () => {
    installMock();
    await expect(api.setSetting("window.end", "08:00")).rejects.toMatchObject({
      code: "invalid_setting",
      message: "window.end cannot be '08:00': the window ends (08:00) before it starts (09:00): overnight windows are not allowed",
    });
    await expect(api.setSetting("window.days", "")).rejects.toMatchObject({ code: "invalid_setting" });
    await expect(api.setSetting("window.fallback_zone", "Mars")).rejects.toMatchObject({ code: "invalid_setting" });
    expect(await api.setSetting("window.start", "8:00")).toMatchObject({ value: "08:00", is_default: false });
    expect(await api.setSetting("window.days", "sun_from_noon mon")).toMatchObject({ value: "mon,sun_from_noon" });
    expect(await api.setSetting("window.fallback_zone", "America/Chicago")).toMatchObject({ value: "America/Chicago" });
  });

  it("with windows honoured: the plan starts when a window opens, and the dashboard hears what waits", async () => {
    // Friday 27 November 2026, 06:00 UTC: 1:00 in New York, 22:00 the day before in Los Angeles.
    const backend = installMock({ windows: true, now: () => new Date("2026-11-27T06:00:00Z") });
    const { summary } = await api.draftSummary(SURVEY, null);
    // 9:00 in New York comes first.
    expect(summary.plan.start).toBe("2026-11-27T14:00:00.000Z");

    const stats = await api.campaignStats(SENDING);
    expect(stats.window_enabled).toBe(true);
    expect(stats.waiting.map((w) => [w.zone, w.opens_local])).toEqual([
      ["America/New_York", "9:00"],
      ["America/Chicago", "9:00"],
      ["America/Los_Angeles", "9:00"],
    ]);
    expect(stats.waiting_words[0]).toMatch(/^Waiting for 9:00 in America\/New_York \([\d,]+ messages\)$/);
    // Nothing is sent while every window is closed.
    const before = (await api.getCampaign(SENDING)).counts.preparing;
    backend.tick();
    expect((await api.getCampaign(SENDING)).counts.preparing).toBe(before);
  });

  it("without windows honoured (tests), nothing waits", async () => {
    installMock({ now: () => new Date("2026-11-27T06:00:00Z") });
    const stats = await api.campaignStats(SENDING);
    expect(stats.waiting).toEqual([]);
    expect(stats.waiting_words).toEqual([]);
  });
});
