import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import { installMock } from "../../api/mock";
import { toasts } from "../../lib/design/toasts.svelte";
import RepliesPage from "./RepliesPage.svelte";

const HOSTILE = "<img src=x onerror=alert(1)>";

describe("Replies and opt-outs", () => {
  it("lists replies as text, never as markup, newest first, with the campaign they answer", async () => {
    installMock();
    const { container } = render(RepliesPage);
    const rows = await screen.findAllByTestId("reply-row");
    expect(rows).toHaveLength(4);
    const [newest, , , oldest] = rows;
    if (!newest || !oldest) throw new Error("four rows");
    expect(within(newest).getByTestId("reply-body").textContent).toBe(HOSTILE);
    expect(container.querySelector("img")).toBeNull();
    expect(within(oldest).getByTestId("reply-kind").textContent).toBe("Opted out");
    expect(within(oldest).getByRole("link", { name: "Spring Conference reminder" }).getAttribute("href")).toBe("#/campaigns/1");
    expect(within(newest).getByText("Not a member Herald texted")).toBeTruthy();
  });

  it("filters the ones that ask to stop, and confirming one puts the number on the list", async () => {
    installMock();
    render(RepliesPage);
    await screen.findAllByTestId("reply-row");
    const kind = screen.getByTestId("replies-kind");
    await fireEvent.change(kind, { target: { value: "possible_opt_out" } });
    await waitFor(() => {
      expect(screen.getAllByTestId("reply-row")).toHaveLength(1);
    });
    await fireEvent.click(screen.getByTestId("reply-confirm"));
    await waitFor(() => {
      expect(screen.queryByTestId("reply-confirm")).toBeNull();
    });
    expect(screen.getByText("Confirmed")).toBeTruthy();

    await fireEvent.click(screen.getByRole("tab", { name: /Opt-out list/ }));
    const table = await screen.findByTestId("optouts-table");
    const numbers = within(table)
      .getAllByRole("row")
      .slice(1)
      .map((r) => r.querySelector("td")?.textContent);
    expect(numbers).toEqual(["+12025550143", "+12025550188"]);
    expect(within(table).getByText("Asked to stop; confirmed by staff")).toBeTruthy();
    expect(within(table).getByText("Replied STOP")).toBeTruthy();
  });

  it("adds a number by hand, refuses a bad one in words, and removes only with a reason", async () => {
    installMock();
    render(RepliesPage);
    await screen.findAllByTestId("reply-row");
    await fireEvent.click(screen.getByRole("tab", { name: /Opt-out list/ }));
    await fireEvent.click(await screen.findByTestId("optouts-add"));
    const number = screen.getByTestId("optout-number");
    await fireEvent.input(number, { target: { value: "call me" } });
    await fireEvent.click(screen.getByTestId("optout-add-confirm"));
    expect(await screen.findByText("“call me” cannot be added: this does not look like a phone number.")).toBeTruthy();
    await fireEvent.input(number, { target: { value: "(303) 555-0100" } });
    await fireEvent.click(screen.getByTestId("optout-add-confirm"));
    const table = await screen.findByTestId("optouts-table");
    await waitFor(() => {
      expect(within(table).getByText("+13035550100")).toBeTruthy();
    });
    expect(within(table).getByText("Every sender")).toBeTruthy();

    await fireEvent.click(within(table).getByRole("button", { name: "Remove +13035550100 from the list" }));
    await fireEvent.click(screen.getByTestId("optout-remove-confirm"));
    expect(await screen.findByText(/Say why this number may be texted again/)).toBeTruthy();
    await fireEvent.input(screen.getByTestId("optout-reason"), { target: { value: "asked at the desk" } });
    await fireEvent.click(screen.getByTestId("optout-remove-confirm"));
    await waitFor(() => {
      expect(within(screen.getByTestId("optouts-table")).queryByText("+13035550100")).toBeNull();
    });

    // Both changes are in the list's history, newest first, with the reason given.
    await fireEvent.click(screen.getByRole("tab", { name: /Changes to the list/ }));
    const rows = await screen.findAllByTestId("history-row");
    const cells = (row: HTMLElement) => [...row.querySelectorAll("td")].slice(1).map((td) => td.textContent);
    const [removed, added] = rows.filter((r) => r.textContent.includes("+13035550100"));
    if (!removed || !added) throw new Error("an added and a removed row");
    expect(cells(removed)).toEqual(["+13035550100", "Removed", "Every sender", "Removed by staff", "asked at the desk"]);
    expect(cells(added)).toEqual(["+13035550100", "Added", "Every sender", "Added by staff", ""]);
    expect(rows.indexOf(removed)).toBeLessThan(rows.indexOf(added));
  });

  it("checks for replies and says what came in", async () => {
    const backend = installMock();
    backend.replies.queue({
      from: "+12025550199",
      body: "stop",
      at: new Date().toISOString(),
      campaignId: 1,
      campaignName: "Spring Conference reminder",
      memberName: "Sam Ortiz",
      imisId: "23700",
    });
    render(RepliesPage);
    await screen.findAllByTestId("reply-row");
    await fireEvent.click(screen.getByTestId("replies-check"));
    await waitFor(() => {
      expect(toasts.map((t) => t.message)).toContain("1 new reply, 1 opted out.");
    });
    await waitFor(() => {
      expect(screen.getAllByTestId("reply-row")).toHaveLength(5);
    });
  });
});
