import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { mockIPC } from "@tauri-apps/api/mocks";
import { describe, expect, it, vi } from "vitest";
import { api, type ReportView } from "../../api";
import { HOSTILE_NAME } from "../../api/fakeImis";
import { installMock } from "../../api/mock";
import { formatCount } from "../../lib/format";
import CampaignReport from "./CampaignReport.svelte";

// Seeded campaigns of the fake backend (see FakeBackend.seed).
const COMPLETED = 1; // "Spring Conference reminder"
const HOSTILE = 3; // named "<img src=x onerror=alert(1)>"

const REPORT: ReportView = {
  campaign_id: 7,
  name: "Gala night",
  mode: "test",
  status: "completed",
  zone: "America/New_York",
  scheduled: "2026-12-06 09:00 EST",
  started: "2026-12-06 09:00 EST",
  completed: "2026-12-06 10:02 EST",
  generated: "2026-12-06 10:30 EST",
  recipients: 12_345,
  counts: [
    { label: "Delivered", count: 11_800 },
    { label: "Sent, awaiting report", count: 0 },
    { label: "Undelivered", count: 300 },
    { label: "Failed", count: 200 },
    { label: "Not sendable (invalid or missing number)", count: 30 },
    { label: "Skipped", count: 15 },
    { label: "Canceled", count: 0 },
    { label: "Waiting to send", count: 0 },
  ],
  delivery_rate: "95.9%",
  segments: "24690 estimated, 24000 reported by Twilio",
  cost: "204.93 USD estimated, 189.60 USD priced by Twilio so far",
  errors: [
    { code: 30003, count: 1_200, explanation: "The phone is switched off or out of reach." },
    { code: 21610, count: 4, explanation: "The member replied STOP: Twilio blocks texts to them." },
  ],
  writes_back: true,
  writeback: "12 done, 0 waiting, 1 failed",
  replies: [],
};

/** Answers campaign_report with `report` (or `answer()`) and print_window with nothing; other commands fail. */
function serve(answer: () => ReportView = () => REPORT) {
  const calls: { cmd: string; args: unknown }[] = [];
  mockIPC((cmd, args) => {
    calls.push({ cmd, args });
    if (cmd === "campaign_report") return answer();
    if (cmd === "print_window") return null;
    // eslint-disable-next-line @typescript-eslint/only-throw-error
    throw { code: "internal", message: `command ${cmd} not found` };
  });
  return calls;
}

/** The rows of a two-column table as [header, cell] texts. */
function rows(table: HTMLElement): [string, string][] {
  return [...table.querySelectorAll("tbody tr")].map((tr) => [
    tr.querySelector("th")?.textContent.trim() ?? "",
    tr.querySelector("td")?.textContent.trim() ?? "",
  ]);
}

describe("CampaignReport", () => {
  it("shows what the report email says: facts, counts, errors and the iMIS records", async () => {
    serve();
    render(CampaignReport, { id: 7 });
    const facts = await screen.findByTestId("report-facts");
    const page = screen.getByTestId("report-view");
    expect(page.querySelector("h1")?.textContent).toBe("Gala night");
    expect(within(page).getByTestId("report-test-badge").textContent.trim()).toBe("TEST");

    expect(rows(facts)).toEqual([
      ["Mode", "TEST — simulated, nothing was sent or written to iMIS"],
      ["Status", "Completed"],
      ["Scheduled", "2026-12-06 09:00 EST"],
      ["Started", "2026-12-06 09:00 EST"],
      ["Completed", "2026-12-06 10:02 EST"],
      ["Recipients", "12,345"],
      ["Delivery rate", "95.9%"],
      ["Segments", "24690 estimated, 24000 reported by Twilio"],
      ["Cost", "204.93 USD estimated, 189.60 USD priced by Twilio so far"],
    ]);

    const counts = screen.getByTestId("report-counts");
    expect(rows(counts)[0]).toEqual(["Delivered", "11,800"]);
    expect(rows(counts)).toHaveLength(8);
    expect(rows(counts)).toContainEqual(["Not sendable (invalid or missing number)", "30"]);
    for (const cell of counts.querySelectorAll("tbody td")) expect(cell.classList.contains("num")).toBe(true);
    // A real table, its header naming the columns.
    expect(within(counts).getAllByRole("columnheader").map((h) => h.textContent.trim())).toEqual(["What happened", "Messages"]);

    const errors = within(screen.getByTestId("report-errors")).getAllByRole("listitem");
    expect(errors.map((e) => e.textContent.trim())).toEqual([
      "1,200 × error 30003: The phone is switched off or out of reach.",
      "4 × error 21610: The member replied STOP: Twilio blocks texts to them.",
    ]);
    expect(screen.getByRole("heading", { name: "Most frequent errors" })).toBeTruthy();

    expect(screen.getByTestId("report-writeback").textContent).toBe("Texts recorded in iMIS: 12 done, 0 waiting, 1 failed.");
    expect(screen.getByTestId("report-as-of").textContent).toBe(
      "Times are in America/New_York. Figures as of 2026-12-06 10:30 EST.",
    );
    expect(screen.queryByTestId("report-empty")).toBeNull();
  });

  it("focuses the page heading when it opens", async () => {
    serve();
    render(CampaignReport, { id: 7 });
    expect(screen.getByRole("status").textContent).toBe("Loading the report…");
    const heading = screen.getByRole("heading", { level: 1 });
    expect(document.activeElement).toBe(heading);
    expect(heading.tabIndex).toBe(-1);
    await screen.findByTestId("report-facts");
    expect(document.activeElement).toBe(heading);
  });

  it("leaves out the TEST badge and the errors when there are none, and says when nothing is recorded in iMIS", async () => {
    serve(() => ({
      ...REPORT,
      mode: "live",
      status: "sending",
      completed: null,
      delivery_rate: null,
      errors: [],
      writes_back: false,
    }));
    render(CampaignReport, { id: 7 });
    const facts = await screen.findByTestId("report-facts");
    expect(screen.queryByTestId("report-test-badge")).toBeNull();
    expect(rows(facts)).toContainEqual(["Mode", "LIVE — real texts to your members"]);
    expect(rows(facts)).toContainEqual(["Status", "Sending"]);
    expect(rows(facts)).toContainEqual(["Completed", "—"]);
    expect(rows(facts)).toContainEqual(["Delivery rate", "—"]);
    expect(screen.queryByTestId("report-errors")).toBeNull();
    expect(screen.queryByTestId("report-replies")).toBeNull();
    expect(screen.queryByRole("heading", { name: "Most frequent errors" })).toBeNull();
    expect(screen.getByTestId("report-writeback").textContent).toBe("This campaign does not record texts in iMIS.");
  });

  it("says so when the campaign has no messages yet", async () => {
    serve(() => ({ ...REPORT, recipients: 0, counts: REPORT.counts.map((c) => ({ ...c, count: 0 })) }));
    render(CampaignReport, { id: 7 });
    expect((await screen.findByTestId("report-empty")).textContent).toContain("no messages yet");
  });

  it("prints with the system's print dialog, which can also save a PDF", async () => {
    const calls = serve();
    render(CampaignReport, { id: 7 });
    const print = await screen.findByTestId("report-print");
    expect(print.textContent.trim()).toBe("Print…");
    const note = document.getElementById(print.getAttribute("aria-describedby") ?? "");
    expect(note?.textContent).toContain("save the report as a PDF");
    await fireEvent.click(print);
    await waitFor(() => {
      expect(calls.some((c) => c.cmd === "print_window")).toBe(true);
    });
    expect(screen.queryByTestId("report-print-error")).toBeNull();
  });

  it("says why the print dialog did not open", async () => {
    mockIPC((cmd) => {
      if (cmd === "campaign_report") return REPORT;
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      throw { code: "io", message: "could not open the print dialog: no printing support" };
    });
    render(CampaignReport, { id: 7 });
    await fireEvent.click(await screen.findByTestId("report-print"));
    const error = await screen.findByTestId("report-print-error");
    expect(error.getAttribute("role")).toBe("alert");
    expect(error.textContent).toContain("Could not open the print dialog: no printing support");
  });

  it("leads back to the campaign", async () => {
    serve();
    render(CampaignReport, { id: 7 });
    await screen.findByTestId("report-facts");
    const back = screen.getByRole("link", { name: "Back to campaign" });
    expect(back.getAttribute("href")).toBe("#/campaigns/7");
  });

  it("shows an untrusted campaign name as text, never as markup", async () => {
    installMock();
    render(CampaignReport, { id: HOSTILE });
    const page = screen.getByTestId("report-view");
    await waitFor(() => {
      expect(page.querySelector("h1")?.textContent).toBe(HOSTILE_NAME);
    });
    expect(page.querySelector("img")).toBeNull();
  });

  it("reads the fake backend's report of a seeded campaign", async () => {
    const backend = installMock();
    const handle = vi.spyOn(backend, "handle");
    render(CampaignReport, { id: COMPLETED });
    const counts = await screen.findByTestId("report-counts");
    expect(handle).toHaveBeenCalledWith("campaign_report", { id: COMPLETED });
    const detail = await api.getCampaign(COMPLETED);
    expect(rows(counts)[0]).toEqual(["Delivered", formatCount(detail.counts.delivered)]);
    expect(screen.getByTestId("report-as-of").textContent).toMatch(/^Times are in \S+\. Figures as of \d{4}-\d{2}-\d{2} \d{2}:\d{2} \S+\.$/);
    // Its members' replies, counted by kind (the seed has a STOP, a "remove me" and two others).
    expect(rows(screen.getByTestId("report-replies"))).toEqual([
      ["Opted out (replied STOP)", "1"],
      ["Asked to stop in their own words (confirm in Herald)", "1"],
      ["Other replies", "2"],
    ]);
  });

  it("says when the campaign is gone, or the report could not be read, and tries again", async () => {
    mockIPC(() => {
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      throw { code: "not_found", message: "campaign 99 not found" };
    });
    const first = render(CampaignReport, { id: 99 });
    expect(await screen.findByText("This campaign no longer exists. It may have been deleted.")).toBeTruthy();
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Report not found");
    expect(screen.queryByTestId("report-print")).toBeNull();
    expect(screen.getByRole("link", { name: "Back to campaign" })).toBeTruthy();
    first.unmount();

    let fail = true;
    mockIPC((cmd) => {
      if (cmd === "campaign_report" && !fail) return REPORT;
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      throw { code: "storage", message: "the database is locked" };
    });
    render(CampaignReport, { id: 7 });
    const error = await screen.findByTestId("report-error");
    expect(error.textContent).toContain("Could not load the report");
    expect(error.textContent).toContain("The database is locked");
    fail = false;
    await fireEvent.click(within(error).getByRole("button", { name: "Try again" }));
    expect(await screen.findByTestId("report-facts")).toBeTruthy();
    expect(screen.queryByTestId("report-error")).toBeNull();
  });
});
