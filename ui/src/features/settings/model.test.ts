import { describe, expect, it } from "vitest";
import type { SettingEntry } from "../../api";
import {
  choiceLabel,
  defaultText,
  GROUPS,
  groupOf,
  groupSettings,
  sameEntry,
  secretErrors,
  settingError,
  settingHint,
  settingInput,
  settingLabel,
  valueText,
} from "./model";

function entry(key: string, over: Partial<SettingEntry> = {}): SettingEntry {
  return { key, kind: "text", value: "", default: "", is_default: true, choices: [], description: "", ...over };
}

describe("groupSettings", () => {
  it("groups by key prefix in screen order, price with Twilio", () => {
    const groups = groupSettings([
      entry("smtp.host"),
      entry("twilio.from"),
      entry("price_per_segment", { kind: "number" }),
      entry("imis.base_url"),
      entry("campaign.settle_minutes"),
      entry("phone.default_region"),
      entry("twilio.account_sid"),
    ]);
    expect(groups.map((g) => g.group.title)).toEqual(["iMIS", "Twilio", "Phone numbers", "Campaigns", "Email reports"]);
    expect(groups[1]?.entries.map((e) => e.key)).toEqual(["twilio.from", "price_per_segment", "twilio.account_sid"]);
  });

  it("keeps settings it does not know, in a last group", () => {
    const groups = groupSettings([entry("imis.base_url"), entry("audit.keep_days")]);
    expect(groups.map((g) => g.group.id)).toEqual(["imis", "other"]);
    expect(groupOf("audit.keep_days")).toBe("other");
  });

  it("leaves out empty groups", () => {
    expect(groupSettings([])).toEqual([]);
  });
});

describe("labels", () => {
  it("has people's names for the known keys", () => {
    expect(settingLabel("imis.base_url")).toBe("Base URL");
    expect(settingLabel("imis.ceu_type_column")).toBe("CEU Type column");
    expect(settingLabel("twilio.account_sid")).toBe("Account SID");
    expect(settingLabel("twilio.rate_per_second")).toBe("Send rate (segments/second)");
    expect(settingLabel("twilio.daily_segment_cap")).toBe("Max segments per day");
    expect(settingLabel("twilio.cap_day_zone")).toBe("Day of the daily limit starts at midnight in");
    expect(settingHint({ key: "twilio.cap_day_zone", description: "Time zone whose midnight…" })).toMatch(/^The time zone whose midnight/);
  });

  it("names the LIVE safeguards and the notifications", () => {
    expect(settingLabel("campaign.confirm_typed_above")).toBe("Type the count to confirm above");
    expect(settingLabel("campaign.test_text_to")).toBe("Your mobile number for test texts");
    expect(settingLabel("notify.paused")).toBe("A campaign pauses by itself");
    expect(settingLabel("notify.completed")).toBe("A campaign completes");
    expect(settingLabel("notify.report_failed")).toBe("A report email cannot be sent");
    expect(settingLabel("notify.writeback_failed")).toBe("Recording texts in iMIS gives up");
    expect(choiceLabel("notify.paused", "on")).toBe("Notify me");
    expect(choiceLabel("notify.writeback_failed", "off")).toBe("Don't notify");
    expect(groupOf("notify.completed")).toBe("notify");
    expect(groupSettings([entry("smtp.host"), entry("notify.paused"), entry("campaign.test_text_to")]).map((g) => g.group.title)).toEqual([
      "Campaigns",
      "Notifications",
      "Email reports",
    ]);
  });

  it("makes a label for unknown keys", () => {
    expect(settingLabel("twilio.max_retries")).toBe("Max retries");
    expect(settingLabel("plain")).toBe("Plain");
  });

  it("names choices, falling back to the raw value", () => {
    expect(choiceLabel("smtp.security", "tls")).toBe("Implicit TLS");
    expect(choiceLabel("twilio.sender_type", "toll_free")).toBe("Toll-free number");
    expect(choiceLabel("smtp.security", "quantum")).toBe("quantum");
  });
});

describe("values", () => {
  it("shows numbers as typed text and defaults readably", () => {
    expect(valueText(0.0083)).toBe("0.0083");
    expect(valueText("US")).toBe("US");
    expect(defaultText(entry("smtp.security", { kind: "choice", default: "starttls" }))).toBe("STARTTLS");
    expect(defaultText(entry("imis.base_url"))).toBe("none");
    expect(defaultText(entry("campaign.settle_minutes", { kind: "integer", default: 30 }))).toBe("30");
  });
});

describe("sameEntry", () => {
  it("tells a changed entry from an unchanged one", () => {
    const a = entry("campaign.settle_minutes", { kind: "integer", value: 30, default: 30 });
    expect(sameEntry(a, { ...a })).toBe(true);
    expect(sameEntry(a, { ...a, value: 45, is_default: false })).toBe(false);
    expect(sameEntry(a, { ...a, choices: ["x"] })).toBe(false);
  });
});

describe("secretErrors", () => {
  const fields = GROUPS.find((g) => g.id === "twilio")?.secrets ?? [];

  it("lists each distinct complaint once, only for these secrets", () => {
    expect(
      secretErrors(fields, [
        { name: "imis.password", stored: false, error: "other group" },
        { name: "twilio.auth_token", stored: false, error: "No Secret Service" },
        { name: "twilio.api_key_secret", stored: false, error: "No Secret Service" },
      ]),
    ).toEqual(["No Secret Service"]);
  });

  it("has nothing to say when all is well or nothing is known yet", () => {
    expect(secretErrors(fields, [{ name: "twilio.auth_token", stored: true, error: null }])).toEqual([]);
    expect(secretErrors(fields, null)).toEqual([]);
  });
});

describe("the sending window's settings", () => {
  it("form their own group, with staff labels and hints", () => {
    expect(groupOf("window.start")).toBe("window");
    expect(groupSettings([entry("window.days"), entry("notify.paused")]).map((g) => g.group.title)).toEqual([
      "Sending window",
      "Notifications",
    ]);
    expect(settingLabel("window.fallback_zone")).toBe("Your organisation's time zone");
    expect(choiceLabel("window.enabled", "off")).toBe("No: send at any hour");
    expect(settingHint(entry("window.days", { description: "Days (mon…sun; sun_from_noon: …)" }))).not.toContain("sun_from_noon");
    expect(settingHint(entry("smtp.host", { description: "SMTP server" }))).toBe("SMTP server");
  });

  it("say their defaults in words", () => {
    expect(defaultText(entry("window.days", { default: "mon,tue,wed,thu,fri,sat,sun" }))).toBe("every day");
    expect(defaultText(entry("window.fallback_zone"))).toMatch(/^this computer's zone \(.+\)$/);
  });

  it("are typed as times, or with zones to pick from", () => {
    expect(settingInput("window.end").type).toBe("time");
    expect(settingInput("window.fallback_zone").suggestions).toContain("America/Chicago");
    expect(settingInput("twilio.cap_day_zone").suggestions?.[0]).toBe("UTC");
    expect(settingInput("smtp.host")).toEqual({});
  });

  it("drop the key from the backend's refusal", () => {
    expect(settingError("window.end", "08:00", "window.end cannot be '08:00': the window ends (08:00) before it starts (09:00)")).toBe(
      "The window ends (08:00) before it starts (09:00)",
    );
    expect(settingError("twilio.from", "x", "Something else.")).toBe("Something else.");
  });
});
