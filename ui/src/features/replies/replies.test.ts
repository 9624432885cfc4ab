import { describe, expect, it } from "vitest";
import { classifyReply } from "../../api/fakeReplies";
import type { OptOut, ReplyKind } from "../../api";
import cases from "../../../../tests/fixtures/reply-kinds.json";
import { changeWhyText, filterOptOuts, needsConfirming, senderText, syncText, whoText } from "./replies";

describe("replies in staff words", () => {
  it("says whose list an entry is on", () => {
    expect(senderText("*")).toBe("Every sender");
    expect(senderText("+15005550006")).toBe("+15005550006");
    expect(senderText("test")).toBe("TEST campaigns only (simulated replies)");
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

  it("the fake classifies every shared case as the backend does", () => {
    const kinds: ReplyKind[] = ["opt_out", "opt_in", "help", "possible_opt_out", "reply"];
    let checked = 0;
    for (const kind of kinds) {
      const bodies = cases[kind];
      expect(bodies.length).toBeGreaterThan(0);
      for (const body of bodies) {
        expect([body, classifyReply(body)]).toEqual([body, kind]);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(40);
  });

  it("says why the list changed, naming who removed a number", () => {
    expect(changeWhyText({ change: "added", source: "manual" })).toBe("Added by staff");
    expect(changeWhyText({ change: "removed", source: "manual" })).toBe("Removed by staff");
    expect(changeWhyText({ change: "removed", source: "replied_start" })).toBe("Replied START");
    expect(changeWhyText({ change: "added", source: "replied_stop" })).toBe("Replied STOP");
  });
});
