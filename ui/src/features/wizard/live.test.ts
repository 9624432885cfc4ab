import { describe, expect, it } from "vitest";
import type { AudiencePreview, DraftSummary, ListedRow, SettingEntry, TestText } from "../../api";
import {
  confirmTypedAbove,
  firstSendableRow,
  liveAction,
  maskPhone,
  recipientWho,
  renderChoices,
  senderText,
  testTextOutcome,
  typedCountMatches,
} from "./live";

function setting(key: string, value: string | number): SettingEntry {
  return { key, kind: "text", value, default: "", is_default: false, choices: [], description: "" };
}

const PREVIEW: AudiencePreview = {
  columns: ["ID", "FirstName", "LastName", "Mobile"],
  rows: [
    ["10001", "Bad", "Number", "N/A"],
    ["10002", "Dup", "Licate", "201-555-0199"],
    ["10004", "Ann", "Lee", "201-555-0199"],
    ["", "No", "Id", "201-555-0100"],
    ["10004", "Ann", "Again", "201-555-0101"],
  ],
  row_count: 5,
  fetched_at: "2025-03-12T14:05:00Z",
  source_name: "members.csv",
  source: null,
  suggested_id_column: "ID",
  suggested_phone_column: "Mobile",
};

function listed(...lines: number[]): { total: number; rows: ListedRow[] } {
  return { total: lines.length, rows: lines.map((row) => ({ row, imis_id: null, name: null, phone: "", reason: "" })) };
}

function summaryExcluding(invalid: number[], duplicates: number[]): DraftSummary {
  return {
    summary: {} as DraftSummary["summary"],
    invalid: listed(...invalid),
    duplicates: listed(...duplicates),
    opted_out: listed(),
    empty_values: listed(),
    fetched_at: "2025-03-12T14:05:00Z",
    ucs2_recipients: 0,
  };
}

describe("the typed confirmation", () => {
  it("accepts the count with or without grouping, and nothing else", () => {
    expect(typedCountMatches("84678", 84678)).toBe(true);
    expect(typedCountMatches("84,678", 84678)).toBe(true);
    expect(typedCountMatches(" 84 678 ", 84678)).toBe(true);
    expect(typedCountMatches("84,677", 84678)).toBe(false);
    expect(typedCountMatches("846780", 84678)).toBe(false);
    expect(typedCountMatches("", 0)).toBe(false);
    expect(typedCountMatches("84678abc", 84678)).toBe(false);
  });

  it("reads its threshold from the settings, 1,000 by default", () => {
    expect(confirmTypedAbove(null)).toBe(1000);
    expect(confirmTypedAbove([setting("campaign.confirm_typed_above", 50)])).toBe(50);
    expect(confirmTypedAbove([setting("campaign.confirm_typed_above", 0)])).toBe(0);
  });
});

describe("the final check's words", () => {
  it("names the sender: the Messaging Service before the From number", () => {
    expect(senderText([setting("twilio.from", "+15551234567")])).toBe("+15551234567");
    expect(
      senderText([setting("twilio.from", "+15551234567"), setting("twilio.messaging_service_sid", "MG123")]),
    ).toBe("Messaging Service MG123");
    expect(senderText([setting("twilio.from", "")])).toBeNull();
  });

  it("says what the LIVE button does", () => {
    expect(liveAction(84678, false)).toBe("Send 84,678 real texts");
    expect(liveAction(84678, true)).toBe("Schedule 84,678 real texts");
    expect(liveAction(1, false)).toBe("Send 1 real text");
  });

  it("finds the first row that will really be sent to (lines count the header as 1)", () => {
    // Line 2 is invalid, line 3 a duplicate: the first recipient is on line 4.
    expect(firstSendableRow(PREVIEW, summaryExcluding([2], [3]))).toBe(2);
    expect(firstSendableRow(PREVIEW, summaryExcluding([], []))).toBe(0);
    expect(firstSendableRow(PREVIEW, summaryExcluding([2, 3, 4, 5, 6], []))).toBeNull();
  });

  it("says whose message it is", () => {
    const row = PREVIEW.rows[2] ?? [];
    expect(recipientWho(PREVIEW, "ID", row)).toBe("Ann Lee (iMIS ID 10004)");
    expect(recipientWho({ ...PREVIEW, columns: ["ID", "A", "B", "Mobile"] }, "ID", row)).toBe("the member with iMIS ID 10004");
    expect(recipientWho(PREVIEW, "ID", PREVIEW.rows[3] ?? [])).toBe("No Id");
  });

  it("offers each member with an iMIS ID once to render a test text for", () => {
    expect(renderChoices(PREVIEW, "ID").map((c) => c.value)).toEqual(["10001", "10002", "10004"]);
    expect(renderChoices(null, "ID")).toEqual([]);
  });
});

describe("test texts", () => {
  it("hides the middle of a phone number", () => {
    expect(maskPhone("+12015550199")).toBe("+1201•••0199");
    expect(maskPhone("+447700900123")).toBe("+4477•••0123");
    expect(maskPhone("5550199")).toBe("•••0199");
  });

  const text: TestText = {
    id: 1,
    campaign_id: 7,
    to_e164: "+12015550199",
    as_imis_id: "10004",
    body: "Hi Ann",
    segments: 1,
    state: "sent",
    twilio_sid: "SM1",
    detail: null,
    started_at: "2025-03-12T14:05:00Z",
    finished_at: "2025-03-12T14:05:01Z",
  };

  it("says what came of one", () => {
    expect(testTextOutcome(text)).toEqual({
      tone: "success",
      message: "Sent to +1201•••0199: check your phone. It is marked as a test in Herald and not recorded in iMIS.",
    });
    expect(testTextOutcome({ ...text, state: "failed", detail: "Twilio refused the number (21211)" })).toEqual({
      tone: "danger",
      message: "Not sent: Twilio refused the number (21211)",
    });
    expect(testTextOutcome({ ...text, state: "sending", detail: "Twilio has not answered yet: checking again" }).message).toBe(
      "Twilio has not answered yet: checking again",
    );
  });
});
