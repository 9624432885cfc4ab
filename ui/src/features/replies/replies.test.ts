import { describe, expect, it } from "vitest";
import { classifyReply } from "../../api/fakeReplies";
import type { OptOut } from "../../api";
import { filterOptOuts, needsConfirming, senderText, syncText, whoText } from "./replies";

describe("replies in staff words", () => {
  it("says whose list an entry is on", () => {
    expect(senderText("*")).toBe("Every sender");
    expect(senderText("+15005550006")).toBe("+15005550006");
    expect(senderText("MG00000000000000000000000000000001")).toBe("Messaging Service MG00000000000000000000000000000001");
  });

  it("names who replied, or says Herald never texted them", () => {
    expect(whoText({ member_name: "Dana Whitfield", imis_id: "23581" })).toBe("Dana Whitfield");
    expect(whoText({ member_name: " ", imis_id: "23581" })).toBe("iMIS ID 23581");
    expect(whoText({ member_name: null, imis_id: null })).toBe("Not a member Herald texted");
  });

  it("asks staff only about unconfirmed possible opt-outs", () => {
    expect(needsConfirming({ kind: "possible_opt_out", confirmed_at: null })).toBe(true);
    expect(needsConfirming({ kind: "possible_opt_out", confirmed_at: "2026-12-06T10:00:00Z" })).toBe(false);
    expect(needsConfirming({ kind: "opt_out", confirmed_at: null })).toBe(false);
  });

  it("sums up a check for replies in one sentence", () => {
    expect(syncText(null)).toMatch(/^Twilio is not set up/);
    const base = { sender: "+15005550006", since: "2026-12-05", requests: 1, listed: 3, known: 0, writebacks: 1 };
    expect(syncText({ ...base, stored: 0, opted_out: 0, opted_in: 0, to_confirm: 0 })).toBe("No new replies.");
    expect(syncText({ ...base, stored: 3, opted_out: 1, opted_in: 0, to_confirm: 1 })).toBe("3 new replies, 1 opted out, 1 to confirm.");
    expect(syncText({ ...base, stored: 1, opted_out: 0, opted_in: 1, to_confirm: 0 })).toBe("1 new reply, 1 opted back in.");
  });

  it("finds list entries by digits or note", () => {
    const entry = (phone: string, note: string | null): OptOut => ({
      sender: "*",
      phone_e164: phone,
      source: "manual",
      campaign_id: null,
      reply_id: null,
      note,
      added_at: "2026-12-01T10:00:00Z",
    });
    const list = [entry("+12025550143", "front desk"), entry("+13035550100", null)];
    expect(filterOptOuts(list, "").length).toBe(2);
    expect(filterOptOuts(list, "(202) 555").map((o) => o.phone_e164)).toEqual(["+12025550143"]);
    expect(filterOptOuts(list, "DESK").map((o) => o.phone_e164)).toEqual(["+12025550143"]);
    expect(filterOptOuts(list, "99")).toEqual([]);
  });

  it("the fake classifies as the backend does", () => {
    expect(classifyReply(" Stop. ")).toBe("opt_out");
    expect(classifyReply("yes")).toBe("opt_in");
    expect(classifyReply("Info")).toBe("help");
    expect(classifyReply("please remove me")).toBe("possible_opt_out");
    expect(classifyReply("Stop by the booth at 3 and say hello to everyone")).toBe("reply");
  });
});
