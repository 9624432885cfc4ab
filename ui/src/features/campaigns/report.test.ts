import { describe, expect, it } from "vitest";
import { outboxLook, triggerLabel } from "./report";

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
