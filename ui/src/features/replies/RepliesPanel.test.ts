import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import { installMock } from "../../api/mock";
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
});
