import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import { api } from "../../api";
import { installMock } from "../../api/mock";
import Wizard from "./Wizard.svelte";

function nameInput(): HTMLInputElement {
  return screen.getByTestId("wizard-name");
}

describe("Wizard, step 1", () => {
  it("shows the backend's conflict error under the name field", async () => {
    installMock();
    render(Wizard, { id: null, demo: true });
    await fireEvent.input(nameInput(), { target: { value: "Spring Conference reminder" } });
    await fireEvent.click(screen.getByTestId("wizard-save"));

    const error = await screen.findByTestId("field-error");
    expect(error.textContent).toContain("already exists");
    const input = nameInput();
    expect(input.getAttribute("aria-invalid")).toBe("true");
    expect(input.getAttribute("aria-describedby")?.split(" ")).toContain(error.id);
    expect(input.value).toBe("Spring Conference reminder");
    await waitFor(() => {
      expect(document.activeElement).toBe(input);
    });
  });

  it("checks the fields before saving", async () => {
    installMock({ empty: true });
    render(Wizard, { id: null, demo: true });
    await fireEvent.input(screen.getByTestId("wizard-report-email"), { target: { value: "events@example" } });
    await fireEvent.click(screen.getByTestId("wizard-next"));

    const errors = await screen.findAllByTestId("field-error");
    expect(errors.map((e) => e.textContent)).toEqual([
      "Give the campaign a name.",
      "Enter an email address like name@example.org, or leave it empty.",
    ]);
    expect(await api.listCampaigns()).toEqual([]);
    expect(screen.getByRole("heading", { name: "Campaign information" })).toBeTruthy();
  });

  it("keeps LIVE out of reach in the demo workspace", () => {
    installMock();
    render(Wizard, { id: null, demo: true });
    const live: HTMLInputElement = screen.getByTestId("wizard-mode-live");
    const test: HTMLInputElement = screen.getByTestId("wizard-mode-test");
    expect(live.disabled).toBe(true);
    expect(test.checked).toBe(true);
    expect(screen.getByText("Demo workspace: connect iMIS in Settings to send real texts")).toBeTruthy();
  });

  it("creates the draft, moves on, then updates it instead of creating another", async () => {
    installMock({ empty: true, demo: false });
    render(Wizard, { id: null, demo: false });
    await fireEvent.input(nameInput(), { target: { value: "  Autumn gala  " } });
    await fireEvent.click(screen.getByTestId("wizard-mode-live"));
    await fireEvent.click(screen.getByTestId("wizard-next"));

    await screen.findByRole("heading", { name: "Target audience" });
    expect(screen.getByTestId("wizard-placeholder").textContent).toContain(
      "This step arrives in the next release; your draft is saved.",
    );
    const [created] = await api.listCampaigns();
    expect(created).toMatchObject({ name: "Autumn gala", mode: "live", status: "draft" });
    expect(window.location.hash).toBe(`#/campaigns/${created?.id ?? 0}/edit`);

    await fireEvent.click(screen.getByTestId("wizard-step-1"));
    await fireEvent.input(screen.getByTestId("wizard-report-email"), { target: { value: "gala@example.org" } });
    await fireEvent.click(screen.getByTestId("wizard-save"));
    await waitFor(async () => {
      const list = await api.listCampaigns();
      expect(list).toHaveLength(1);
      expect((await api.getCampaign(list[0]?.id ?? 0)).report_email).toBe("gala@example.org");
    });
  });

  it("loads an existing draft and refuses to edit a campaign that is not one", async () => {
    installMock();
    const list = await api.listCampaigns();
    const draft = list.find((c) => c.name === "Member survey (draft)");
    const sent = list.find((c) => c.status === "completed");
    const view = render(Wizard, { id: draft?.id ?? 0, demo: true });
    await waitFor(() => {
      expect(nameInput().value).toBe("Member survey (draft)");
    });
    view.unmount();

    render(Wizard, { id: sent?.id ?? 0, demo: true });
    expect(await screen.findByText("Only drafts can be edited")).toBeTruthy();
    expect(screen.queryByTestId("wizard-name")).toBeNull();
  });
});
