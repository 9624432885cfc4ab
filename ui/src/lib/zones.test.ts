import { describe, expect, it } from "vitest";
import { instantIn, isKnownZone, offsetMinutes, wallClock, zoneCity } from "./zones";

describe("zones", () => {
  it("reads the wall clock in a zone, Monday as 0", () => {
    // Monday 7 December 2026, 12:00 in New York.
    expect(wallClock("America/New_York", Date.parse("2026-12-07T17:00:00Z"))).toEqual({
      year: 2026,
      month: 12,
      day: 7,
      hour: 12,
      minute: 0,
      second: 0,
      weekday: 0,
    });
    expect(wallClock("Pacific/Honolulu", Date.parse("2026-12-07T05:00:00Z")).weekday).toBe(6);
  });

  it("knows each zone's offset, summer time included", () => {
    expect(offsetMinutes("America/New_York", Date.parse("2026-01-15T12:00:00Z"))).toBe(-300);
    expect(offsetMinutes("America/New_York", Date.parse("2026-07-15T12:00:00Z"))).toBe(-240);
    expect(offsetMinutes("Asia/Kolkata", Date.parse("2026-07-15T12:00:00Z"))).toBe(330);
    expect(offsetMinutes("UTC", Date.now())).toBe(0);
  });

  it("finds the instant of a wall-clock time, across the clock changes", () => {
    const iso = (ms: number) => new Date(ms).toISOString();
    expect(iso(instantIn("America/Los_Angeles", 2026, 12, 7, 9, 0))).toBe("2026-12-07T17:00:00.000Z");
    // Day 32 rolls over into the next month.
    expect(iso(instantIn("America/New_York", 2026, 12, 32, 0, 0))).toBe("2027-01-01T05:00:00.000Z");
    // 02:30 does not exist on 8 March 2026 in New York: an hour later.
    expect(iso(instantIn("America/New_York", 2026, 3, 8, 2, 30))).toBe("2026-03-08T07:30:00.000Z");
    // 01:30 happens twice on 1 November 2026: the first one.
    expect(iso(instantIn("America/New_York", 2026, 11, 1, 1, 30))).toBe("2026-11-01T05:30:00.000Z");
  });

  it("names the city and knows real zones", () => {
    expect(zoneCity("America/New_York")).toBe("New York");
    expect(zoneCity("UTC")).toBe("UTC");
    expect(isKnownZone("Europe/London")).toBe(true);
    expect(isKnownZone("Mars/Olympus_Mons")).toBe(false);
    expect(isKnownZone("")).toBe(false);
  });
});
