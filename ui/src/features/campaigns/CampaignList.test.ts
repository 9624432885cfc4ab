import { mockIPC } from "@tauri-apps/api/mocks";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import { installMock } from "../../api/mock";
import CampaignList from "./CampaignList.svelte";

const HOSTILE = "<img src=x onerror=alert(1)>";

async function rows() {
  return screen.findAllByTestId("campaign-row");
}

describe("CampaignList", () => {
  it("renders an untrusted campaign name as text, never as markup", async () => {
    installMock();
    const { container } = render(CampaignList);
    await rows();
    const link = screen.getByRole("link", { name: HOSTILE });
    expect(link.textContent).toBe(HOSTILE);
    expect(container.querySelector("img")).toBeNull();
    expect(document.querySelector("img[src=x]")).toBeNull();
  });

  it("counts campaigns per tab and leaves archived ones out of All", async () => {
    installMock();
    render(CampaignList);
    const all = await rows();
    expect(all).toHaveLength(7);
    expect(screen.getByTestId("tab-all").textContent).toContain("7");
    expect(screen.getByTestId("tab-draft").textContent).toContain("2");
    expect(screen.getByTestId("tab-archived").textContent).toContain("1");
    expect(screen.queryByText("2024 Annual Meeting")).toBeNull();

    await fireEvent.click(screen.getByTestId("tab-archived"));
    expect(screen.getByTestId("tab-archived").getAttribute("aria-selected")).toBe("true");
    expect((await rows()).map((r) => within(r).getByRole("link").textContent)).toEqual(["2024 Annual Meeting"]);
  });

  it("moves between tabs with the arrow keys", async () => {
    installMock();
    render(CampaignList);
    await rows();
    const all = screen.getByTestId("tab-all");
    expect(all.tabIndex).toBe(0);
    expect(screen.getByTestId("tab-draft").tabIndex).toBe(-1);
    await fireEvent.keyDown(all, { key: "ArrowRight" });
    const draft = screen.getByTestId("tab-draft");
    expect(draft.getAttribute("aria-selected")).toBe("true");
    expect(draft.tabIndex).toBe(0);
    expect(document.activeElement).toBe(draft);
    await fireEvent.keyDown(draft, { key: "End" });
    expect(screen.getByTestId("tab-archived").getAttribute("aria-selected")).toBe("true");
  });

  it("searches names without regard to accents, and says when nothing matches", async () => {
    installMock();
    render(CampaignList);
    await rows();
    const search = screen.getByTestId("campaign-search");
    await fireEvent.input(search, { target: { value: "cafe" } });
    expect((await rows()).map((r) => within(r).getByRole("link").textContent)).toEqual([
      "Renouvellement — membres du Café ☕🎉",
    ]);
    await fireEvent.input(search, { target: { value: "zzz" } });
    expect(screen.getByTestId("campaigns-no-match").textContent).toContain("No campaigns match “zzz”");
  });

  it("shows local times with the UTC time on hover", async () => {
    installMock();
    render(CampaignList);
    const row = (await rows()).find((r) => r.textContent.includes("Renouvellement"));
    const time = row?.querySelector("td.times time");
    expect(time?.getAttribute("title")).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
  });

  it("greets an empty workspace with a way to start", async () => {
    installMock({ empty: true });
    render(CampaignList);
    const empty = await screen.findByTestId("campaigns-empty");
    expect(within(empty).getByRole("link", { name: /new campaign/i }).getAttribute("href")).toBe("#/new");
    expect(screen.queryByTestId("campaign-table")).toBeNull();
  });

  it("shows the backend's error message", async () => {
    mockIPC(() => {
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      throw { code: "storage", message: "The database is locked." };
    });
    render(CampaignList);
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("The database is locked.");
  });

  it("deletes a draft only after confirming, and Escape cancels with focus back on the menu", async () => {
    installMock();
    render(CampaignList);
    const row = (await rows()).find((r) => r.textContent.includes("Member survey"));
    if (!row) throw new Error("seed draft missing");
    const trigger = within(row).getByTestId("campaign-actions");

    await fireEvent.click(trigger);
    await fireEvent.click(await screen.findByTestId("action-delete"));
    const dialog = await screen.findByRole("dialog", { name: "Delete this draft?" });
    expect(dialog.textContent).toContain("Member survey (draft)");
    expect(document.activeElement?.textContent.trim()).toBe("Cancel");

    await fireEvent.keyDown(document.activeElement ?? document.body, { key: "Escape" });
    await waitFor(() => {
      expect(screen.queryByRole("dialog")).toBeNull();
    });
    expect(document.activeElement).toBe(trigger);
    expect(screen.getByText("Member survey (draft)")).toBeTruthy();

    await fireEvent.click(trigger);
    await fireEvent.click(await screen.findByTestId("action-delete"));
    await fireEvent.click(await screen.findByTestId("confirm-delete-button"));
    await waitFor(() => {
      expect(screen.queryByText("Member survey (draft)")).toBeNull();
    });
    expect(screen.getByTestId("tab-draft").textContent).toContain("1");
  });

  it("offers Delete only for drafts", async () => {
    installMock();
    render(CampaignList);
    const row = (await rows()).find((r) => r.textContent.includes("Spring Conference"));
    if (!row) throw new Error("seed campaign missing");
    await fireEvent.click(within(row).getByTestId("campaign-actions"));
    const menu = await screen.findByRole("menu");
    const labels = within(menu).getAllByRole("menuitem").map((i) => i.textContent.trim());
    expect(labels).toEqual(["Open", "Duplicate", "Archive"]);
  });
});
