import { afterEach, describe, expect, it, vi } from "vitest";
import type { CampaignStatus, MessageCounts, SendingStats } from "../../api";
import { formatCount, formatLocal, formatZoned } from "../../lib/format";
import {
  pauseNotice,
  eventDetail,
  timelineDelay,
  sendingFigures,
  COUNTERS,
  campaignActions,
  canRetry,
  canStartNow,
  coalesce,
  counterLabel,
  maskPhone,
  messageProblem,
  messageSegments,
  progressAnnouncement,
  progressOf,
  progressTone,
  retryable,
  shownPhone,
  showsProgress,
  windowNotes,
  writebackLabel,
  writebackSummary,
} from "./detail";

function counts(extra: Partial<MessageCounts>): MessageCounts {
  return { total: 0, preparing: 0, sent: 0, delivered: 0, undelivered: 0, failed: 0, error: 0, skipped: 0, canceled: 0, ...extra };
}

const ALL: CampaignStatus[] = ["draft", "scheduled", "sending", "paused", "completed", "canceled", "archived"];

describe("pauseNotice", () => {
  it("says the reason once, with a capital", () => {
    expect(pauseNotice("paused by the user")).toBe("Paused by the user");
    expect(pauseNotice("Herald cannot reach Twilio; check the network, then resume")).toBe(
      "Paused: Herald cannot reach Twilio; check the network, then resume",
    );
    expect(pauseNotice("the audience could not be read: iMIS did not answer")).toBe(
      "Paused: The audience could not be read: iMIS did not answer",
    );
    expect(pauseNotice(null)).toBe("Paused.");
    expect(pauseNotice("  ")).toBe("Paused.");
  });
});

describe("progressOf", () => {
  it("counts the messages that went out, of those to send", () => {
    expect(progressOf(counts({ total: 500, preparing: 120, sent: 300, delivered: 80 }))).toEqual({
      sent: 380,
      toSend: 500,
      leftOut: 0,
      percent: 76,
    });
    // Undelivered and failed went out too: they are done, if not well.
    expect(progressOf(counts({ total: 10, undelivered: 2, failed: 3, preparing: 5 })).percent).toBe(50);
  });

  it("does not say 50% when nothing was sent", () => {
    // Half the audience is not sendable or skipped, the rest still waits: 0%, not 50%.
    const p = progressOf(counts({ total: 100, error: 30, skipped: 20, preparing: 50 }));
    expect(p).toEqual({ sent: 0, toSend: 50, leftOut: 50, percent: 0 });
    expect(progressOf(counts({ total: 100, error: 30, skipped: 20, preparing: 25, delivered: 25 })).percent).toBe(50);
  });

  it("keeps canceled messages to send, so a campaign canceled part-way is not done", () => {
    expect(progressOf(counts({ total: 100, delivered: 10, canceled: 90 }))).toMatchObject({ sent: 10, toSend: 100, percent: 10 });
  });

  it("says 100% only when nothing is left, and 0% when there is nothing to send", () => {
    expect(progressOf(counts({ total: 1000, preparing: 1, delivered: 999 })).percent).toBe(99);
    expect(progressOf(counts({ total: 1000, delivered: 990, error: 10 })).percent).toBe(100);
    expect(progressOf(counts({ total: 0 }))).toEqual({ sent: 0, toSend: 0, leftOut: 0, percent: 0 });
    expect(progressOf(counts({ total: 4, error: 3, skipped: 1 }))).toMatchObject({ toSend: 0, percent: 0 });
    expect(progressOf(counts({ total: 3, sent: 7 })).sent).toBe(3);
  });
});

describe("what each status shows and offers", () => {
  it("shows progress once a campaign is scheduled, and not for drafts or archived ones", () => {
    expect(ALL.filter(showsProgress)).toEqual(["scheduled", "sending", "paused", "completed", "canceled"]);
  });

  it("offers Pause while sending, Resume while paused, and Cancel until it is over", () => {
    expect(campaignActions("sending")).toEqual(["pause", "cancel"]);
    expect(campaignActions("paused")).toEqual(["resume", "cancel"]);
    expect(campaignActions("scheduled")).toEqual(["cancel"]);
    for (const status of ["draft", "completed", "canceled", "archived"] as const) {
      expect(campaignActions(status)).toEqual([]);
    }
  });

  it("colours the bar by status", () => {
    expect(progressTone("sending")).toBe("accent");
    expect(progressTone("paused")).toBe("warning");
    expect(progressTone("completed")).toBe("success");
    expect(progressTone("canceled")).toBe("neutral");
  });

  it("has a counter, with a label for people, for every message status", () => {
    expect(COUNTERS.map((c) => c.status).sort()).toEqual(
      ["canceled", "delivered", "error", "failed", "preparing", "sent", "skipped", "undelivered"],
    );
    expect(counterLabel("preparing")).toBe("Waiting to send");
    expect(counterLabel("sent")).toBe("Sent, awaiting report");
    expect(counterLabel("delivered")).toBe("Delivered");
  });

  it("calls the error status Not sendable, and says why in a line", () => {
    expect(counterLabel("error")).toBe("Not sendable");
    expect(COUNTERS.find((c) => c.status === "error")?.note).toBe("Invalid or missing phone number");
    expect(COUNTERS.map((c) => c.label)).not.toContain("Error");
  });
});

describe("phone numbers", () => {
  it("hides the middle of an E.164 number", () => {
    expect(maskPhone("+12015554567")).toBe("+1201•••4567");
    expect(maskPhone("+447700900123")).toBe("+4477•••0123");
  });

  it("keeps at most the last 4 characters of anything else", () => {
    expect(maskPhone("555-0100")).toBe("•••0100");
    expect(maskPhone("N/A")).toBe("•••");
  });

  it("shows the E.164 number, else the raw one, masked unless revealed", () => {
    expect(shownPhone({ to: "+12015554567", phone_raw: "(201) 555-4567" }, false)).toBe("+1201•••4567");
    expect(shownPhone({ to: "+12015554567", phone_raw: "(201) 555-4567" }, true)).toBe("+12015554567");
    expect(shownPhone({ to: null, phone_raw: "555-0100" }, true)).toBe("555-0100");
    expect(shownPhone({ to: null, phone_raw: null }, false)).toBe("—");
  });
});

describe("message cells", () => {
  it("gives Twilio's code with its explanation, or Herald's reason", () => {
    expect(messageProblem({ error_code: 30003, error_message: "The phone is switched off or out of reach.", status_reason: null })).toBe(
      "30003: The phone is switched off or out of reach.",
    );
    expect(messageProblem({ error_code: 30008, error_message: null, status_reason: null })).toBe("30008");
    // (A code Twilio gave no words for comes with the backend's explanation: store/grid.rs.)
    expect(messageProblem({ error_code: null, error_message: null, status_reason: "duplicate of 1001" })).toBe("Duplicate of 1001");
    expect(messageProblem({ error_code: null, error_message: null, status_reason: null })).toBe("");
  });

  it("counts Twilio's segments once known", () => {
    expect(messageSegments({ segments: 1, twilio_segments: null })).toBe(1);
    expect(messageSegments({ segments: 1, twilio_segments: 2 })).toBe(2);
  });

  it("says where the write-back stands", () => {
    expect(writebackLabel("done")).toBe("Recorded");
    expect(writebackLabel("pending")).toBe("Waiting");
    expect(writebackLabel("failed")).toBe("Failed");
    expect(writebackLabel("not_needed")).toBe("—");
  });

  it("sums up the write-back queue, counting those in flight as waiting", () => {
    expect(writebackSummary({ done: 1200, pending: 2, in_flight: 1, failed: 1 })).toBe(
      "iMIS write-back: 1,200 done · 3 waiting · 1 failed",
    );
  });
});

describe("coalesce", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("runs once per burst, after the delay", async () => {
    vi.useFakeTimers();
    const load = vi.fn(() => Promise.resolve());
    const refresh = coalesce(load, 250);
    refresh.request();
    refresh.request();
    await vi.advanceTimersByTimeAsync(100);
    refresh.request();
    expect(load).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(150);
    expect(load).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it("never overlaps loads: a request during one runs once more after it", async () => {
    vi.useFakeTimers();
    let finish: () => void = () => undefined;
    let running = 0;
    let most = 0;
    const load = vi.fn(
      () =>
        new Promise<void>((resolve) => {
          running += 1;
          most = Math.max(most, running);
          finish = () => {
            running -= 1;
            resolve();
          };
        }),
    );
    const refresh = coalesce(load, 10);
    refresh.request();
    await vi.advanceTimersByTimeAsync(10);
    expect(load).toHaveBeenCalledTimes(1);
    refresh.request();
    refresh.request();
    await vi.advanceTimersByTimeAsync(100);
    expect(load).toHaveBeenCalledTimes(1);
    finish();
    await vi.advanceTimersByTimeAsync(10);
    expect(load).toHaveBeenCalledTimes(2);
    finish();
    await vi.advanceTimersByTimeAsync(100);
    expect(load).toHaveBeenCalledTimes(2);
    expect(most).toBe(1);
  });

  it("keeps going after a failed load, and stops when disposed", async () => {
    vi.useFakeTimers();
    const load = vi.fn(() => Promise.reject(new Error("offline")));
    const refresh = coalesce(load, 10);
    refresh.request();
    await vi.advanceTimersByTimeAsync(10);
    refresh.request();
    await vi.advanceTimersByTimeAsync(10);
    expect(load).toHaveBeenCalledTimes(2);
    refresh.request();
    refresh.dispose();
    refresh.request();
    await vi.advanceTimersByTimeAsync(100);
    expect(load).toHaveBeenCalledTimes(2);
  });
});

describe("retry and start now", () => {
  it("offers a retry once sending has stopped and something failed", () => {
    expect(canRetry("completed", { failed: 1, undelivered: 0 })).toBe(true);
    expect(canRetry("canceled", { failed: 0, undelivered: 2 })).toBe(true);
    expect(canRetry("sending", { failed: 3, undelivered: 0 })).toBe(false);
    expect(canRetry("completed", { failed: 0, undelivered: 0 })).toBe(false);
    expect(retryable({ failed: 2, undelivered: 3 })).toBe(5);
  });

  it("offers Start now only for a scheduled campaign whose time has passed", () => {
    const now = Date.parse("2026-11-27T12:00:00Z");
    expect(canStartNow("scheduled", "2026-11-27T09:00:00Z", now)).toBe(true);
    expect(canStartNow("scheduled", "2026-11-27T13:00:00Z", now)).toBe(false);
    expect(canStartNow("sending", "2026-11-27T09:00:00Z", now)).toBe(false);
    expect(canStartNow("scheduled", null, now)).toBe(false);
  });
});

describe("eventDetail", () => {
  it("reads a schedule's detail as a person writes it", () => {
    expect(eventDetail("scheduled", "now")).toBe("To send now");
    const at = "2026-12-01T15:30:00+00:00";
    expect(eventDetail("scheduled", `for ${at}`)).toBe(`For ${formatLocal(at)}`);
  });

  it("keeps other details, and nothing for none", () => {
    expect(eventDetail("paused", "the daily cap was reached")).toBe("The daily cap was reached");
    expect(eventDetail("resumed", "iMIS said no")).toBe("iMIS said no");
    expect(eventDetail("scheduled", "for tomorrow")).toBe("For tomorrow");
    expect(eventDetail("created", null)).toBeNull();
    expect(eventDetail("created", "")).toBeNull();
  });
});

describe("sendingFigures", () => {
  const NOW = new Date("2026-11-27T14:00:00Z");
  const stats = (over: Partial<SendingStats> = {}): SendingStats => ({
    segments_estimated: 12000,
    segments_reported: 5100,
    messages_with_segments: 5000,
    price_per_segment: 0.0083,
    cost_estimated: 99.6,
    cost_actual: 40.29,
    cost_unit: "USD",
    messages_priced: 5100,
    messages_unpriced: 0,
    current_rate: 9.8,
    configured_rate: 10,
    remaining: 7000,
    remaining_segments: 7000,
    finish: "2026-11-27T14:11:40Z",
    finish_days: 1,
    daily_cap: 10000,
    cap_left_today: 3000,
    counts_against_cap: true,
    waiting: [],
    waiting_words: [],
    window_enabled: true,
    ...over,
  });
  const byId = (figures: ReturnType<typeof sendingFigures>) => Object.fromEntries(figures.map((f) => [f.id, f]));

  it("says a send is starting while its messages are being prepared, not a rate of 0", () => {
    const f = byId(
      sendingFigures(
        stats({ segments_estimated: 0, remaining: 0, remaining_segments: 0, current_rate: 0, finish: null }),
        "sending",
        "live",
        NOW,
      ),
    );
    expect(f.rate?.value).toBe("Starting");
    expect(f.rate?.note).toContain("preparing the messages");
  });

  it("gives the rate, the finish, and segments and cost estimated against reported", () => {
    const f = byId(sendingFigures(stats(), "sending", "live", NOW));
    expect(f.rate?.value).toBe("9.8 texts a second");
    expect(f.rate?.note).toContain("10 segments a second");
    expect(f.finish?.value).toBe(`In 12 minutes, ${formatZoned("2026-11-27T14:11:40Z", { now: NOW })}`);
    // The zone is named (an abbreviation such as EST, or an offset such as GMT+1).
    expect(f.finish?.value).toMatch(/\d{2}:\d{2} (UTC|GMT[+-]?[\d:]*|[A-Z]{2,5})$/);
    expect(f.finish?.note).toBe(`${formatCount(7000)} messages left, at the configured rate`);
    expect(f.finish?.warning).toBe(false);
    expect(f.segments?.value).toBe(`${formatCount(12000)} estimated`);
    expect(f.segments?.note).toBe(`${formatCount(5100)} reported by Twilio for ${formatCount(5000)} messages`);
    expect(f.cost?.value).toBe("$99.60 estimated");
    expect(f.cost?.note).toBe(`$40.29 charged for ${formatCount(5100)} messages so far`);
  });

  it("is honest about the daily cap", () => {
    const f = byId(sendingFigures(stats({ finish: "2026-11-28T00:06:40Z", finish_days: 2 }), "sending", "live", NOW));
    expect(f.finish?.warning).toBe(true);
    expect(f.finish?.note).toBe(
      `The daily cap (${formatCount(10000)} segments a UTC day, ${formatCount(3000)} left today) spreads the last ${formatCount(7000)} messages over 2 days`,
    );
  });

  it("says paused, nothing charged in TEST, and waits for prices and counts", () => {
    const paused = byId(
      sendingFigures(stats({ finish: null, messages_with_segments: 0, messages_priced: 0 }), "paused", "live", NOW),
    );
    expect(paused.rate).toBeUndefined();
    expect(paused.finish?.value).toBe("Paused");
    expect(paused.finish?.note).toBe(`${formatCount(7000)} messages left to send when it resumes`);
    expect(paused.segments?.note).toBe("Twilio reports the count as texts go out");
    expect(paused.cost?.note).toBe("Twilio prices each text some time after it goes out");
    expect(byId(sendingFigures(stats(), "sending", "test", NOW)).cost?.note).toBe("TEST: nothing is charged");
    expect(sendingFigures(stats({ finish: null, remaining: 0, segments_estimated: 0 }), "completed", "live", NOW)).toEqual([]);
  });

  it("gives no time to finish once the campaign is done, even from figures read just before", () => {
    // Read while it sent its last 4; the campaign has completed since.
    expect(byId(sendingFigures(stats({ remaining: 4 }), "completed", "test", NOW)).finish).toBeUndefined();
    expect(byId(sendingFigures(stats({ remaining: 4 }), "canceled", "live", NOW)).finish).toBeUndefined();
    expect(byId(sendingFigures(stats(), "scheduled", "live", NOW)).finish?.label).toBe("Time to finish");
  });

  it("shows money to the cent, even under a dollar", () => {
    expect(byId(sendingFigures(stats({ cost_estimated: 2053.6109 }), "completed", "live", NOW)).cost?.value).toBe("$2,053.61 estimated");
    expect(byId(sendingFigures(stats({ cost_estimated: 0.0166 }), "completed", "live", NOW)).cost?.value).toBe("$0.02 estimated");
    expect(byId(sendingFigures(stats({ cost_actual: 0.0083 }), "completed", "live", NOW)).cost?.note).toBe(
      `$0.01 charged for ${formatCount(5100)} messages so far`,
    );
  });

  it("names other currencies", () => {
    expect(byId(sendingFigures(stats({ cost_unit: "EUR" }), "completed", "live", NOW)).cost?.note).toContain("40.29 EUR charged");
  });
});

describe("timelineDelay", () => {
  it("waits at least 3 s, or ten times what the last load took", () => {
    expect(timelineDelay(20)).toBe(3000);
    expect(timelineDelay(430)).toBe(4300);
  });

  it("brings the first numbers of a send that just started as fast as the counters", () => {
    expect(timelineDelay(5, true)).toBe(250);
    expect(timelineDelay(430, true)).toBe(4300);
  });
});

describe("windowNotes", () => {
  const words = ["Waiting for 9:00 in America/Los_Angeles (3,214 messages)"];

  it("says what waits while the campaign sends or is scheduled", () => {
    expect(windowNotes({ waiting_words: words, window_enabled: true }, "sending")).toEqual({
      waiting: { shown: words, more: null },
      anyHour: false,
    });
    expect(windowNotes({ waiting_words: words, window_enabled: true }, "scheduled").waiting).not.toBeNull();
    expect(windowNotes({ waiting_words: words, window_enabled: true }, "completed").waiting).toBeNull();
    expect(windowNotes({ waiting_words: [], window_enabled: true }, "sending").waiting).toBeNull();
  });

  it("names sending at any hour while the campaign is under way", () => {
    expect(windowNotes({ waiting_words: [], window_enabled: false }, "paused").anyHour).toBe(true);
    expect(windowNotes({ waiting_words: [], window_enabled: false }, "completed").anyHour).toBe(false);
  });
});

describe("the progress a screen reader hears", () => {
  it("changes only at each tenth while sending, and when the status changes", () => {
    const toSend = 256;
    const said = new Set<string>();
    for (let sent = 0; sent <= toSend; sent++) {
      said.add(progressAnnouncement("sending", { sent, toSend, leftOut: 0, percent: Math.floor((sent * 100) / toSend) }));
    }
    // 257 updates of the counts, 11 things to say: started, 10 %, … 100 %.
    expect([...said]).toEqual(["Sending has started.", ...[10, 20, 30, 40, 50, 60, 70, 80, 90, 100].map((t) => `Sending: ${String(t)}% sent.`)]);
    const done = { sent: toSend, toSend, leftOut: 3, percent: 100 };
    expect(progressAnnouncement("completed", done)).toBe("Completed: every text was sent.");
    expect(progressAnnouncement("paused", { ...done, sent: 77, percent: 30 })).toBe("Paused with 30% sent.");
    expect(progressAnnouncement("canceled", { ...done, sent: 77, percent: 30 })).toBe("Canceled: 77 of 256 had been sent.");
    expect(progressAnnouncement("scheduled", { ...done, sent: 0, percent: 0 })).toBe("");
    expect(progressAnnouncement("sending", { sent: 0, toSend: 0, leftOut: 4, percent: 0 })).toBe("");
  });
});
