import { describe, expect, it, vi } from "vitest";
import { api, onQuitRequested } from "./index";
import { countsOf, seedMessages, SEND_BATCH } from "./fakeSending";
import { installMock } from "./mock";

const SURVEY = 7; // "Member survey (draft)", with a cached CSV audience

describe("seeded messages", () => {
  it("match the counts they were made from, in a stable order", () => {
    let next = 1;
    const options = { nextId: () => next++, segments: 1, startedAt: "2026-01-01T00:00:00Z", writeBack: true };
    const wanted = { preparing: 5, sent: 3, delivered: 40, undelivered: 2, failed: 1, error: 2, skipped: 1, canceled: 0 };
    const messages = seedMessages(wanted, options);
    expect(countsOf(messages)).toEqual({ total: 54, ...wanted });
    expect(messages.slice(-5).every((m) => m.status === "preparing")).toBe(true);
    expect(messages.filter((m) => m.status === "error").every((m) => m.to === null && m.status_reason !== null)).toBe(true);
    expect(messages.filter((m) => m.status === "preparing").every((m) => m.writeback === "not_needed")).toBe(true);
    next = 1;
    expect(seedMessages(wanted, options)).toEqual(messages);
  });
});

describe("sending in the fake backend", () => {
  it("starts a due campaign, sends a batch per tick, and completes", async () => {
    const backend = installMock({ demo: false });
    const summary = await api.draftSummary(SURVEY, null);
    await api.scheduleCampaign(SURVEY, null);
    expect((await api.getCampaign(SURVEY)).counts.total).toBe(0);

    backend.tick();
    const started = await api.getCampaign(SURVEY);
    expect(started.status).toBe("sending");
    expect(started.started_at).not.toBeNull();
    expect(started.counts.total).toBe(summary.summary.contacts_pulled);
    expect(started.counts.preparing).toBe(summary.summary.to_send);
    expect(started.counts.error).toBe(summary.summary.invalid);
    expect(started.counts.skipped).toBe(summary.summary.duplicates + summary.summary.opted_out + summary.summary.empty_values);

    const rows = await api.campaignMessages(SURVEY, 0, 200);
    expect(rows.map((r) => r.row_index)).toEqual(rows.map((_, i) => i));
    expect(rows.find((r) => r.status === "error")?.status_reason).toBeTruthy();

    backend.tick();
    const sending = await api.getCampaign(SURVEY);
    expect(sending.counts.sent).toBe(Math.min(SEND_BATCH, summary.summary.to_send));

    for (let i = 0; i < 10 && (await api.getCampaign(SURVEY)).status === "sending"; i++) backend.tick();
    const done = await api.getCampaign(SURVEY);
    expect(done.status).toBe("completed");
    expect(done.completed_at).not.toBeNull();
    expect(done.counts.preparing + done.counts.sent).toBe(0);
    expect(done.counts.delivered + done.counts.undelivered + done.counts.failed).toBe(summary.summary.to_send);
    const sent = (await api.campaignMessages(SURVEY, 0, 200)).filter((r) => r.status === "delivered");
    expect(sent.every((r) => r.twilio_sid?.startsWith("SM") && r.sent_at !== null && r.twilio_segments !== null)).toBe(true);
  });

  it("pauses, resumes and cancels like the engine, and refuses the rest", async () => {
    installMock();
    const paused = await api.pauseCampaign(4);
    expect(paused).toMatchObject({ status: "paused", pause_reason: "paused by the user" });
    await expect(api.pauseCampaign(4)).rejects.toMatchObject({ code: "illegal_transition" });
    expect(await api.resumeCampaign(4)).toMatchObject({ status: "sending", pause_reason: null });
    await expect(api.resumeCampaign(4)).rejects.toMatchObject({ code: "illegal_transition" });

    const before = await api.getCampaign(4);
    const canceled = await api.cancelCampaign(4);
    expect(canceled.status).toBe("canceled");
    expect(canceled.completed_at).not.toBeNull();
    const after = await api.getCampaign(4);
    expect(after.counts.canceled).toBe(before.counts.preparing);
    expect(after.counts.delivered).toBe(before.counts.delivered);
    await expect(api.cancelCampaign(4)).rejects.toMatchObject({ code: "illegal_transition" });
    await expect(api.cancelCampaign(7)).rejects.toMatchObject({ code: "illegal_transition" });
  });

  it("pages the messages", async () => {
    installMock();
    const first = await api.campaignMessages(4, 0, 200);
    const second = await api.campaignMessages(4, 200, 200);
    expect(first).toHaveLength(200);
    expect(second[0]?.row_index).toBe(200);
    expect(await api.campaignMessages(4, 4990, 200)).toHaveLength(10);
    await expect(api.campaignMessages(99, 0, 10)).rejects.toMatchObject({ code: "not_found" });
  });

  it("asks the window, with the campaigns that are sending", async () => {
    const backend = installMock();
    const asked = vi.fn();
    const stop = onQuitRequested(asked);
    await vi.waitFor(() => {
      backend.requestQuit();
      expect(asked).toHaveBeenCalledWith({ sending: ["Board election: get out the vote"] });
    });
    stop();
    expect(backend.quits).toBe(0);
    await api.quitApp();
    expect(backend.quits).toBe(1);

    await api.pauseCampaign(4);
    const again = vi.fn();
    const stopAgain = onQuitRequested(again);
    await vi.waitFor(() => {
      backend.requestQuit();
      expect(again).toHaveBeenCalledWith({ sending: [] });
    });
    stopAgain();
  });

});

describe("Twilio in the fake backend", () => {
  it("answers Test connection once an Account SID and a credential are stored", async () => {
    installMock({ empty: true });
    await expect(api.testTwilioConnection()).rejects.toMatchObject({ code: "invalid" });
    await api.setSetting("twilio.account_sid", "AC123");
    await expect(api.testTwilioConnection()).rejects.toMatchObject({ message: expect.stringContaining("no Twilio credential") as string });
    await api.setSecret("twilio.auth_token", "secret");
    expect(await api.testTwilioConnection()).toBe("Herald Demo (active)");
  });
});
