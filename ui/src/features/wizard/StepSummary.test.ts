import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { describe, expect, it, vi, type MockInstance } from "vitest";
import { api } from "../../api";
import { FakeBackend } from "../../api/fakeBackend";
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
    busy: null,
    error: null,
    onschedule,
    onsavedraft,
    onchangetime: vi.fn(),
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
      busy: null,
      error: null,
      onschedule: vi.fn(),
      onsavedraft: vi.fn(),
      onchangetime: vi.fn(),
    });
    await waitFor(() => {
      expect(screen.getByTestId("summary-error").textContent).toContain("has no audience yet");
    });
  });
});
