import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { api, type MessagePage, type MessageQuery, type SendingStats } from "../../api";
import { FakeBackend } from "../../api/fakeBackend";
import { HOSTILE_NAME } from "../../api/fakeImis";
import { SEND_BATCH } from "../../api/fakeSending";
import { installMock } from "../../api/mock";
import { formatCount, formatZoned } from "../../lib/format";
import CampaignDetail from "./CampaignDetail.svelte";
import { FALLBACK_VIEWPORT_PX, GRID_PAGE_SIZE, OVERSCAN, ROW_HEIGHT } from "./grid";
import { rowSlots } from "./virtual";

/** The most rows the grid keeps in the DOM (see rowSlots). */
const MOST_ROWS = rowSlots(FALLBACK_VIEWPORT_PX, ROW_HEIGHT, OVERSCAN);

// The seeded campaigns (see FakeBackend.seed).
const SENDING = 4; // "Board election: get out the vote", LIVE
const PAUSED = 5; // "Webinar follow-up", TEST, paused by Twilio errors
const SCHEDULED = 2;
const COMPLETED = 1; // "Spring Conference reminder", with a report address and two report emails
const CANCELED = 6; // "Holiday office closure", no report address
const DRAFT = 7; // "Member survey (draft)"
const LARGE = 9; // the 250,000-message campaign, when installMock({ largeCampaign }) adds it

function status(): string {
  return screen.getByTestId("detail-status").textContent.trim();
}

function count(name: string): string {
  return screen.getByTestId(`count-${name}`).textContent;
}

async function open(id: number, options: Parameters<typeof installMock>[0] = {}) {
  const backend = installMock(options);
  const handle = vi.spyOn(backend, "handle");
  render(CampaignDetail, { id });
  await screen.findByTestId("detail-progress");
  await screen.findAllByTestId("grid-row");
  const calls = () => handle.mock.calls.map(([cmd]) => cmd);
  /** The queries the grid sent, oldest first. */
  const queries = () =>
    handle.mock.calls.filter(([cmd]) => cmd === "campaign_grid").map(([, args]) => (args as { query: MessageQuery }).query);
  return { backend, handle, calls, queries };
}

function rows(): HTMLElement[] {
  return screen.queryAllByTestId("grid-row");
}

/** The text of column `n` (0-based) of each row on screen. */
function column(n: number): string[] {
  return rows().map((row) => within(row).getAllByRole("gridcell")[n]?.textContent.trim() ?? "");
}

const STATUS = 4;
const MEMBER = 1;
const PHONE = 3;

function gridCount(): string {
  return screen.getByTestId("grid-count").textContent.trim();
}

async function scrollGridTo(top: number) {
  const grid = screen.getByTestId("grid");
  grid.scrollTop = top;
  await fireEvent.scroll(grid);
}

describe("CampaignDetail, sending", () => {
  it("shows the progress, a counter per status and the write-back queue of a LIVE campaign", async () => {
    await open(SENDING);
    expect(status()).toBe("Sending");
    const progress = screen.getByTestId("detail-progress");
    const bar = within(progress).getByRole("progressbar");
    // 2,855 went out (sent, delivered, undelivered, failed) of the 4,955 to send: the 20 not
    // sendable and 25 skipped are on neither side.
    expect(bar.getAttribute("aria-valuenow")).toBe("2855");
    expect(bar.getAttribute("aria-valuemax")).toBe("4955");
    expect(bar.getAttribute("aria-valuetext")).toBe(`${formatCount(2855)} of ${formatCount(4955)} sent`);
    expect(screen.getByTestId("progress-percent").textContent).toBe("57%");
    expect(screen.getByTestId("progress-line").textContent.trim()).toBe(
      `${formatCount(2855)} of ${formatCount(4955)} messages sent; 45 not sendable or skipped are not counted`,
    );
    expect(progress.textContent).toContain("LIVE");
    expect(count("delivered")).toContain(formatCount(2150));
    expect(count("delivered")).toContain("Delivered");
    expect(count("sent")).toContain("640");
    expect(count("preparing")).toContain("Waiting to send");
    expect(count("preparing")).toContain(formatCount(2100));
    expect(count("canceled")).toContain("0");
    expect(screen.getByTestId("writeback-summary").textContent.trim()).toMatch(
      /^iMIS write-back: [\d,]+ done · 4 waiting · 1 failed$/,
    );
    expect(screen.queryByTestId("pause-reason")).toBeNull();
  });

  it("shows 0%, not 50%, when half the audience is not sendable or skipped and nothing went out yet", async () => {
    const backend = installMock();
    const handle = backend.handle.bind(backend);
    vi.spyOn(backend, "handle").mockImplementation((cmd, args) => {
      const answer = handle(cmd, args);
      if (cmd !== "get_campaign") return answer;
      const counts = { total: 100, preparing: 50, sent: 0, delivered: 0, undelivered: 0, failed: 0, error: 30, skipped: 20, canceled: 0 };
      return { ...(answer as object), counts };
    });
    render(CampaignDetail, { id: SENDING });
    const progress = await screen.findByTestId("detail-progress");
    expect(screen.getByTestId("progress-percent").textContent).toBe("0%");
    expect(progress.textContent).not.toContain("50%");
    const bar = within(progress).getByRole("progressbar");
    expect(bar.getAttribute("aria-valuenow")).toBe("0");
    expect(bar.getAttribute("aria-valuemax")).toBe("50");
    // The stored status stays "error"; staff read what it means.
    const notSendable = screen.getByTestId("count-error");
    expect(notSendable.textContent).toContain("Not sendable");
    expect(notSendable.textContent).toContain("Invalid or missing phone number");
    expect(notSendable.textContent).toContain("30");
    expect(notSendable.textContent).not.toMatch(/\bError\b/);
  });

  it("says why write-backs are waiting", async () => {
    await open(SENDING, { imisError: "iMIS did not answer within 30 seconds" });
    const summary = screen.getByTestId("writeback-summary").textContent;
    expect(summary).toContain("4 waiting");
    expect(summary).toContain("Waiting: iMIS did not answer within 30 seconds");
  });

  it("pauses and resumes with the right commands, and the status follows", async () => {
    const { handle } = await open(SENDING);
    expect(screen.queryByTestId("action-resume")).toBeNull();

    await fireEvent.click(screen.getByTestId("action-pause"));
    await waitFor(() => {
      expect(status()).toBe("Paused");
    });
    expect(handle).toHaveBeenCalledWith("pause_campaign", { id: SENDING });
    expect(screen.getByTestId("pause-reason").textContent.trim()).toBe("Paused by the user");
    expect(screen.queryByTestId("action-pause")).toBeNull();

    await fireEvent.click(screen.getByTestId("action-resume"));
    await waitFor(() => {
      expect(status()).toBe("Sending");
    });
    expect(handle).toHaveBeenCalledWith("resume_campaign", { id: SENDING });
    expect(screen.queryByTestId("pause-reason")).toBeNull();
    expect(screen.getByTestId("action-pause")).toBeTruthy();
  });

  it("offers Resume as soon as the pause is done, while the page is still refreshing", async () => {
    const { backend, handle } = await open(SENDING);
    let release: (() => void) | undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    handle.mockImplementation(async (cmd, args) => {
      // The refresh after the pause (its event log) is slow to come.
      if (cmd === "campaign_events") await held;
      return FakeBackend.prototype.handle.call(backend, cmd, args);
    });
    await fireEvent.click(screen.getByTestId("action-pause"));
    await waitFor(() => {
      expect(status()).toBe("Paused");
    });
    const resume = screen.getByTestId("action-resume");
    expect((resume as HTMLButtonElement).disabled).toBe(false);
    await fireEvent.click(resume);
    await waitFor(() => {
      expect(status()).toBe("Sending");
    });
    expect(handle).toHaveBeenCalledWith("resume_campaign", { id: SENDING });
    release?.();
  });

  it("cancels only after confirming, and Keep sending changes nothing", async () => {
    const { calls } = await open(SENDING);
    const trigger = screen.getByTestId("action-cancel");
    await fireEvent.click(trigger);
    const dialog = await screen.findByRole("dialog", { name: "Cancel “Board election: get out the vote”?" });
    expect(dialog.textContent).toContain("Messages not yet sent will not be sent. Messages already sent stay tracked.");
    const keep = within(dialog).getByRole("button", { name: "Keep sending" });
    expect(document.activeElement).toBe(keep);

    await fireEvent.click(keep);
    await waitFor(() => {
      expect(screen.queryByRole("dialog")).toBeNull();
    });
    expect(calls()).not.toContain("cancel_campaign");
    expect(status()).toBe("Sending");

    await fireEvent.click(screen.getByTestId("action-cancel"));
    await fireEvent.click(await screen.findByTestId("confirm-cancel"));
    await waitFor(() => {
      expect(status()).toBe("Canceled");
    });
    expect(calls()).toContain("cancel_campaign");
    await waitFor(() => {
      expect(count("canceled")).toContain(formatCount(2100));
    });
    expect(count("preparing")).toContain("0");
    expect(screen.queryByTestId("action-cancel")).toBeNull();
  });

  it("shows the backend's refusal in an alert, starting with a capital", async () => {
    const { handle } = await open(SENDING);
    handle.mockImplementationOnce(() => {
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      throw { code: "illegal_transition", message: "a paused campaign cannot become paused" };
    });
    await fireEvent.click(screen.getByTestId("action-pause"));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("A paused campaign cannot become paused");
    expect(status()).toBe("Sending");
  });

  it("follows the engine's progress in place, without reloading the page", async () => {
    const { backend } = await open(SENDING);
    const firstRow = screen.getAllByTestId("grid-row")[0];
    backend.tick();
    await waitFor(() => {
      expect(count("sent")).toContain(String(SEND_BATCH));
    });
    expect(count("preparing")).toContain(formatCount(2100 - SEND_BATCH));
    // The same row elements, updated: no flash of "Loading…".
    expect(screen.getAllByTestId("grid-row")[0]).toBe(firstRow);
    expect(screen.queryByText("Loading…")).toBeNull();
  });
});

describe("CampaignDetail, paused", () => {
  it("says why it paused, and offers Resume and Cancel", async () => {
    await open(PAUSED);
    expect(status()).toBe("Paused");
    const reason = screen.getByTestId("pause-reason");
    expect(reason.textContent.trim()).toBe(
      "Paused: Twilio refused 10 messages in a row (20003: authentication failed). Check the credentials in Settings, then resume.",
    );
    expect(screen.getByTestId("action-resume").textContent).toContain("Resume");
    expect(screen.getByTestId("action-cancel").textContent).toContain("Cancel campaign");
    expect(screen.getByTestId("detail-progress").textContent).toContain("TEST");
    expect(screen.queryByTestId("writeback-summary")).toBeNull();
  });
});

describe("CampaignDetail, scheduled", () => {
  it("can be canceled before it starts", async () => {
    installMock();
    render(CampaignDetail, { id: SCHEDULED });
    await screen.findByTestId("detail-progress");
    expect(status()).toBe("Scheduled");
    expect(screen.queryByTestId("action-pause")).toBeNull();
    await fireEvent.click(screen.getByTestId("action-cancel"));
    const dialog = await screen.findByRole("dialog");
    expect(within(dialog).getByRole("button", { name: "Keep it scheduled" })).toBeTruthy();
    await fireEvent.click(within(dialog).getByTestId("confirm-cancel"));
    await waitFor(() => {
      expect(status()).toBe("Canceled");
    });
  });
});

describe("CampaignDetail, message grid", () => {
  it("renders only the rows on screen, with a spacer as tall as every row", async () => {
    const { queries } = await open(SENDING);
    expect(rows().length).toBeGreaterThan(5);
    expect(rows().length).toBeLessThanOrEqual(MOST_ROWS);
    expect(screen.getByTestId("grid-spacer").style.height).toBe(`${String(5000 * ROW_HEIGHT)}px`);
    expect(gridCount()).toBe("5,000 of 5,000 messages");
    expect(queries()[0]).toMatchObject({ offset: 0, limit: GRID_PAGE_SIZE, sort: "row", descending: false, statuses: [] });
    const table = within(screen.getByTestId("grid")).getByRole("grid");
    expect(table.getAttribute("aria-rowcount")).toBe("5001");
  });

  it("is one Tab stop that the arrow keys move through, and Enter opens a message's details", async () => {
    await open(PAUSED);
    const grid = screen.getByRole("grid", { name: /^Messages of / });
    expect(grid.tabIndex).toBe(0);
    // The sort buttons are reached through the grid, not with Tab.
    for (const button of within(grid).getAllByRole("button")) expect(button.tabIndex).toBe(-1);
    grid.focus();
    const activeCell = () => document.getElementById(grid.getAttribute("aria-activedescendant") ?? "");
    expect(activeCell()?.textContent.trim()).toBe(column(MEMBER)[0]);
    await fireEvent.keyDown(grid, { key: "ArrowDown" });
    expect(activeCell()?.textContent.trim()).toBe(column(MEMBER)[1]);
    await fireEvent.keyDown(grid, { key: "ArrowRight" });
    expect(activeCell()?.getAttribute("role")).toBe("gridcell");
    expect(activeCell()?.closest("[role=row]")?.getAttribute("aria-rowindex")).toBe("3");
    await fireEvent.keyDown(grid, { key: "Home", ctrlKey: true });
    expect(activeCell()?.textContent.trim()).toBe("1");

    await fireEvent.keyDown(grid, { key: "Enter" });
    const dialog = await screen.findByTestId("message-details-dialog");
    const [first] = rows();
    const name = first ? within(first).getAllByRole("gridcell")[MEMBER]?.textContent.trim() : "";
    expect(within(dialog).getByTestId("message-details").textContent).toContain(name);
    await fireEvent.keyDown(dialog, { key: "Escape" });
    await waitFor(() => {
      expect(screen.queryByTestId("message-details-dialog")).toBeNull();
    });

    // Up from the first row is the header: Enter there sorts by that column.
    await fireEvent.keyDown(grid, { key: "ArrowRight" });
    await fireEvent.keyDown(grid, { key: "ArrowUp" });
    expect(activeCell()?.getAttribute("role")).toBe("columnheader");
    await fireEvent.keyDown(grid, { key: "Enter" });
    await waitFor(() => {
      expect(activeCell()?.getAttribute("aria-sort")).toBe("ascending");
    });
  });

  it("fetches the page it scrolls to, and keeps only a window in the DOM", async () => {
    const { queries } = await open(SENDING);
    await scrollGridTo(3000 * ROW_HEIGHT);
    await waitFor(() => {
      expect(column(0)[OVERSCAN]).toBe("3,001");
    });
    expect(queries().some((q) => q.offset === 15 * GRID_PAGE_SIZE)).toBe(true);
    expect(rows().length).toBeLessThanOrEqual(MOST_ROWS);
    expect(rows()[0]?.getAttribute("aria-rowindex")).toBe(String(3000 - OVERSCAN + 2));
  });

  it("moves row elements from one end to the other as it scrolls, never making new ones", async () => {
    await open(SENDING);
    const elements = () => screen.getByTestId("grid").querySelectorAll(".window [role='row']");
    await scrollGridTo(1000 * ROW_HEIGHT);
    await waitFor(() => {
      expect(column(0)[OVERSCAN]).toBe("1,001");
    });
    const kept = new Set(elements());
    expect(kept.size).toBe(MOST_ROWS);
    // By one row, then a jump of 500: the same elements, refilled.
    for (const [row, shown] of [
      [1001, "1,002"],
      [1500, "1,501"],
    ] as const) {
      await scrollGridTo(row * ROW_HEIGHT);
      await waitFor(() => {
        expect(column(0)[OVERSCAN]).toBe(shown);
      });
      expect([...elements()].every((e) => kept.has(e))).toBe(true);
      expect(elements()).toHaveLength(MOST_ROWS);
    }
  });

  it("shows untrusted member names as text, never as markup", async () => {
    await open(PAUSED);
    const grid = screen.getByTestId("grid");
    const name = within(grid).getByText(HOSTILE_NAME);
    expect(name.closest("[role=gridcell]")).not.toBeNull();
    expect(name.textContent).toBe(HOSTILE_NAME);
    expect(grid.querySelector("img")).toBeNull();
    expect(document.querySelector("img[src=x]")).toBeNull();
  });

  it("masks phone numbers until asked to show them", async () => {
    await open(SENDING);
    expect(column(PHONE)[0]).toMatch(/^\+1\d{3}•••\d{4}$/);
    const toggle = screen.getByTestId("toggle-phones");
    expect(toggle.getAttribute("aria-pressed")).toBe("false");
    await fireEvent.click(toggle);
    expect(column(PHONE)[0]).toMatch(/^\+1\d{10}$/);
    expect(toggle.textContent.trim()).toBe("Hide numbers");
    expect(toggle.getAttribute("aria-pressed")).toBe("true");
  });

  it("marks the members who texted back, with what they said in a word", async () => {
    const backend = installMock();
    const page = backend.handle("campaign_grid", { id: PAUSED, query: { limit: 2, offset: 0 } }) as MessagePage;
    const [first, second] = page.rows;
    if (!first?.to || !second?.to) throw new Error("two texted members");
    const reply = { at: new Date().toISOString(), campaignId: PAUSED, campaignName: null, memberName: null, imisId: null };
    backend.replies.store({ ...reply, from: first.to, body: "Thanks!" });
    backend.replies.store({ ...reply, from: second.to, body: "STOP" });
    render(CampaignDetail, { id: PAUSED });
    await screen.findAllByTestId("grid-row");
    const badges = rows().map((r) => within(r).queryByTestId("grid-reply")?.textContent ?? null);
    expect(badges.slice(0, 3)).toEqual(["Replied", "Opted out", null]);
    const [firstRow] = rows();
    if (!firstRow) throw new Error("a row");
    expect(within(firstRow).getAllByRole("gridcell")[MEMBER]?.textContent.replace(/\s+/g, " ").trim()).toBe(`${first.member_name ?? ""} Replied`);
  });

  it("shows Twilio's status, the error and the write-back of each message", async () => {
    await open(PAUSED);
    const failed = rows().find((r) => r.textContent.includes("20003"));
    if (!failed) throw new Error("no failed message");
    expect(failed.textContent).toContain("Failed");
    expect(failed.textContent).toContain("20003: Twilio refused Herald's credentials");
  });

  it("filters to Failed on the server, with the count from the campaign", async () => {
    const { queries } = await open(SENDING);
    const chip = screen.getByTestId("grid-filter-failed");
    expect(chip.textContent).toContain("25");
    await fireEvent.click(chip);
    await waitFor(() => {
      expect(gridCount()).toBe("25 of 5,000 messages");
    });
    expect(chip.getAttribute("aria-pressed")).toBe("true");
    expect(queries().at(-1)).toMatchObject({ statuses: ["failed"], offset: 0 });
    expect(rows()).toHaveLength(Math.min(25, MOST_ROWS));
    expect(new Set(column(STATUS))).toEqual(new Set(["Failed"]));
  });

  it("answers “who didn't get it, and why?” with the Not delivered quick filter", async () => {
    const { queries } = await open(SENDING);
    const quick = screen.getByTestId("grid-filter-not-delivered");
    expect(quick.textContent).toContain(formatCount(40 + 25 + 20));
    // The filter chip of the error status says what it means, like its count tile.
    expect(screen.getByTestId("grid-filter-error").textContent).toMatch(/^\s*Not sendable\s*20\s*$/);
    await fireEvent.click(quick);
    await waitFor(() => {
      expect(gridCount()).toBe("85 of 5,000 messages");
    });
    expect(quick.getAttribute("aria-pressed")).toBe("true");
    expect(queries().at(-1)?.statuses).toEqual(["undelivered", "failed", "error"]);
    expect(new Set(column(STATUS))).toEqual(new Set(["Undelivered", "Failed", "Not sendable"]));
    // Every one of them says why.
    for (const row of rows()) expect(within(row).getAllByRole("gridcell")[6]?.textContent.trim()).not.toBe("—");

    await fireEvent.click(quick);
    await waitFor(() => {
      expect(gridCount()).toBe("5,000 of 5,000 messages");
    });
    expect(quick.getAttribute("aria-pressed")).toBe("false");
  });

  it("narrows to the members a search finds, once typing pauses", async () => {
    const { queries } = await open(SENDING);
    const asked = queries().length;
    await fireEvent.input(screen.getByTestId("grid-search"), { target: { value: "Zoë" } });
    // Not on every keystroke: the search waits for typing to pause.
    expect(queries()).toHaveLength(asked);
    const expected = (await api.campaignGrid(SENDING, { search: "Zoë", limit: 1 })).total;
    expect(expected).toBeGreaterThan(0);
    expect(expected).toBeLessThan(5000);
    await waitFor(() => {
      expect(gridCount()).toBe(`${formatCount(expected)} of 5,000 messages`);
    });
    expect(queries().filter((q) => q.limit === GRID_PAGE_SIZE).at(-1)).toMatchObject({ search: "Zoë", offset: 0 });
    expect(column(MEMBER).every((name) => name.includes("Zoë"))).toBe(true);

    await fireEvent.click(screen.getByTestId("grid-clear"));
    await waitFor(() => {
      expect(gridCount()).toBe("5,000 of 5,000 messages");
    });
    expect(screen.getByTestId<HTMLInputElement>("grid-search").value).toBe("");
  });

  it("says so when nothing matches, and clears the filters from there", async () => {
    await open(PAUSED);
    await fireEvent.input(screen.getByTestId("grid-search"), { target: { value: "nobody by that name" } });
    const empty = await screen.findByTestId("grid-empty");
    expect(empty.textContent).toContain("No messages match these filters.");
    expect(gridCount()).toBe("0 of 180 messages");
    await fireEvent.click(within(empty).getByRole("button", { name: "Clear filters" }));
    await waitFor(() => {
      expect(rows().length).toBeGreaterThan(0);
    });
  });

  it("sorts on the server by the header clicked, and says so with aria-sort", async () => {
    const { queries } = await open(SENDING);
    const button = screen.getByTestId("grid-sort-name");
    const header = button.closest("[role=columnheader]");
    expect(header?.getAttribute("aria-sort")).toBeNull();
    expect(screen.getByTestId("grid-sort-row").closest("[role=columnheader]")?.getAttribute("aria-sort")).toBe("ascending");

    await fireEvent.click(button);
    await waitFor(() => {
      expect(queries().at(-1)).toMatchObject({ sort: "name", descending: false, offset: 0 });
    });
    expect(header?.getAttribute("aria-sort")).toBe("ascending");
    await waitFor(() => {
      const names = column(MEMBER);
      expect(names).toEqual([...names].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1)));
    });

    await fireEvent.click(button);
    await waitFor(() => {
      expect(queries().at(-1)).toMatchObject({ sort: "name", descending: true });
    });
    expect(header?.getAttribute("aria-sort")).toBe("descending");
    // Not sortable: no button.
    expect(screen.queryByTestId("grid-sort-writeback")).toBeNull();
  });

  it("filters by error code, with what the code means", async () => {
    const { queries } = await open(SENDING);
    const select = screen.getByTestId<HTMLSelectElement>("grid-error-filter");
    await waitFor(() => {
      expect(select.options.length).toBeGreaterThan(1);
    });
    const option = [...select.options].find((o) => o.value === "30003");
    expect(option?.textContent).toMatch(/^30003 — The phone is switched off or out of reach \([\d,]+\)$/);
    await fireEvent.change(select, { target: { value: "30003" } });
    await waitFor(() => {
      expect(queries().at(-1)).toMatchObject({ error_code: 30003, offset: 0 });
    });
    await waitFor(() => {
      expect(column(6).every((text) => text.startsWith("30003:"))).toBe(true);
    });
  });

  it("exports what the grid shows, and says where the file went", async () => {
    const { backend, handle } = await open(SENDING);
    await fireEvent.click(screen.getByTestId("grid-filter-failed"));
    await waitFor(() => {
      expect(gridCount()).toBe("25 of 5,000 messages");
    });
    await fireEvent.click(screen.getByTestId("grid-export"));
    const result = await screen.findByTestId("grid-export-result");
    const path = backend.exports[0]?.path ?? "";
    // The name the Save dialog suggests, as the backend makes it: the campaign, then the date.
    expect(path).toMatch(/^\/home\/demo\/Downloads\/Board-election-get-out-the-vote messages \d{4}-\d{2}-\d{2}\.csv$/);
    expect(result.getAttribute("role")).toBe("status");
    expect(result.textContent).toContain(`Saved to ${path}`);
    expect(backend.exports[0]).toMatchObject({ rows: 25, query: { statuses: ["failed"] } });

    // Show in folder asks the backend to show that very file.
    await fireEvent.click(within(result).getByTestId("grid-export-show"));
    await waitFor(() => {
      expect(backend.shownInFolder).toEqual([path]);
    });
    expect(handle).toHaveBeenCalledWith("show_in_folder", { path });
    expect(screen.queryByTestId("grid-export-show-error")).toBeNull();
  });

  it("says nothing when the Save dialog is cancelled, and clears the last result", async () => {
    const { backend, handle } = await open(SENDING);
    await fireEvent.click(screen.getByTestId("grid-export"));
    await screen.findByTestId("grid-export-result");

    backend.cancelExports = true;
    const button = screen.getByTestId<HTMLButtonElement>("grid-export");
    await fireEvent.click(button);
    await waitFor(() => {
      expect(handle.mock.calls.filter(([cmd]) => cmd === "export_messages_csv")).toHaveLength(2);
    });
    await waitFor(() => {
      expect(button.disabled).toBe(false);
    });
    expect(screen.queryByTestId("grid-export-result")).toBeNull();
    expect(screen.queryByRole("alert")).toBeNull();
    expect(backend.exports).toHaveLength(1);
  });

  it("stays busy while the Save dialog is open", async () => {
    const { backend, handle } = await open(SENDING);
    let answer: (path: string | null) => void = () => undefined;
    handle.mockImplementation((cmd, args) => {
      // The Save dialog stays open until answer() is called.
      if (cmd === "export_messages_csv") {
        return new Promise<string | null>((resolve) => {
          answer = resolve;
        });
      }
      return FakeBackend.prototype.handle.call(backend, cmd, args);
    });
    const button = screen.getByTestId<HTMLButtonElement>("grid-export");
    await fireEvent.click(button);
    await waitFor(() => {
      expect(button.getAttribute("aria-busy")).toBe("true");
    });
    expect(button.disabled).toBe(true);
    answer("/home/demo/Documents/chosen.csv");
    const result = await screen.findByTestId("grid-export-result");
    expect(result.textContent).toContain("Saved to /home/demo/Documents/chosen.csv");
    expect(button.disabled).toBe(false);
  });

  it("says in words why the folder could not be shown, and why an export failed", async () => {
    const { handle } = await open(SENDING);
    await fireEvent.click(screen.getByTestId("grid-export"));
    const result = await screen.findByTestId("grid-export-result");
    handle.mockImplementationOnce(() => {
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      throw { code: "io", message: "no file manager is installed" };
    });
    await fireEvent.click(within(result).getByTestId("grid-export-show"));
    const why = await within(result).findByTestId("grid-export-show-error");
    expect(why.textContent).toBe("Could not open the folder: No file manager is installed");

    handle.mockImplementationOnce(() => {
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      throw { code: "io", message: "the disk is full" };
    });
    await fireEvent.click(screen.getByTestId("grid-export"));
    await waitFor(() => {
      const failed = screen.getByTestId("grid-export-result");
      expect(failed.getAttribute("role")).toBe("alert");
      expect(failed.textContent).toContain("Could not export the messages");
      expect(failed.textContent).toContain("The disk is full");
    });
    expect(screen.queryByTestId("grid-export-show")).toBeNull();
  });

  it("follows live updates without losing the user's place", async () => {
    const { backend, queries } = await open(SENDING);
    await fireEvent.click(screen.getByTestId("grid-sort-updated_at"));
    await fireEvent.click(screen.getByTestId("grid-filter-preparing"));
    await waitFor(() => {
      expect(gridCount()).toBe("2,100 of 5,000 messages");
    });
    await scrollGridTo(1000 * ROW_HEIGHT);
    await waitFor(() => {
      expect(queries().at(-1)?.offset).toBe(5 * GRID_PAGE_SIZE);
    });
    const grid = screen.getByTestId("grid");
    const before = queries().length;

    backend.tick();
    await waitFor(() => {
      expect(gridCount()).toBe(`${formatCount(2100 - SEND_BATCH)} of 5,000 messages`);
    });
    expect(count("preparing")).toContain(formatCount(2100 - SEND_BATCH));
    // Only the pages on screen (rows 992 to 1,021, with the overscan) were fetched again, with
    // the same query; nothing moved.
    const again = queries().slice(before);
    expect(again.map((q) => q.offset)).toEqual([4 * GRID_PAGE_SIZE, 5 * GRID_PAGE_SIZE]);
    expect(again[0]).toMatchObject({ statuses: ["preparing"], sort: "updated_at", descending: false });
    expect(grid.scrollTop).toBe(1000 * ROW_HEIGHT);
    expect(screen.getByTestId("grid-filter-preparing").getAttribute("aria-pressed")).toBe("true");
    expect(screen.getByTestId("grid-sort-updated_at").closest("[role=columnheader]")?.getAttribute("aria-sort")).toBe(
      "ascending",
    );
  });

  it("keeps a 250,000-message campaign to a window of rows", async () => {
    const { queries } = await open(LARGE, { largeCampaign: 250_000 });
    expect(gridCount()).toBe("250,000 of 250,000 messages");
    expect(screen.getByTestId("grid-spacer").style.height).toBe(`${String(250_000 * ROW_HEIGHT)}px`);
    await scrollGridTo(200_000 * ROW_HEIGHT);
    await waitFor(() => {
      expect(column(0)[OVERSCAN]).toBe("200,001");
    });
    // Rows 199,992 to 200,021 (with the overscan) are on pages 999 and 1,000: those two, no others.
    expect(queries().map((q) => q.offset)).toEqual([0, 999 * GRID_PAGE_SIZE, 1000 * GRID_PAGE_SIZE]);
    expect(rows().length).toBeLessThanOrEqual(MOST_ROWS);
  });

  it("counts a search's matches a step at a time on a large campaign, further as it scrolls", async () => {
    const { queries } = await open(LARGE, { largeCampaign: 250_000 });
    // Every iMIS ID of the fake campaign starts with 2: far more than 10,000 delivered match.
    await fireEvent.click(screen.getByTestId("grid-filter-delivered"));
    await fireEvent.input(screen.getByTestId("grid-search"), { target: { value: "2" } });
    await waitFor(() => {
      expect(gridCount()).toBe("More than 10,000 of 250,000 messages");
    });
    // The backend counted 10,000 rows: the grid is that long for now, its length unknown to
    // assistive technology.
    expect(screen.getByTestId("grid-spacer").style.height).toBe(`${String(10_000 * ROW_HEIGHT)}px`);
    expect(screen.getByTestId("grid-table").getAttribute("aria-rowcount")).toBe("-1");
    await scrollGridTo(9_990 * ROW_HEIGHT);
    await waitFor(() => {
      expect(gridCount()).toBe("More than 20,000 of 250,000 messages");
    });
    expect(queries().at(-1)).toMatchObject({ statuses: ["delivered"], search: "2" });
    expect(screen.getByTestId("grid-spacer").style.height).toBe(`${String(20_000 * ROW_HEIGHT)}px`);
  });

  it("knows a status filter's number from the campaign's counts, however large", async () => {
    await open(LARGE, { largeCampaign: 250_000 });
    const { counts } = await api.getCampaign(LARGE);
    expect(counts.delivered).toBeGreaterThan(10_000);
    await fireEvent.click(screen.getByTestId("grid-filter-delivered"));
    await waitFor(() => {
      expect(gridCount()).toBe(`${formatCount(counts.delivered)} of 250,000 messages`);
    });
    expect(screen.getByTestId("grid-spacer").style.height).toBe(`${String(counts.delivered * ROW_HEIGHT)}px`);
  });
});

describe("CampaignDetail, statuses over time", () => {
  it("draws the whole curve of a campaign that finished before the page was opened", async () => {
    await open(COMPLETED);
    const chart = await screen.findByTestId("status-chart");
    // jsdom has no canvas: the chart gives its numbers as text instead.
    const text = await within(chart).findByTestId("status-chart-text");
    const { counts } = await api.getCampaign(COMPLETED);
    expect(counts.delivered).toBeGreaterThan(0);
    expect(text.textContent).toContain(`${formatCount(counts.delivered)} delivered`);
    expect(text.textContent).toContain(`${formatCount(counts.undelivered)} undelivered`);
    expect(text.textContent).toContain(`${formatCount(counts.failed)} failed`);
  });

  it("shows the same numbers as a table on request, newest first", async () => {
    await open(COMPLETED);
    const chart = await screen.findByTestId("status-chart");
    const toggle = await within(chart).findByRole("button", { name: "Show as table" });
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
    await fireEvent.click(toggle);
    expect(toggle.getAttribute("aria-expanded")).toBe("true");
    expect(toggle.textContent.trim()).toBe("Hide the table");
    const table = within(chart).getByTestId("chart-table");
    const headers = within(table).getAllByRole("columnheader").map((h) => h.textContent);
    expect(headers).toEqual(["Time", "Sent", "Delivered", "Undelivered", "Failed"]);
    const [newest] = within(table).getAllByRole("row").slice(1);
    if (!newest) throw new Error("a row");
    const { counts } = await api.getCampaign(COMPLETED);
    const cells = within(newest).getAllByRole("cell").map((c) => c.textContent);
    expect(cells.slice(1)).toEqual([formatCount(counts.delivered), formatCount(counts.undelivered), formatCount(counts.failed)]);
    await fireEvent.click(toggle);
    expect(within(chart).queryByTestId("chart-table")).toBeNull();
  });

  it("follows a campaign while it sends", async () => {
    const { backend } = await open(SENDING);
    const chart = await screen.findByTestId("status-chart");
    const before = (await within(chart).findByTestId("status-chart-text")).textContent;
    backend.tick();
    const { counts } = await api.getCampaign(SENDING);
    await waitFor(
      () => {
        expect(within(chart).getByTestId("status-chart-text").textContent).toContain(`${formatCount(counts.delivered)} delivered`);
      },
      { timeout: 6000 },
    );
    expect(within(chart).getByTestId("status-chart-text").textContent).not.toBe(before);
  });

  it("is left out while nothing was sent", async () => {
    const backend = installMock();
    const handle = vi.spyOn(backend, "handle");
    render(CampaignDetail, { id: SCHEDULED });
    await screen.findByTestId("page-campaign");
    await waitFor(() => {
      expect(handle).toHaveBeenCalledWith("campaign_timeline", { id: SCHEDULED });
    });
    // (The backend has no curve for it.)
    expect(await api.campaignTimeline(SCHEDULED)).toEqual([]);
    // Once the page has the answer (the IPC mock answers in a later task), no chart.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(screen.queryByTestId("status-chart")).toBeNull();
    expect(screen.getByTestId("page-campaign")).toBeTruthy();
  });
});

describe("CampaignDetail, sending figures", () => {
  it("shows the rate, the time to finish, and segments and cost while it sends", async () => {
    // At midday UTC: the time to finish does not cross into the next cap day (whose wording
    // differs), whatever time of day the test runs.
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-12-07T12:00:00Z") });
    onTestFinished(() => {
      vi.useRealTimers();
    });
    const { handle } = await open(SENDING);
    const figures = await screen.findByTestId("sending-figures");
    expect(handle).toHaveBeenCalledWith("campaign_stats", { id: SENDING });
    const stats = await api.campaignStats(SENDING);
    expect(stats.remaining).toBeGreaterThan(0);
    expect(within(figures).getByTestId("figure-rate").textContent).toContain("texts a second");
    expect(within(figures).getByTestId("figure-finish").textContent).toContain(`${formatCount(stats.remaining)} messages left`);
    expect(within(figures).getByTestId("figure-segments").textContent).toContain(`${formatCount(stats.segments_estimated)} estimated`);
    expect(within(figures).getByTestId("figure-cost").textContent).toContain("charged for");
  });

  it("leaves the rate out once finished", async () => {
    await open(COMPLETED);
    const figures = await screen.findByTestId("sending-figures");
    expect(within(figures).queryByTestId("figure-rate")).toBeNull();
    expect(within(figures).queryByTestId("figure-finish")).toBeNull();
    expect(within(figures).getByTestId("figure-cost")).toBeTruthy();
  });
});

describe("CampaignDetail, report email", () => {
  it("opens the report in the app once the campaign has started, not for a draft", async () => {
    await open(COMPLETED);
    const link = screen.getByTestId("open-report");
    expect(link.tagName).toBe("A");
    expect(link.textContent.trim()).toBe("View report");
    expect(link.getAttribute("href")).toBe(`#/campaigns/${String(COMPLETED)}/report`);
    cleanup();

    installMock();
    render(CampaignDetail, { id: DRAFT });
    await screen.findByRole("heading", { level: 1, name: "Member survey (draft)" });
    expect(screen.queryByTestId("open-report")).toBeNull();
  });

  it("lists what the outbox did, and sends the report again", async () => {
    const { handle } = await open(COMPLETED);
    const card = await screen.findByTestId("report-card");
    expect(card.textContent).toContain("events@example.org");
    const entries = await within(card).findAllByTestId("report-entry");
    expect(entries.map((e) => e.dataset.state)).toEqual(["failed", "sent"]);
    expect(entries[0]?.textContent).toContain("The mail server refused the login");
    expect(entries[0]?.textContent).toContain("5 attempts");

    await fireEvent.click(within(card).getByTestId("report-resend"));
    await waitFor(() => {
      expect(within(card).getAllByTestId("report-entry")).toHaveLength(3);
    });
    expect(handle).toHaveBeenCalledWith("resend_report", { id: COMPLETED });
    const queued = within(card).getAllByTestId("report-entry")[0];
    expect(queued?.dataset.state).toBe("pending");
    expect(queued?.textContent).toContain("Waiting to send");
    expect(queued?.textContent).toContain("Sent again by hand");
  });

  it("cannot send a report again without a report address, and says why", async () => {
    await open(CANCELED);
    const card = await screen.findByTestId("report-card");
    const resend = within(card).getByTestId<HTMLButtonElement>("report-resend");
    expect(resend.disabled).toBe(true);
    const hint = document.getElementById(resend.getAttribute("aria-describedby") ?? "");
    expect(hint?.textContent).toContain("No report address");
  });

  it("shows the backend's refusal", async () => {
    const { handle } = await open(COMPLETED);
    handle.mockImplementationOnce(() => {
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      throw { code: "invalid", message: "the outbox is full" };
    });
    const card = await screen.findByTestId("report-card");
    await fireEvent.click(within(card).getByTestId("report-resend"));
    const error = await within(card).findByTestId("report-resend-error");
    expect(error.textContent).toContain("The outbox is full");
  });
});

describe("CampaignDetail, the sending window", () => {
  /** Answers campaign_stats with the fake's figures changed by `change`. */
  function changedStats(backend: FakeBackend, change: (stats: SendingStats) => void) {
    const handle = FakeBackend.prototype.handle.bind(backend);
    vi.spyOn(backend, "handle").mockImplementation((cmd, args) => {
      const answer = handle(cmd, args);
      if (cmd === "campaign_stats") change(answer as SendingStats);
      return answer;
    });
  }

  it("says a sending campaign waits for its members' window, so it does not look stuck", async () => {
    // Friday 27 November 2026, 15:00 UTC: 10:00 in New York, 7:00 in Los Angeles.
    await open(SENDING, { windows: true, now: () => new Date("2026-11-27T15:00:00Z") });
    const note = await screen.findByTestId("window-waiting");
    const stats = await api.campaignStats(SENDING);
    expect(stats.waiting_words).toHaveLength(1);
    expect(within(note).getAllByRole("listitem").map((li) => li.textContent.trim())).toEqual(stats.waiting_words);
    expect(note.textContent).toMatch(/Waiting for 9:00 in America\/Los_Angeles \([\d,]+ messages\)/);
    expect(note.textContent).toContain("texts go out as it opens in each member's time zone");
    // Calm: information, not an alarm.
    expect(note.getAttribute("role")).toBeNull();
    expect(screen.queryByTestId("window-any-hour-note")).toBeNull();
    expect(screen.getByTestId("detail-window").textContent.trim()).toBe(
      "Texts arrive 9:00–20:00 in each member's time zone, every day",
    );
  });

  it("shows three zones, then how many more wait", async () => {
    const backend = installMock();
    const words = ["Waiting for 9:00 in A/One (5 messages)", "Waiting for 9:00 in B/Two (4 messages)", "Waiting for 9:00 in C/Three (3 messages)", "Waiting for 9:00 in D/Four (2 messages)", "Waiting for 9:00 in E/Five (1 message)"];
    changedStats(backend, (s) => {
      s.waiting_words = words;
    });
    render(CampaignDetail, { id: SENDING });
    const note = await screen.findByTestId("window-waiting");
    expect(within(note).getAllByRole("listitem").map((li) => li.textContent.trim())).toEqual([...words.slice(0, 3), "and 2 more zones"]);
  });

  it("says nothing waits once a campaign is done, and names sending at any hour", async () => {
    const backend = installMock();
    changedStats(backend, (s) => {
      s.waiting_words = ["Waiting for 9:00 in A/One (5 messages)"];
      s.window_enabled = false;
    });
    render(CampaignDetail, { id: SENDING });
    expect((await screen.findByTestId("window-any-hour-note")).textContent.trim()).toBe("Sending at any hour (no sending window).");
    cleanup();

    const again = installMock();
    changedStats(again, (s) => {
      s.waiting_words = ["Waiting for 9:00 in A/One (5 messages)"];
      s.window_enabled = false;
    });
    render(CampaignDetail, { id: COMPLETED });
    await screen.findByTestId("sending-figures");
    expect(screen.queryByTestId("window-waiting")).toBeNull();
    expect(screen.queryByTestId("window-any-hour-note")).toBeNull();
  });

  it("names the zone of the time to finish", async () => {
    const now = new Date("2026-11-27T15:00:00Z");
    await open(SENDING, { now: () => now });
    const finish = within(await screen.findByTestId("sending-figures")).getByTestId("figure-finish");
    const stats = await api.campaignStats(SENDING);
    expect(finish.textContent).toContain(formatZoned(stats.finish));
    expect(formatZoned(stats.finish)).toMatch(/\d{2}:\d{2} \S+$/);
  });

  it("says a draft follows the Settings' window until it is scheduled", async () => {
    installMock();
    render(CampaignDetail, { id: DRAFT });
    expect((await screen.findByTestId("detail-window")).textContent.trim()).toBe("The window in Settings, when it is scheduled");
  });
});
