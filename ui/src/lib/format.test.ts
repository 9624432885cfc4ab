import { describe, expect, it } from "vitest";
import {
  plural,
  capitalizeFirst,
  formatCount,
  formatLocal,
  formatLocalDate,
  formatLocalShort,
  formatPercent,
  formatRelative,
  formatMoney,
  formatUsdAmount,
  formatUtc,
  formatZoned,
  humanize,
  numberLocaleFor,
} from "./format";

describe("formatUtc", () => {
  it("shows the instant in UTC whatever offset it was written with", () => {
    expect(formatUtc("2025-03-12T14:05:09Z")).toBe("2025-03-12 14:05 UTC");
    expect(formatUtc("2025-03-12T23:30:00-05:00")).toBe("2025-03-13 04:30 UTC");
  });

  it("shows a dash for a missing or unreadable time", () => {
    expect(formatUtc(null)).toBe("—");
    expect(formatUtc(undefined)).toBe("—");
    expect(formatUtc("")).toBe("—");
    expect(formatUtc("not a date")).toBe("—");
  });
});

describe("formatLocal", () => {
  it("converts to the given zone", () => {
    const iso = "2025-03-12T14:05:00Z";
    expect(formatLocal(iso, { locale: "en-US", timeZone: "America/New_York" })).toBe("Mar 12, 2025, 10:05 AM");
    expect(formatLocal(iso, { locale: "en-GB", timeZone: "Europe/Paris" })).toBe("12 Mar 2025, 15:05");
  });

  it("crosses the date line when the zone does", () => {
    expect(formatLocal("2025-12-31T23:30:00Z", { locale: "en-GB", timeZone: "Asia/Tokyo" })).toBe(
      "1 Jan 2026, 08:30",
    );
  });

  it("can show the date alone", () => {
    expect(formatLocalDate("2025-03-12T02:00:00Z", { locale: "en-US", timeZone: "America/Los_Angeles" })).toBe(
      "Mar 11, 2025",
    );
  });

  it("has a compact form that drops this year", () => {
    const now = new Date("2025-06-01T12:00:00Z");
    const opts = { locale: "en-US", timeZone: "UTC", now };
    expect(formatLocalShort("2025-03-12T14:05:00Z", opts)).toBe("Mar 12, 2:05 PM");
    expect(formatLocalShort("2024-03-12T14:05:00Z", opts)).toBe("Mar 12, 2024, 2:05 PM");
    expect(formatLocalShort("2025-03-12T14:05:00Z", { ...opts, locale: "en-GB", dateOnly: true })).toBe("12 Mar");
    expect(formatLocalShort(null)).toBe("—");
  });

  it("shows a dash for no time", () => {
    expect(formatLocal(null)).toBe("—");
    expect(formatLocal("garbage")).toBe("—");
  });
});

describe("numbers", () => {
  it("groups counts and dashes nothing", () => {
    expect(formatCount(1240, "en-US")).toBe("1,240");
    expect(formatCount(0, "en-US")).toBe("0");
    expect(formatCount(null)).toBe("—");
  });

  it("groups digits even when the system names no locale (LANG unset: a POSIX locale)", () => {
    expect(numberLocaleFor("en-US-u-va-posix")).toBe("en-US");
    expect(formatCount(250000, numberLocaleFor("en-US-u-va-posix"))).toBe("250,000");
    expect(numberLocaleFor("en-US")).toBeUndefined();
    expect(numberLocaleFor("de-DE")).toBeUndefined();
    expect(numberLocaleFor("en-US-u-va-posixx")).toBeUndefined();
  });

  it("shows ratios as percentages with at most one decimal", () => {
    expect(formatPercent(0.953, "en-US")).toBe("95.3%");
    expect(formatPercent(1, "en-US")).toBe("100%");
    expect(formatPercent(0, "en-US")).toBe("0%");
    expect(formatPercent(null)).toBe("—");
    expect(formatPercent(Number.NaN)).toBe("—");
  });
});

describe("humanize", () => {
  it("turns identifiers into words", () => {
    expect(humanize("draft_updated")).toBe("Draft updated");
    expect(humanize("started")).toBe("Started");
  });
});

describe("plural", () => {
  it("puts the count before the noun, singular for one", () => {
    expect(plural(1, "segment")).toBe("1 segment");
    expect(plural(0, "segment")).toBe("0 segments");
    expect(plural(2, "reply", "replies")).toBe("2 replies");
    expect(plural(2400, "message")).toBe(`${formatCount(2400)} messages`);
  });
});

describe("formatRelative", () => {
  const now = new Date("2025-03-12T12:00:00Z");

  it("says how long ago, in the largest fitting unit", () => {
    expect(formatRelative("2025-03-12T11:59:40Z", now)).toBe("just now");
    // A moment ahead (a send about to finish) is not "just now".
    expect(formatRelative("2025-03-12T12:00:12Z", now)).toBe("in a few seconds");
    expect(formatRelative("2025-03-12T11:55:00Z", now)).toBe("5 minutes ago");
    expect(formatRelative("2025-03-12T09:00:00Z", now)).toBe("3 hours ago");
    expect(formatRelative("2025-03-11T12:00:00Z", now)).toBe("yesterday");
    expect(formatRelative("2025-03-14T12:00:00Z", now)).toBe("in 2 days");
    expect(formatRelative(null, now)).toBe("—");
  });
});

describe("formatUsdAmount", () => {
  it("keeps two to four decimals", () => {
    expect(formatUsdAmount(12.5)).toBe("12.50");
    expect(formatUsdAmount(0.0083)).toBe("0.0083");
    expect(formatUsdAmount(0.02490001)).toBe("0.0249");
    expect(formatUsdAmount(1234.5)).toBe("1,234.50");
    expect(formatUsdAmount(Number.NaN)).toBe("—");
  });
});

describe("formatMoney", () => {
  it("shows a sum of money to the cent", () => {
    expect(formatMoney(12.5)).toBe("12.50");
    expect(formatMoney(0.0166)).toBe("0.02");
    expect(formatMoney(0.1328)).toBe("0.13");
    expect(formatMoney(2053.6109)).toBe("2,053.61");
    expect(formatMoney(-0.001)).toBe("0.00");
    expect(formatMoney(null)).toBe("—");
    expect(formatMoney(Number.POSITIVE_INFINITY)).toBe("—");
  });
});

describe("capitalizeFirst", () => {
  it("starts a backend message with a capital", () => {
    expect(capitalizeFirst("the audience needs a query path or a CSV file")).toBe("The audience needs a query path or a CSV file");
    expect(capitalizeFirst("élan: ok")).toBe("Élan: ok");
    expect(capitalizeFirst("couldn't reach Twilio")).toBe("Couldn't reach Twilio");
    expect(capitalizeFirst("Already fine.")).toBe("Already fine.");
  });

  it("leaves names, keys, files and quotes alone", () => {
    expect(capitalizeFirst("iMIS has no query at '$/Nope'")).toBe("iMIS has no query at '$/Nope'");
    expect(capitalizeFirst("twilio.rate_per_second must be a number.")).toBe("twilio.rate_per_second must be a number.");
    expect(capitalizeFirst("old.csv is not UTF-8 text")).toBe("old.csv is not UTF-8 text");
    expect(capitalizeFirst("'Gala' has nobody to send to")).toBe("'Gala' has nobody to send to");
    expect(capitalizeFirst("")).toBe("");
    expect(capitalizeFirst("   ")).toBe("   ");
  });
});

describe("formatZoned", () => {
  const now = new Date("2026-06-01T12:00:00Z");

  it("names the zone, and the year only when it is not this one", () => {
    expect(formatZoned("2026-12-07T22:00:00Z", { timeZone: "America/New_York", now })).toBe("Mon 7 Dec, 17:00 EST");
    expect(formatZoned("2026-07-07T13:05:00Z", { timeZone: "America/Los_Angeles", now })).toBe("Tue 7 Jul, 06:05 PDT");
    expect(formatZoned("2027-01-04T14:00:00Z", { timeZone: "America/New_York", now })).toBe("Mon 4 Jan 2027, 09:00 EST");
    expect(formatZoned("2026-12-07T00:30:00Z", { timeZone: "UTC", now })).toBe("Mon 7 Dec, 00:30 UTC");
    expect(formatZoned(null)).toBe("—");
  });
});
