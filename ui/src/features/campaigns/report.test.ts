import { describe, expect, it } from "vitest";
import type { ReportView } from "../../api";
import { asOfLine, errorLine, outboxLook, reportFacts, statusInWords, triggerLabel, writebackLine } from "./report";

describe("the report card's words", () => {
  it("names each outbox state", () => {
    expect(outboxLook({ state: "sent", last_error: null })).toEqual({ label: "Sent", tone: "success" });
    expect(outboxLook({ state: "failed", last_error: "535" })).toEqual({ label: "Failed", tone: "danger" });
    expect(outboxLook({ state: "pending", last_error: null })).toEqual({ label: "Waiting to send", tone: "info" });
    expect(outboxLook({ state: "pending", last_error: "timed out" })).toEqual({ label: "Retrying", tone: "warning" });
    expect(outboxLook({ state: "bounced", last_error: null }).label).toBe("Bounced");
  });

  it("says why a report was queued", () => {
    expect(triggerLabel("completed")).toBe("When the campaign completed");
    expect(triggerLabel("resend-1764240000000")).toBe("Sent again by hand");
  });
});

const VIEW: ReportView = {
  campaign_id: 7,
  name: "Gala night",
  mode: "live",
  status: "completed",
  zone: "America/New_York",
  scheduled: "2026-12-06 09:00 EST",
  started: "2026-12-06 09:00 EST",
  completed: null,
  generated: "2026-12-06 10:30 EST",
  recipients: 12_345,
  counts: [],
  delivery_rate: null,
  segments: "24690 estimated, 24000 reported by Twilio",
  cost: "204.93 USD estimated, 189.60 USD priced by Twilio so far",
  errors: [],
  writes_back: true,
  writeback: "12 done, 0 waiting, 1 failed",
  replies: [],
};

describe("the Report view's words", () => {
  it("lists the facts as the email does, with a dash for what has not happened", () => {
    expect(reportFacts(VIEW)).toEqual([
      { label: "Mode", value: "LIVE — real texts to your members" },
      { label: "Status", value: "Completed" },
      { label: "Scheduled", value: "2026-12-06 09:00 EST" },
      { label: "Started", value: "2026-12-06 09:00 EST" },
      { label: "Completed", value: "—" },
      { label: "Recipients", value: "12,345" },
      { label: "Delivery rate", value: "—" },
      { label: "Segments", value: "24690 estimated, 24000 reported by Twilio" },
      { label: "Cost", value: "204.93 USD estimated, 189.60 USD priced by Twilio so far" },
    ]);
    const test = reportFacts({ ...VIEW, mode: "test", status: "canceled", completed: "2026-12-06 09:05 EST" });
    expect(test[0]?.value).toBe("TEST — simulated, nothing was sent or written to iMIS");
    expect(test[4]).toEqual({ label: "Ended", value: "2026-12-06 09:05 EST" });
  });

  it("says a status in words, even one it does not know", () => {
    expect(statusInWords("sending")).toBe("Sending");
    expect(statusInWords("on_hold")).toBe("On hold");
  });

  it("writes an error, its count and what it means", () => {
    expect(errorLine({ code: 30003, count: 1200, explanation: "the phone is switched off." })).toBe(
      "1,200 × error 30003: The phone is switched off.",
    );
    expect(errorLine({ code: 21610, count: 1, explanation: " " })).toBe("1 × error 21610");
  });

  it("says what became of the iMIS records, and where the times are", () => {
    expect(writebackLine(VIEW)).toBe("Texts recorded in iMIS: 12 done, 0 waiting, 1 failed.");
    expect(writebackLine({ ...VIEW, writes_back: false })).toBe("This campaign does not record texts in iMIS.");
    expect(asOfLine(VIEW)).toBe("Times are in America/New_York. Figures as of 2026-12-06 10:30 EST.");
  });
});
