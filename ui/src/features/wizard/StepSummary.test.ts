import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { describe, expect, it, vi, type MockInstance } from "vitest";
import { api, type DraftSummary } from "../../api";
import { FakeBackend } from "../../api/fakeBackend";
import { formatZoned } from "../../lib/format";
import { workstationZone } from "../../lib/zones";
import { capResetWords, DEFAULT_WINDOW, windowInWords } from "../window/window";
import { installMock } from "../../api/mock";
import StepSummary from "./StepSummary.svelte";

const HOSTILE = "<img src=x onerror=alert(1)>";

/**
 * Renders the summary of the seeded draft; waits for it unless `settle` is false. `setup`
 * gets the fake backend before the summary is asked for (to hold an answer back, say).
 */
async function renderSummary(
  overrides: Partial<{ error: string | null; at: string | null }> = {},
  { setup, settle = true }: { setup?: (backend: FakeBackend) => void; settle?: boolean } = {},
) {
  const backend = installMock();
  const draft = (await api.listCampaigns()).find((c) => c.name === "Member survey (draft)");
  setup?.(backend);
  const onschedule = vi.fn();
  const onsavedraft = vi.fn();
  render(StepSummary, {
    campaignId: draft?.id ?? 0,
    at: null,
    mode: "test",
    writeBack: "activity",
    audienceName: "members-2025.csv",
    template: "",
    reportEmail: "",
    preview: null,
    idColumn: "ID",
    busy: null,
    error: null,
    onschedule,
    onsavedraft,
    onchangetime: vi.fn(),
    ongotostep: vi.fn(),
    saveFirst: () => Promise.resolve(null),
    ...overrides,
  });
  if (settle) await screen.findByTestId("summary-invalid");
  return { onschedule, onsavedraft };
}

describe("StepSummary", () => {
  it("shows every count, each element starting with its number", async () => {
    await renderSummary();
    const text = (testid: string) => screen.getByTestId(testid).textContent;
    expect(text("summary-pulled")).toBe("24 contacts pulled from the audience");
    expect(text("summary-invalid")).toBe("4 invalid");
    expect(text("summary-duplicates")).toBe("2 duplicates");
    expect(text("summary-opted-out")).toBe("2 opted out");
    expect(text("summary-to-send")).toBe("16 contacts Herald will send to");
    expect(text("summary-segments")).toMatch(/^\d+$/);
    // A sum of money to the cent; only the price per segment keeps its fractions of a cent.
    expect(text("summary-cost")).toMatch(/^\d+\.\d{2}$/);
    expect(screen.getByText("at $0.0083 per segment")).toBeTruthy();
  });

  it("expands the invalid count to its rows, with member names as text", async () => {
    await renderSummary();
    const toggle = screen.getByTestId("summary-invalid");
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
    await fireEvent.click(toggle);
    expect(toggle.getAttribute("aria-expanded")).toBe("true");

    const panel = document.getElementById(toggle.getAttribute("aria-controls") ?? "");
    if (!panel) throw new Error("the rows are not shown");
    const rows = within(panel).getAllByRole("row").slice(1);
    expect(rows).toHaveLength(4);
    const hostile = within(panel).getByText(HOSTILE);
    expect(hostile.tagName).toBe("TD");
    expect(document.querySelector("img")).toBeNull();
    const [first] = rows;
    if (!first) throw new Error("no rows");
    expect(within(first).getAllByRole("cell").map((c) => c.textContent)).toEqual([
      "4",
      "1003",
      HOSTILE,
      "N/A",
      "invalid phone number: it contains letters",
    ]);

    await fireEvent.click(toggle);
    expect(document.getElementById(toggle.getAttribute("aria-controls") ?? "")).toBeNull();
  });

  it("hands the buttons to the wizard and shows its scheduling error", async () => {
    const { onschedule, onsavedraft } = await renderSummary({
      error: "'Member survey (draft)' has nobody to send to: every row is excluded",
    });
    await fireEvent.click(screen.getByTestId("summary-schedule"));
    await fireEvent.click(screen.getByTestId("summary-save-draft"));
    expect(onschedule).toHaveBeenCalledOnce();
    expect(onsavedraft).toHaveBeenCalledOnce();
    expect(screen.getByRole("alert").textContent).toContain("has nobody to send to");
  });

  it("offers Schedule only once the summary it confirms is shown", async () => {
    let release: (() => void) | undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let handle: MockInstance<FakeBackend["handle"]> | undefined;
    const { onschedule } = await renderSummary(
      {},
      {
        settle: false,
        setup: (backend) => {
          handle = vi.spyOn(backend, "handle").mockImplementation(async (cmd, args) => {
            if (cmd === "draft_summary") await held;
            return FakeBackend.prototype.handle.call(backend, cmd, args);
          });
        },
      },
    );
    await waitFor(() => {
      expect(handle).toHaveBeenCalledWith("draft_summary", expect.anything());
    });
    const schedule = screen.getByTestId<HTMLButtonElement>("summary-schedule");
    expect(screen.getByRole("status").textContent).toContain("Counting the audience");
    expect(schedule.disabled).toBe(true);

    release?.();
    await screen.findByTestId("summary-invalid");
    expect(schedule.disabled).toBe(false);
    await fireEvent.click(schedule);
    expect(onschedule).toHaveBeenCalledOnce();
  });

  it("says why there is no summary yet", async () => {
    installMock();
    const empty = (await api.listCampaigns()).find((c) => c.name === HOSTILE);
    render(StepSummary, {
      campaignId: empty?.id ?? 0,
      at: null,
      mode: "test",
      writeBack: "activity",
      audienceName: null,
      template: "",
      reportEmail: "",
      preview: null,
      idColumn: "ID",
      busy: null,
      error: null,
      onschedule: vi.fn(),
      onsavedraft: vi.fn(),
      onchangetime: vi.fn(),
      ongotostep: vi.fn(),
      saveFirst: () => Promise.resolve(null),
    });
    await waitFor(() => {
      expect(screen.getByTestId("summary-error").textContent).toContain("has no audience yet");
    });
  });
});

/** A LIVE draft's audience: line 2 cannot be sent to, so Ann (line 3) is the first recipient. */
const LIVE_CSV = ["ID,FirstName,LastName,Mobile", "10001,Bad,Number,N/A", "10004,Ann,Lee,201-555-0199", "10005,Bo,Chen,201-555-0142"].join("\n");
const LIVE_TEMPLATE = "Hi ${FirstName}, see you Friday.";

interface LiveOptions {
  /** Twilio's Account SID is set (with the seeded Auth Token, the Twilio check passes). */
  twilio?: boolean;
  at?: string | null;
  reportEmail?: string;
  setup?: (backend: FakeBackend) => Promise<void> | void;
}

/** The seeded draft, made LIVE in a connected workspace, on its Summary. */
async function renderLive({ twilio = true, at = null, reportEmail = "", setup }: LiveOptions = {}) {
  const backend = installMock({ demo: false });
  const draft = (await api.listCampaigns()).find((c) => c.name === "Member survey (draft)");
  const id = draft?.id ?? 0;
  await api.updateDraft(id, { mode: "live", template: LIVE_TEMPLATE, report_email: reportEmail });
  await api.importCsvAudience(id, "live.csv", LIVE_CSV);
  await api.setSetting("twilio.from", "+15550001111");
  if (twilio) await api.setSetting("twilio.account_sid", "AC123");
  await setup?.(backend);
  const preview = await api.audiencePreview(id);
  const props = {
    campaignId: id,
    at,
    mode: "live" as const,
    writeBack: "activity" as const,
    audienceName: "live.csv",
    template: LIVE_TEMPLATE,
    reportEmail,
    preview,
    idColumn: "ID",
    busy: null,
    error: null,
    onschedule: vi.fn(),
    onsavedraft: vi.fn(),
    onchangetime: vi.fn(),
    ongotostep: vi.fn(),
    saveFirst: vi.fn(() => Promise.resolve(null)),
  };
  const view = render(StepSummary, props);
  await screen.findByTestId("summary-invalid");
  return { backend, id, props, view };
}

function checks(): { what: string; ok: string | undefined }[] {
  return screen.getAllByTestId("preflight-check").map((c) => ({
    what: c.querySelector(".what")?.firstChild?.textContent ?? "",
    ok: c.dataset.ok,
  }));
}

describe("StepSummary, LIVE: the final check", () => {
  it("shows the message as the first recipient gets it, the sender, the report and where texts are recorded", async () => {
    await renderLive();
    const check = screen.getByTestId("summary-final-check");
    await waitFor(() => {
      expect(within(check).getByTestId("summary-message").textContent).toBe("Hi Ann, see you Friday.");
    });
    expect(screen.getByTestId("summary-message-who").textContent).toBe("as Ann Lee (iMIS ID 10004) will get it");
    expect(screen.getByTestId("summary-sender").textContent).toBe("+15550001111");
    expect(screen.getByTestId("summary-report").textContent).toBe("No report email");
    expect(screen.getByTestId("summary-writeback").textContent.trim()).toBe("Activities (TEXTMSG)");
    await waitFor(() => {
      expect(checks()).toEqual([
        { what: "Twilio account", ok: "true" },
        { what: "iMIS", ok: "true" },
      ]);
    });
    expect(within(screen.getByTestId("summary-preflight")).getByText("Connected: Herald Demo (active).")).toBeTruthy();
    expect(screen.queryByTestId("summary-test-note")).toBeNull();

    // A change in Settings (here or by herald-cli) shows at once: the Messaging Service wins.
    await api.setSetting("twilio.messaging_service_sid", "MG0123456789");
    await waitFor(() => {
      expect(screen.getByTestId("summary-sender").textContent).toBe("Messaging Service MG0123456789");
    });
  });

  it("says what the button does, and that a later time schedules it", async () => {
    await renderLive();
    const button = screen.getByTestId<HTMLButtonElement>("summary-schedule");
    await waitFor(() => {
      expect(button.disabled).toBe(false);
    });
    expect(button.textContent.trim()).toBe("Send 2 real texts…");
    cleanup();

    const at = new Date(Date.now() + 86_400_000).toISOString();
    await renderLive({ at });
    await waitFor(() => {
      expect(screen.getByTestId<HTMLButtonElement>("summary-schedule").disabled).toBe(false);
    });
    expect(screen.getByTestId("summary-schedule").textContent.trim()).toBe("Schedule 2 real texts…");
  });

  it("holds the button back while a check fails, links to the fix, and checks again when settings change", async () => {
    await renderLive({ twilio: false });
    await waitFor(() => {
      expect(checks()[0]).toEqual({ what: "Twilio account", ok: "false" });
    });
    const [twilio] = screen.getAllByTestId("preflight-check");
    if (!twilio) throw new Error("no Twilio check");
    expect(twilio.textContent).toContain("The Twilio Account SID is not set");
    const fix = within(twilio).getByRole("link", { name: "Open Settings → Twilio" });
    expect(fix.getAttribute("href")).toBe("#/settings/twilio");

    const button = screen.getByTestId<HTMLButtonElement>("summary-schedule");
    expect(button.disabled).toBe(true);
    const why = screen.getByTestId("summary-schedule-why");
    expect(why.textContent.trim()).toBe("Fix the problem in the final check above first.");
    expect(button.getAttribute("aria-describedby")).toBe(why.id);

    // Fixed in Settings: the backend says settings-changed and the checks run again.
    await api.setSetting("twilio.account_sid", "AC123");
    await waitFor(() => {
      expect(checks().every((c) => c.ok === "true")).toBe(true);
    });
    expect(button.disabled).toBe(false);
    expect(screen.queryByTestId("summary-schedule-why")).toBeNull();
  });

  it("names the other fixes: the mail server in Settings, the TEXTMSG type on step 4", async () => {
    const { props } = await renderLive({
      reportEmail: "events@example.org",
      setup: (backend) => {
        backend.textmsg = false;
      },
    });
    await waitFor(() => {
      expect(checks()).toEqual([
        { what: "Twilio account", ok: "true" },
        { what: "iMIS", ok: "false" },
        { what: "Report email", ok: "false" },
      ]);
    });
    expect(screen.getByTestId("summary-report").textContent).toBe("events@example.org");
    expect(screen.getByRole("link", { name: "Open Settings → Email reports" }).getAttribute("href")).toBe("#/settings/smtp");
    expect(screen.getByTestId("summary-schedule-why").textContent).toContain("Fix the 2 problems");
    await fireEvent.click(screen.getByRole("button", { name: "Go to step 4" }));
    expect(props.ongotostep).toHaveBeenCalledWith(3);
  });
});

describe("StepSummary, LIVE: the confirmation", () => {
  async function openDialog() {
    const live = await renderLive();
    const button = screen.getByTestId<HTMLButtonElement>("summary-schedule");
    await waitFor(() => {
      expect(button.disabled).toBe(false);
      expect(screen.getByTestId("summary-message").textContent).toBe("Hi Ann, see you Friday.");
    });
    await fireEvent.click(button);
    return { ...live, button, dialog: screen.getByRole("dialog", { name: "Send 2 real texts?" }) };
  }

  it("restates what will happen, and schedules nothing on Cancel or Escape", async () => {
    const { props, button, dialog } = await openDialog();
    expect(dialog).toBe(screen.getByTestId("live-confirm-dialog"));
    expect(dialog.textContent).toContain("Real texts to real members");
    expect(within(dialog).getByTestId("live-confirm-recipients").textContent).toBe("2");
    expect(within(dialog).getByTestId("live-confirm-cost").textContent).toMatch(/^\$\d+\.\d{2}$/);
    expect(within(dialog).getByTestId("live-confirm-days").textContent.trim()).toBe("1 day");
    expect(within(dialog).getByTestId("live-confirm-start").getAttribute("title")).toMatch(/UTC$/);
    expect(within(dialog).getByTestId("live-confirm-finish").getAttribute("title")).toMatch(/UTC$/);
    expect(within(dialog).getByTestId("live-confirm-window").textContent.trim()).toBe(windowInWords(DEFAULT_WINDOW));
    // The times name their zone.
    expect(within(dialog).getByTestId("live-confirm-finish").textContent).toMatch(/\d{2}:\d{2} \S+$/);
    expect(within(dialog).getByTestId("live-confirm-message").textContent).toBe("Hi Ann, see you Friday.");
    expect(dialog.textContent).toContain("as Ann Lee (iMIS ID 10004) will get it");
    // Not a large send: nothing to type, and the safe choice has focus.
    expect(within(dialog).queryByTestId("live-confirm-count")).toBeNull();
    const cancel = within(dialog).getByTestId("live-confirm-cancel");
    expect(document.activeElement).toBe(cancel);

    // Focus stays inside.
    const send = within(dialog).getByTestId("live-confirm-send");
    send.focus();
    await fireEvent.keyDown(send, { key: "Tab" });
    expect(document.activeElement).toBe(cancel);

    await fireEvent.keyDown(cancel, { key: "Escape" });
    await waitFor(() => {
      expect(screen.queryByRole("dialog")).toBeNull();
    });
    expect(document.activeElement).toBe(button);

    await fireEvent.click(button);
    await fireEvent.click(screen.getByTestId("live-confirm-cancel"));
    await waitFor(() => {
      expect(screen.queryByRole("dialog")).toBeNull();
    });
    expect(props.onschedule).not.toHaveBeenCalled();

    await fireEvent.click(button);
    await fireEvent.click(screen.getByTestId("live-confirm-send"));
    expect(props.onschedule).toHaveBeenCalledExactlyOnceWith(2);
  });

  it("asks for the count to be typed above the setting's threshold", async () => {
    const { props } = await renderLive({
      setup: async () => {
        await api.setSetting("campaign.confirm_typed_above", "1");
      },
    });
    const button = screen.getByTestId<HTMLButtonElement>("summary-schedule");
    await waitFor(() => {
      expect(button.disabled).toBe(false);
    });
    await fireEvent.click(button);
    const dialog = screen.getByRole("dialog", { name: "Send 2 real texts?" });
    const input = within(dialog).getByLabelText<HTMLInputElement>("Type 2 to confirm");
    expect(input).toBe(screen.getByTestId("live-confirm-count"));
    expect(document.activeElement).toBe(input);
    const send = within(dialog).getByTestId<HTMLButtonElement>("live-confirm-send");
    expect(send.disabled).toBe(true);
    await fireEvent.input(input, { target: { value: "3" } });
    expect(send.disabled).toBe(true);
    await fireEvent.keyDown(input, { key: "Enter" });
    expect(props.onschedule).not.toHaveBeenCalled();
    await fireEvent.input(input, { target: { value: "2" } });
    expect(send.disabled).toBe(false);
    await fireEvent.click(send);
    expect(props.onschedule).toHaveBeenCalledExactlyOnceWith(2);
  });

  it("shows why the backend refused, in the dialog", async () => {
    const { props, view } = await openDialog();
    await fireEvent.click(screen.getByTestId("live-confirm-send"));
    expect(props.onschedule).toHaveBeenCalledWith(2);
    const refusal = "'Member survey (draft)' now sends to 3 recipients, not the 2 you confirmed: check the summary again";
    await view.rerender({ ...props, busy: null, error: refusal });
    const dialog = screen.getByRole("dialog");
    expect(within(dialog).getByTestId("live-confirm-error").textContent).toContain(refusal);
    // Said once, in the dialog: the page's own alert waits until it closes.
    expect(screen.queryByTestId("summary-schedule-error")).toBeNull();
  });
});

describe("StepSummary, TEST", () => {
  it("says a TEST campaign sends nothing and leaves the daily limit alone, with no final check", async () => {
    await renderSummary();
    expect(screen.getByTestId("summary-test-note").textContent.trim()).toBe(
      "TEST campaign: nothing is really sent, and it does not count against your daily limit of 10,000 texts.",
    );
    expect(screen.getByTestId("test-text").textContent.trim()).toBe(
      "Test texts are real texts, so they are available for LIVE campaigns.",
    );
    expect(screen.queryByTestId("summary-final-check")).toBeNull();
    expect(screen.queryByTestId("test-text-to")).toBeNull();
    expect(screen.getByTestId("summary-schedule").textContent.trim()).toBe("Save and Schedule");
  });
});

describe("StepSummary, time zones and the sending window", () => {
  const cells = (row: HTMLElement) => [...row.querySelectorAll("th, td")].map((c) => c.textContent.trim());

  /** Answers draft_summary with the fake's summary changed by `change`. */
  function changed(change: (summary: DraftSummary["summary"]) => void) {
    return (backend: FakeBackend) => {
      const handle = backend.handle.bind(backend);
      vi.spyOn(backend, "handle").mockImplementation((cmd, args) => {
        const answer = handle(cmd, args);
        if (cmd === "draft_summary") change((answer as DraftSummary).summary);
        return answer;
      });
    };
  }

  it("shows where the recipients are, when texts arrive, and the times with their zone", async () => {
    await renderSummary();
    const table = screen.getByTestId("summary-zones");
    expect(within(table).getAllByRole("columnheader").map((h) => h.textContent.trim())).toEqual(["Time zone", "Recipients"]);
    expect(within(table).getAllByRole("row").slice(1).map(cells)).toEqual([
      ["America/New_York", "6"],
      ["America/Chicago", "4"],
      ["America/Los_Angeles", "4"],
      ["America/Toronto", "1"],
      ["Pacific/Honolulu", "1"],
    ]);
    expect(screen.queryByTestId("summary-unknown-zone")).toBeNull();

    expect(screen.getByTestId("summary-window").textContent.trim()).toBe(
      "Texts arrive 9:00–20:00 in each member's time zone, every day",
    );
    const { summary } = await api.draftSummary(7, null);
    const finish = screen.getByTestId("summary-finish");
    expect(finish.textContent).toBe(formatZoned(summary.plan.finish));
    expect(finish.getAttribute("title")).toMatch(/UTC$/);
    expect(screen.getByTestId("summary-start").textContent).toBe(formatZoned(summary.plan.start));
    expect(screen.getByTestId("summary-finish-zone").textContent.trim()).toBe(
      `Times are in this computer's time zone, ${workstationZone()}.`,
    );
    expect(screen.getByTestId("summary-cap-reset").textContent.trim()).toBe(
      capResetWords("UTC", workstationZone(), new Date()),
    );
  });

  it("keeps the table short, and says whose zone is unknown and which zone they follow", async () => {
    const zones = ["A/One", "B/Two", "C/Three", "D/Four", "E/Five", "F/Six", "G/Seven", "H/Eight"];
    await renderSummary(
      {},
      {
        setup: changed((s) => {
          s.zones = zones.map((zone, i) => ({ zone, label: zone, recipients: 100 - i * 10 }));
          s.unknown_zone = 3;
          s.fallback_zone = "America/Chicago";
          s.window = null;
        }),
      },
    );
    const rows = within(screen.getByTestId("summary-zones")).getAllByRole("row").slice(1);
    expect(rows).toHaveLength(7);
    expect(rows.map(cells)[6]).toEqual(["Other zones (2)", "70"]);
    expect(within(rows[0] ?? document.body).getByRole("rowheader").textContent).toBe("A/One");
    expect(screen.getByTestId("summary-unknown-zone").textContent.trim().replace(/\s+/g, " ")).toBe(
      "3 members with no known time zone: their texts follow America/Chicago.",
    );
    expect(screen.getByTestId("summary-window").textContent.trim()).toBe("At any hour");
  });
});
