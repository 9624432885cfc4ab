import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";
import { api } from "../../api";
import { installMock } from "../../api/mock";
import Wizard from "./Wizard.svelte";

const SURVEY = 7; // "Member survey (draft)": no window of its own yet
const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"];

afterEach(() => {
  window.location.hash = "";
});

/** The seeded draft's Schedule step, once its window is shown. */
async function openScheduleStep() {
  render(Wizard, { id: SURVEY, demo: true });
  await waitFor(() => {
    expect(screen.getByTestId<HTMLButtonElement>("wizard-step-5").disabled).toBe(false);
  });
  await fireEvent.click(screen.getByTestId("wizard-step-5"));
  await screen.findByRole("heading", { name: "Schedule" });
  return {
    start: await screen.findByTestId<HTMLInputElement>("window-start"),
    end: screen.getByTestId<HTMLInputElement>("window-end"),
    day: (day: string) => screen.getByTestId<HTMLInputElement>(`window-day-${day}`),
    noon: screen.getByTestId<HTMLInputElement>("window-sunday-noon"),
    anyHour: screen.getByTestId<HTMLInputElement>("window-any-hour"),
  };
}

async function setTime(input: HTMLInputElement, value: string) {
  await fireEvent.input(input, { target: { value } });
  // Leaving the field saves at once (no wait for typing to pause).
  await fireEvent.focusOut(input);
}

describe("Wizard, the sending window on the Schedule step", () => {
  it("a new campaign starts from the Settings' window too", async () => {
    installMock({ empty: true });
    await api.setSetting("window.days", WEEKDAYS.join(","));
    render(Wizard, { id: null, demo: true });
    await fireEvent.input(screen.getByTestId("wizard-name"), { target: { value: "Brand new" } });
    await fireEvent.click(screen.getByTestId("wizard-next"));
    await screen.findByRole("heading", { name: "Target audience" });
    await fireEvent.click(screen.getByTestId("audience-source-csv"));
    const csv = new File(["ID,FirstName,Cell\n1,Zoë,201-555-0123\n"], "members.csv", { type: "text/csv" });
    await fireEvent.change(screen.getByTestId("audience-file"), { target: { files: [csv] } });
    await waitFor(() => {
      expect(screen.getByTestId("audience-count").textContent).toBe("1");
    });
    await fireEvent.click(screen.getByTestId("wizard-next"));
    const template = await screen.findByTestId("message-template");
    await fireEvent.input(template, { target: { value: "Hi ${FirstName}" } });
    await fireEvent.click(screen.getByTestId("wizard-next")); // iMIS contact data
    await screen.findByRole("heading", { name: "iMIS contact data" });
    await fireEvent.click(screen.getByTestId("wizard-next"));
    await screen.findByRole("heading", { name: "Schedule" });
    const sat = await screen.findByTestId<HTMLInputElement>("window-day-sat");
    expect(sat.checked).toBe(false);
    expect(screen.getByTestId<HTMLInputElement>("window-day-mon").checked).toBe(true);
  });

  it("starts from the Settings' window, and saves a change to the draft", async () => {
    installMock();
    await api.setSetting("window.start", "08:30");
    await api.setSetting("window.days", WEEKDAYS.join(","));
    const field = await openScheduleStep();

    const section = screen.getByTestId("window-section");
    expect(within(section).getByRole("heading", { name: "Sending window" })).toBeTruthy();
    expect(section.textContent).toContain("in each member's own time zone");
    expect(field.start.value).toBe("08:30");
    expect(field.end.value).toBe("20:00");
    expect(within(section).getByLabelText("Earliest time texts arrive")).toBe(field.start);
    expect(within(section).getByLabelText("Latest time texts arrive")).toBe(field.end);
    const days = within(section).getByRole("group", { name: "Days texts may arrive" });
    expect(within(days).getByRole<HTMLInputElement>("checkbox", { name: "Monday" }).checked).toBe(true);
    expect(within(days).getAllByRole("checkbox")).toHaveLength(8);
    expect(field.day("sat").checked).toBe(false);
    expect(field.anyHour.checked).toBe(false);
    // Nothing changed: the draft keeps following the Settings.
    expect((await api.getCampaign(SURVEY)).send_window).toBeNull();

    await setTime(field.end, "19:00");
    await waitFor(async () => {
      expect((await api.getCampaign(SURVEY)).send_window).toEqual({
        start: "08:30",
        end: "19:00",
        days: WEEKDAYS,
        enabled: true,
      });
    });
    await waitFor(() => {
      expect(screen.getByTestId("save-state").textContent.trim()).toBe("Saved");
    });
  });

  it("shows the draft's own window rather than the Settings'", async () => {
    installMock();
    await api.updateDraft(SURVEY, { window: { start: "10:00", end: "18:00", days: ["sat", "sun_from_noon"], enabled: true } });
    const field = await openScheduleStep();
    expect(field.start.value).toBe("10:00");
    expect(field.end.value).toBe("18:00");
    expect(field.day("mon").checked).toBe(false);
    expect(field.day("sat").checked).toBe(true);
    expect(field.day("sun").checked).toBe(true);
    expect(field.noon.checked).toBe(true);
  });

  it("says what is wrong in words, keeps Next on the step and saves nothing unusable", async () => {
    installMock();
    const field = await openScheduleStep();
    await setTime(field.end, "08:00");

    const error = screen.getByTestId("window-error");
    expect(error.textContent).toBe(
      "The latest time (8:00) must be after the earliest (9:00): texts arrive between the two on the same day.",
    );
    expect(field.end.getAttribute("aria-invalid")).toBe("true");
    expect(field.end.getAttribute("aria-describedby")).toBe(error.id);
    expect(screen.getByTestId<HTMLButtonElement>("wizard-step-6").disabled).toBe(true);
    await waitFor(() => {
      expect(screen.getByTestId("save-state").textContent).toContain("Not saved: The sending window: The latest time");
    });

    await fireEvent.click(screen.getByTestId("wizard-next"));
    expect(screen.getByRole("heading", { name: "Schedule" })).toBeTruthy();
    await waitFor(() => {
      expect(document.activeElement).toBe(field.end);
    });
    expect((await api.getCampaign(SURVEY)).send_window).toBeNull();

    // Fixed, then every day turned off.
    await setTime(field.end, "21:00");
    expect(screen.queryByTestId("window-error")).toBeNull();
    for (const day of [...WEEKDAYS, "sat", "sun"]) await fireEvent.click(field.day(day));
    expect(screen.getByTestId("window-error").textContent).toBe("Choose at least one day on which texts may arrive.");
    expect(screen.getByRole("group", { name: "Days texts may arrive" }).getAttribute("aria-describedby")).toBe("window-error");
    await fireEvent.click(screen.getByTestId("wizard-next"));
    await waitFor(() => {
      expect(document.activeElement).toBe(field.day("mon"));
    });

    await fireEvent.click(field.day("fri"));
    await fireEvent.click(screen.getByTestId("wizard-next"));
    await screen.findByRole("heading", { name: "Summary" });
    expect((await api.getCampaign(SURVEY)).send_window).toEqual({ start: "09:00", end: "21:00", days: ["fri"], enabled: true });
  });

  it("offers Sunday from noon once Sunday is chosen, and any hour with its warning", async () => {
    installMock();
    const field = await openScheduleStep();
    await fireEvent.click(field.day("sun"));
    expect(field.noon.disabled).toBe(true);
    await fireEvent.click(field.day("sun"));
    expect(field.noon.disabled).toBe(false);
    await fireEvent.click(field.noon);

    const warning = document.getElementById(field.anyHour.getAttribute("aria-describedby") ?? "");
    expect(warning?.textContent).toMatch(/US rules allow marketing texts only from 8 am to 9 pm where the recipient is \(8 pm in some states\)/);
    expect(warning?.textContent).toContain("lose members");
    expect(screen.getByLabelText("Send at any hour (no sending window)")).toBe(field.anyHour);
    await fireEvent.click(field.anyHour);
    await fireEvent.focusOut(field.anyHour);

    await waitFor(async () => {
      expect((await api.getCampaign(SURVEY)).send_window).toEqual({
        start: "09:00",
        end: "20:00",
        days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun_from_noon"],
        enabled: false,
      });
    });
  });

  it("points to the Settings' window", async () => {
    installMock();
    await openScheduleStep();
    expect(screen.getByRole("link", { name: "Settings → Sending window" }).getAttribute("href")).toBe("#/settings/window");
  });
});
