import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import { installMock } from "../../api/mock";
import { toasts } from "../../lib/design/toasts.svelte";
import RepliesPanel from "./RepliesPanel.svelte";

describe("a campaign's Replies panel", () => {
  it("sums up its replies, asks for the one to confirm, and updates once confirmed", async () => {
    installMock();
    render(RepliesPanel, { campaignId: 1 });
    const summary = await screen.findByTestId("replies-summary");
    expect(summary.textContent.replace(/\s+/g, " ")).toBe("4 replies, 1 opted out, 1 asks to stop: confirm below.");
    await fireEvent.click(screen.getByTestId("reply-confirm"));
    await waitFor(() => {
      expect(screen.getByTestId("replies-summary").textContent.replace(/\s+/g, " ")).toBe("4 replies, 1 opted out.");
    });
    expect(screen.getByRole("link", { name: "All replies and the opt-out list" }).getAttribute("href")).toBe("#/replies");
  });

  it("says so when a campaign has no replies", async () => {
    installMock();
    render(RepliesPanel, { campaignId: 2 });
    expect((await screen.findByTestId("replies-none")).textContent).toBe("No replies to this campaign yet.");
  });

  it("marks a TEST campaign's simulated replies, and confirming one says it counts for TEST campaigns only", async () => {
    const backend = installMock();
    const at = new Date().toISOString();
    for (const [from, body] of [
      ["+12025550101", "Thanks!"],
      ["+12025550102", "remove me"],
    ] as const) {
      backend.replies.store({ from, body, at, campaignId: 2, campaignName: "TEST", memberName: "Ann", imisId: "101", simulated: true });
    }
    render(RepliesPanel, { campaignId: 2 });
    await screen.findByTestId("replies-summary");
    expect(screen.getAllByTestId("reply-simulated").map((b) => b.textContent.trim())).toEqual(["Simulated", "Simulated"]);
    expect(screen.getByTestId("replies-simulated-note").textContent).toMatch(/Herald made these replies up/);
    await fireEvent.click(screen.getByTestId("reply-confirm"));
    await waitFor(() => {
      expect(toasts.map((t) => t.message)).toContain(
        "Confirmed: TEST campaigns will leave this number out. Real texts are not affected (the reply was simulated).",
      );
    });
    const added = backend.replies.optOuts().filter((o) => o.phone_e164 === "+12025550102");
    expect(added.map((o) => o.sender)).toEqual(["test"]);
  });

  it("shows no simulated mark on real replies", async () => {
    installMock();
    render(RepliesPanel, { campaignId: 1 });
    await screen.findByTestId("replies-summary");
    expect(screen.queryByTestId("reply-simulated")).toBeNull();
    expect(screen.queryByTestId("replies-simulated-note")).toBeNull();
  });
});
