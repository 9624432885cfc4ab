import { mockIPC } from "@tauri-apps/api/mocks";
import { describe, expect, it, vi } from "vitest";
import { commands } from "./bindings";
import { FakeBackend } from "./fakeBackend";
import { api, ApiError, onCampaignsChanged, toApiError, unwrap } from "./index";
import { installMock } from "./mock";

describe("unwrap", () => {
  it("gives the data of an ok result", async () => {
    await expect(unwrap(Promise.resolve({ status: "ok", data: [1, 2] }))).resolves.toEqual([1, 2]);
  });

  it("throws an ApiError carrying the backend's code and message", async () => {
    const call = unwrap(Promise.resolve({ status: "error", error: { code: "conflict", message: "Name taken" } }));
    const error = await call.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ code: "conflict", message: "Name taken", name: "ApiError" });
  });

  it("turns a rejected call into an internal ApiError", async () => {
    await expect(unwrap(Promise.reject(new Error("IPC is down")))).rejects.toMatchObject({
      code: "internal",
      message: "IPC is down",
    });
  });
});

describe("toApiError", () => {
  it("reads Tauri's bare string rejections", () => {
    expect(toApiError("command nope not found")).toMatchObject({ code: "internal", message: "command nope not found" });
  });

  it("knows iMIS failures by their own code", () => {
    expect(toApiError({ code: "imis", message: "iMIS did not answer within 30 seconds" })).toMatchObject({
      code: "imis",
      message: "iMIS did not answer within 30 seconds",
    });
  });

  it("does not trust an unknown code", () => {
    expect(toApiError({ code: "teapot", message: "short and stout" }).code).toBe("internal");
  });

  it("keeps an ApiError as it is", () => {
    const error = new ApiError("not_found", "gone");
    expect(toApiError(error)).toBe(error);
  });

  it("says something even for nothing", () => {
    expect(toApiError(undefined).message).toMatch(/unexpected/i);
  });
});

describe("api", () => {
  it("calls the command by its IPC name with its arguments", async () => {
    const calls: [string, unknown][] = [];
    mockIPC((cmd, payload) => {
      calls.push([cmd, payload]);
      return cmd === "set_setting" ? { key: "smtp.port" } : null;
    });
    await api.setSetting("smtp.port", "2525");
    expect(calls).toEqual([["set_setting", { key: "smtp.port", value: "2525" }]]);
  });

  it("rejects with the backend's error as an ApiError", async () => {
    mockIPC(() => {
      // The real IPC rejects with the serialised AppError.
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      throw { code: "illegal_transition", message: "Only drafts can be deleted." };
    });
    await expect(api.deleteDraft(3)).rejects.toMatchObject({
      code: "illegal_transition",
      message: "Only drafts can be deleted.",
    });
  });

  it("works end to end against the fake backend", async () => {
    installMock({ empty: true });
    const id = await api.createCampaign({ name: "Spring" });
    await expect(api.createCampaign({ name: "spring " })).rejects.toMatchObject({ code: "conflict" });
    const updated = await api.updateDraft(id, {
      name: null,
      report_email: "events@example.org",
      mode: null,
      audience: null,
      template: null,
      write_back: null,
      skip_empty: null,
    });
    expect(updated).toMatchObject({ name: "Spring", report_email: "events@example.org", status: "draft" });
  });
});

describe("secrets", () => {
  it("stores and deletes a secret without ever handing its value back", async () => {
    installMock({ empty: true });
    const value = "hunter2-very-secret";
    const answers: unknown[] = [];
    answers.push(await api.setSecret("smtp.password", value));
    answers.push(await api.secretStatus());
    expect(answers[0]).toEqual({ name: "smtp.password", stored: true, error: null });
    answers.push(await api.deleteSecret("smtp.password"));
    expect(answers[2]).toEqual({ name: "smtp.password", stored: false, error: null });
    expect(JSON.stringify(answers)).not.toContain(value);
    await expect(api.setSecret("smtp.password", "")).rejects.toMatchObject({ code: "keychain" });
    await expect(api.setSecret("smtp.nope", value)).rejects.toMatchObject({ code: "invalid" });
  });

  it("reports an unreachable keychain on every secret and refuses changes", async () => {
    installMock({ empty: true, keychainError: "No Secret Service is running" });
    const list = await api.secretStatus();
    expect(list.map((s) => s.name)).toEqual(["imis.password", "twilio.auth_token", "twilio.api_key_secret", "smtp.password"]);
    expect(list.every((s) => !s.stored && s.error === "No Secret Service is running")).toBe(true);
    await expect(api.setSecret("imis.password", "x")).rejects.toMatchObject({
      code: "keychain",
      message: "No Secret Service is running",
    });
  });
});

describe("onCampaignsChanged", () => {
  it("calls back on the event until unsubscribed", async () => {
    installMock({ empty: true });
    const handler = vi.fn();
    const stop = onCampaignsChanged(handler);
    await vi.waitFor(async () => {
      await api.createCampaign({ name: `One ${Math.random()}` });
      expect(handler).toHaveBeenCalled();
    });
    expect(handler.mock.lastCall?.[0]).toMatchObject({ campaign_id: expect.any(Number) as number });
    stop();
    handler.mockClear();
    await api.createCampaign({ name: "Two" });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(handler).not.toHaveBeenCalled();
  });
});

describe("iMIS against the fake backend", () => {
  it("browses the demo directory, reads a query and runs it into a draft", async () => {
    installMock({ empty: true });
    expect(await api.imisListFolder("$")).toEqual([{ name: "Herald Demo", path: "$/Herald Demo", kind: "folder" }]);
    expect((await api.imisListFolder("$/Herald Demo/Events/")).map((e) => e.path)).toEqual([
      "$/Herald Demo/Events/Conference 2026 attendees",
    ]);
    await expect(api.imisListFolder("$/Nope")).rejects.toMatchObject({ code: "imis", message: "iMIS has no folder at '$/Nope'" });
    const info = await api.imisQueryDefinition("$/Herald Demo/Members by type");
    expect(info.parameters).toEqual([
      { name: "MemberType", prompt: "Member type", operation: "Equal", allow_multiple: false, values: ["REG", "STU", "RET", "LIFE"] },
    ]);
    expect(info.columns.map((c) => c.alias)).toEqual([
      "ID", "FirstName", "LastName", "FullName", "Mobile", "MemberType", "Chapter", "JoinDate", "DuesBalance", "EventsAttended", "IsActive",
    ]);

    const id = await api.createCampaign({ name: "Lunch" });
    const run = await api.importQueryAudience(id, " $/Herald Demo/Members by type ", { MemberType: "LIFE", Unused: " " });
    expect(run.problem).toBeNull();
    expect(run.preview.source).toEqual({
      query: "$/Herald Demo/Members by type",
      params: { MemberType: "LIFE" },
      csv: null,
      id_column: "ID",
      phone_column: "Mobile",
    });
    const type = run.preview.columns.indexOf("MemberType");
    expect(run.preview.rows.every((r) => r[type] === "LIFE")).toBe(true);
    expect(await api.audiencePreview(id)).toMatchObject({ row_count: run.preview.row_count, source_name: "$/Herald Demo/Members by type" });
    await expect(api.importQueryAudience(id, "Members", {})).rejects.toMatchObject({ code: "invalid" });
  });

  it("answers the TEXTMSG check, the connection test and the write-back queue", async () => {
    const backend = installMock({ demo: false, textmsg: false });
    expect(await api.imisActivityTypeCheck()).toEqual({ exists: false, demo: false });
    expect(await api.testImisConnection()).toEqual({ root_entries: 1, textmsg: false, demo: false });
    const queue = await api.writebackStatus(null);
    expect(queue).toMatchObject({ in_flight: 0, failed: 1, waiting_reason: null });
    expect(queue.failures).toHaveLength(1);
    expect(queue.done).toBeGreaterThan(0);
    expect(await api.writebackStatus(3)).toEqual({ pending: 0, in_flight: 0, done: 0, failed: 0, waiting_reason: null, failures: [] });
    backend.imisError = "iMIS is busy and asked Herald to slow down; try again in a minute";
    await expect(api.testImisConnection()).rejects.toMatchObject({ code: "imis", message: backend.imisError });
    expect((await api.writebackStatus(null)).waiting_reason).toBe(backend.imisError);
  });
});

describe("the fake backend", () => {
  it("knows every command the bindings have, so mock mode never hits a missing one", () => {
    const backend = new FakeBackend();
    const missing = Object.keys(commands)
      .map((name) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`))
      .filter((cmd) => {
        try {
          backend.handle(cmd, {});
          return false;
        } catch (e) {
          return (e as { message?: unknown }).message === `command ${cmd} not found`;
        }
      });
    expect(missing).toEqual([]);
  });
});

describe("export, report and print against the fake backend", () => {
  it("exports to the name the Save dialog suggests, shows only what it exported, and knows a cancel", async () => {
    const backend = installMock();
    const path = await api.exportMessagesCsv(1, { statuses: ["failed"], limit: 100 });
    expect(path).toMatch(/^\/home\/demo\/Downloads\/Spring-Conference-reminder messages \d{4}-\d{2}-\d{2}\.csv$/);
    expect(await api.showInFolder(path ?? "")).toBeNull();
    expect(backend.shownInFolder).toEqual([path]);
    await expect(api.showInFolder("/etc/passwd")).rejects.toMatchObject({ code: "invalid" });

    backend.cancelExports = true;
    expect(await api.exportMessagesCsv(1, { limit: 100 })).toBeNull();
    expect(backend.exports).toHaveLength(1);
  });

  it("reports a campaign as the email does, and prints", async () => {
    const backend = installMock();
    const detail = await api.getCampaign(4);
    const report = await api.campaignReport(4);
    expect(report).toMatchObject({ campaign_id: 4, name: detail.name, mode: detail.mode, status: detail.status });
    expect(report.recipients).toBe(detail.counts.total);
    expect(report.counts.map((c) => c.label)).toEqual([
      "Delivered",
      "Sent, awaiting report",
      "Undelivered",
      "Failed",
      "Not sendable (invalid or missing number)",
      "Skipped",
      "Canceled",
      "Waiting to send",
    ]);
    expect(report.counts[0]?.count).toBe(detail.counts.delivered);
    expect(report.delivery_rate).toMatch(/^\d+\.\d%$/);
    expect(report.generated).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} \S+$/);
    expect(report.errors.length).toBeLessThanOrEqual(5);
    expect(report.writeback).toMatch(/^\d+ done, \d+ waiting, \d+ failed$/);
    await expect(api.campaignReport(999)).rejects.toMatchObject({ code: "not_found" });

    expect(await api.printWindow()).toBeNull();
    expect(backend.prints).toBe(1);
  });
});
