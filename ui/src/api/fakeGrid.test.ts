import { describe, expect, it } from "vitest";
import type { MessageRow } from "./bindings";
import { arraySource, errorCounts, exportFileName, fileStem, generatedSource, GRID_COUNT_AHEAD, gridAll, gridPage, searchNeedle, timelinePoints } from "./fakeGrid";
import { HOSTILE_NAME } from "./fakeImis";
import { generatedFacts, generatedMessage, newMessage } from "./fakeSending";
import { api } from "./index";
import { installMock } from "./mock";

function row(id: number, extra: Partial<MessageRow>): MessageRow {
  const base = newMessage(
    id,
    id - 1,
    { imisId: String(500 + id), name: null, phoneRaw: null, to: null, status: "preparing", reason: null, segments: 1 },
    "2026-01-01T00:00:00Z",
  );
  return { ...base, ...extra };
}

const ROWS = [
  row(1, { member_name: "Zoë Brown", to: "+12015550101", status: "delivered" }),
  row(2, { member_name: "Ann Lee", to: "+12015550102", status: "failed", error_code: 30007 }),
  row(3, { member_name: HOSTILE_NAME, to: "+13125550103", status: "undelivered", error_code: 30003 }),
  row(4, { member_name: "José García", to: null, status: "error" }),
  row(5, { member_name: "ann marie", to: "+12015550105", status: "failed", error_code: 30007, segments: 2 }),
];

describe("the fake grid", () => {
  const source = arraySource(ROWS);
  const names = (q: Parameters<typeof gridPage>[1]) => gridPage(source, q).rows.map((r) => r.member_name);

  it("filters by status and error code, and counts every match", () => {
    expect(gridPage(source, { statuses: ["failed"], limit: 1 })).toMatchObject({ total: 2, rows: [{ id: 2 }] });
    expect(gridPage(source, { error_code: 30003, limit: 10 }).rows.map((r) => r.id)).toEqual([3]);
    expect(gridPage(source, { statuses: ["failed", "error"], limit: 10 }).total).toBe(3);
  });

  it("searches names, iMIS IDs and numbers as the backend does", () => {
    expect(names({ search: "ANN", limit: 10 })).toEqual(["Ann Lee", "ann marie"]);
    expect(names({ search: "(312) 555", limit: 10 })).toEqual([HOSTILE_NAME]);
    expect(names({ search: "505", limit: 10 })).toEqual(["ann marie"]);
    expect(names({ search: "   ", limit: 10 })).toHaveLength(5);
    expect(searchNeedle(" +1 (201) 555-01 ")).toBe("120155501");
    expect(searchNeedle("O’Neill")).toBe("o’neill");
  });

  it("sorts with NULL first, case-insensitive names, and ties by id in the same direction", () => {
    expect(names({ sort: "name", limit: 10 })).toEqual([HOSTILE_NAME, "Ann Lee", "ann marie", "José García", "Zoë Brown"]);
    expect(gridPage(source, { sort: "phone", limit: 10 }).rows.map((r) => r.id)).toEqual([4, 1, 2, 5, 3]);
    expect(gridPage(source, { sort: "error_code", descending: true, limit: 10 }).rows.map((r) => r.id)).toEqual([5, 2, 3, 4, 1]);
  });

  it("pages, and clamps the page size to 5,000", () => {
    expect(gridPage(source, { offset: 3, limit: 10 }).rows.map((r) => r.id)).toEqual([4, 5]);
    expect(gridPage(source, { offset: 10, limit: 10 })).toEqual({ rows: [], total: 5, more: false });
    expect(gridAll(source, { statuses: ["failed"], limit: 1 })).toHaveLength(2);
  });

  it("counts the error codes, most frequent first", () => {
    expect(errorCounts(source)).toEqual([
      { error_code: 30007, count: 2, explanation: expect.stringContaining("Twilio error 30007") as string },
      { error_code: 30003, count: 1, explanation: "The phone is switched off or out of reach." },
    ]);
  });

  it("suggests the export's name from the campaign and the local date, as the backend does", () => {
    // Noon UTC is the same date in nearly every zone the tests may run in.
    const at = new Date("2026-03-12T12:05:09Z");
    expect(exportFileName("Board election: get out the vote", at)).toBe("Board-election-get-out-the-vote messages 2026-03-12.csv");
    expect(exportFileName("Café ☕", at)).toBe("Café messages 2026-03-12.csv");
    expect(exportFileName("***", at)).toBe("campaign messages 2026-03-12.csv");
  });

  it("keeps letters and digits of a name for the file, as report::file_stem", () => {
    expect(fileStem("Gala night — 2026!")).toBe("Gala-night-2026");
    expect(fileStem("Zoë's <b>")).toBe("Zoë-s-b");
    expect(fileStem("***")).toBe("campaign");
  });
});

describe("a generated campaign", () => {
  const options = { firstId: 1000, startedAt: Date.parse("2026-03-12T08:00:00Z"), writeBack: false, hostileRow: 2 };
  const big = generatedSource(
    250_000,
    (i) => generatedMessage(i, options),
    (i) => generatedFacts(i, options),
  );

  it("makes each row the same every time, agreeing with its facts", () => {
    for (const i of [0, 2, 17, 40, 100, 12_345, 249_999]) {
      const m = big.at(i);
      const facts = generatedFacts(i, options);
      expect(m).toEqual(big.at(i));
      expect(m).toMatchObject({ id: 1000 + i, row_index: i, status: facts.status, error_code: facts.error_code, to: facts.to });
      expect(m.updated_at).toBe(new Date(facts.updated_at).toISOString());
    }
    expect(big.at(2).member_name).toBe(HOSTILE_NAME);
  });

  it("counts a quarter of a million messages, and answers a filtered page", () => {
    const counts = big.counts();
    expect(counts.total).toBe(250_000);
    expect(counts.delivered + counts.undelivered + counts.failed + counts.error + counts.skipped).toBe(250_000);
    expect(counts.failed).toBeGreaterThan(0);
    const failed = gridPage(big, { statuses: ["failed"], offset: 200, limit: 200 });
    expect(failed).toMatchObject({ total: Math.min(counts.failed, GRID_COUNT_AHEAD), more: counts.failed > GRID_COUNT_AHEAD });
    expect(failed.rows.every((r) => r.status === "failed")).toBe(true);
    const deep = gridPage(big, { offset: 200_000, limit: 3 });
    expect(deep.rows.map((r) => r.row_index)).toEqual([200_000, 200_001, 200_002]);
    // Counted a step past the page, as the backend does; to the end near it.
    expect(gridPage(big, { limit: 100 })).toMatchObject({ total: GRID_COUNT_AHEAD, more: true });
    expect(deep).toMatchObject({ total: 210_000, more: true });
    expect(gridPage(big, { offset: 245_000, limit: 100 })).toMatchObject({ total: 250_000, more: false });
  });
});

describe("the dashboard commands in the fake backend", () => {
  it("adds a large campaign only when asked", async () => {
    installMock();
    expect((await api.listCampaigns()).some((c) => c.audience_size === 250_000)).toBe(false);
    installMock({ largeCampaign: 1000 });
    const large = (await api.listCampaigns()).find((c) => c.audience_size === 1000);
    expect(large).toMatchObject({ status: "completed" });
    if (!large) return;
    expect((await api.campaignGrid(large.id, { limit: 10, offset: 990 })).rows).toHaveLength(10);
    expect((await api.campaignMessages(large.id, 995, 10)).map((m) => m.row_index)).toEqual([995, 996, 997, 998, 999]);
  });

  it("refuses a query it cannot read", async () => {
    installMock();
    await expect(api.campaignGrid(4, { limit: 10, sort: "nope" as "row" })).rejects.toMatchObject({ code: "invalid" });
    await expect(api.campaignGrid(4, { limit: 10, statuses: ["lost" as "sent"] })).rejects.toMatchObject({ code: "invalid" });
    await expect(api.campaignGrid(99, { limit: 10 })).rejects.toMatchObject({ code: "not_found" });
  });

  it("queues a report again only with a report address, and sends it on the next tick", async () => {
    const backend = installMock();
    await expect(api.resendReport(6)).rejects.toMatchObject({ code: "invalid", message: expect.stringContaining("no report address") as string });
    expect(await api.resendReport(1)).toBe(true);
    const [queued] = await api.reportOutbox(1);
    expect(queued).toMatchObject({ state: "pending", recipient: "events@example.org", attempts: 0 });
    backend.tick();
    const [sent] = await api.reportOutbox(1);
    expect(sent).toMatchObject({ id: queued?.id, state: "sent", attempts: 1 });
    expect(sent?.sent_at).not.toBeNull();
  });

  it("tests the mail server once a host is set, and a password when a user name is", async () => {
    installMock({ empty: true });
    await expect(api.testSmtpConnection()).rejects.toMatchObject({ code: "invalid", message: expect.stringContaining("not set") as string });
    await api.setSetting("smtp.host", "smtp.example.org");
    await api.setSetting("smtp.username", "herald");
    await expect(api.testSmtpConnection()).rejects.toMatchObject({ message: expect.stringContaining("password") as string });
    await api.setSecret("smtp.password", "secret");
    expect(await api.testSmtpConnection()).toBe("Connected to smtp.example.org:587 and logged in");
  });

  it("retries the failed and undelivered messages as a new campaign, and starts a scheduled one now", async () => {
    installMock();
    const retry = await api.retryFailed(1);
    const created = await api.getCampaign(retry);
    expect(created).toMatchObject({ name: "Spring Conference reminder — retry", status: "scheduled" });
    expect(created.counts).toMatchObject({ total: 14 + 12, preparing: 26 });
    await expect(api.retryFailed(2)).rejects.toMatchObject({ code: "invalid" });
    const started = await api.startCampaignNow(2);
    expect(started.status).toBe("scheduled");
    expect(Date.parse(started.scheduled_at ?? "")).toBeLessThanOrEqual(Date.now());
  });
});

describe("the fake statuses over time", () => {
  it("counts as the backend does: sent by sent time, final statuses by their last update", () => {
    const at = (s: number) => new Date(Date.parse("2026-11-27T14:00:00Z") + s * 1000).toISOString();
    const source = arraySource([
      row(1, { status: "delivered", sent_at: at(0), updated_at: at(10) }),
      row(2, { status: "delivered", sent_at: at(20), updated_at: at(35) }),
      row(3, { status: "undelivered", sent_at: at(40), updated_at: at(95) }),
      row(4, { status: "failed", sent_at: at(60), updated_at: at(61) }),
      row(5, { status: "sent", sent_at: at(99), updated_at: at(99) }),
    ]);
    const points = timelinePoints(source, 10);
    // The same case as store/timeline.rs's test, with the same answer.
    expect(points).toHaveLength(11);
    expect(points[0]).toEqual({ at: at(0), sent: 0, delivered: 0, undelivered: 0, failed: 0 });
    expect(points[1]).toMatchObject({ at: at(10), sent: 1, delivered: 0 });
    expect(points[2]).toMatchObject({ sent: 1, delivered: 1 });
    expect(points.at(-1)).toEqual({ at: at(99), sent: 5, delivered: 2, undelivered: 1, failed: 1 });
    expect(timelinePoints(arraySource([row(1, {})]))).toEqual([]);
  });
});
