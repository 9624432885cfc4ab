import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
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

  it("moves on when the name is typed after its error and Next is clicked at once", async () => {
    installMock({ empty: true });
    render(Wizard, { id: null, demo: true });
    await fireEvent.click(screen.getByTestId("wizard-next"));
    expect((await screen.findByTestId("field-error")).textContent).toBe("Give the campaign a name.");
    await fireEvent.input(nameInput(), { target: { value: "Quick typist" } });
    // The error goes while typing, not when focus leaves the field: a message vanishing
    // under the mouse would move the Next button mid-click.
    expect(screen.queryByTestId("field-error")).toBeNull();
    await fireEvent.click(screen.getByTestId("wizard-next"));
    await screen.findByRole("heading", { name: "Target audience" });
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
    // A new draft starts on the iMIS side (the demo directory here, as iMIS is not set up).
    expect(screen.getByTestId<HTMLInputElement>("audience-source-imis").checked).toBe(true);
    expect(screen.getByTestId("query-browser")).toBeTruthy();
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

async function draftId(name: string): Promise<number> {
  const found = (await api.listCampaigns()).find((c) => c.name === name);
  if (!found) throw new Error(`no campaign ${name}`);
  return found.id;
}

function csvFile(name: string, content: string | Uint8Array<ArrayBuffer>): File {
  return new File([content], name, { type: "text/csv" });
}

describe("Wizard, step 2 (audience)", () => {
  async function newDraftOnStep2() {
    installMock({ empty: true });
    render(Wizard, { id: null, demo: true });
    await fireEvent.input(nameInput(), { target: { value: "Dues reminder" } });
    await fireEvent.click(screen.getByTestId("wizard-next"));
    await screen.findByRole("heading", { name: "Target audience" });
    await fireEvent.click(screen.getByTestId("audience-source-csv"));
    return draftId("Dues reminder");
  }

  it("refuses a file that is not UTF-8 without asking the backend", async () => {
    const id = await newDraftOnStep2();
    const latin1 = new Uint8Array([0x49, 0x44, 0x2c, 0x4d, 0x6f, 0x62, 0x0a, 0x31, 0x2c, 0xe9]);
    await fireEvent.change(screen.getByTestId("audience-file"), { target: { files: [csvFile("old.csv", latin1)] } });
    const alert = await screen.findByTestId("audience-error");
    expect(alert.textContent).toContain("old.csv is not UTF-8 text: save it as CSV UTF-8 and try again.");
    expect(await api.audiencePreview(id)).toBeNull();
  });

  it("imports a CSV, preselects the columns, saves them, and shows the backend's errors", async () => {
    const id = await newDraftOnStep2();
    await fireEvent.click(screen.getByTestId("wizard-next"));
    expect((await screen.findAllByTestId("field-error"))[0]?.textContent).toMatch(/CSV file/);

    const csv = "ID,FirstName,Cell\n1,Zoë,201-555-0123\n2,<b>Ann</b>,201-555-0124\n";
    await fireEvent.change(screen.getByTestId("audience-file"), { target: { files: [csvFile("members.csv", csv)] } });
    await waitFor(() => {
      expect(screen.getByTestId("audience-count").textContent).toBe("2");
    });
    expect(screen.getByTestId<HTMLSelectElement>("audience-id-column").value).toBe("ID");
    expect(screen.getByTestId<HTMLSelectElement>("audience-phone-column").value).toBe("Cell");
    expect(screen.getByText("<b>Ann</b>")).toBeTruthy();
    expect((await api.getCampaign(id)).audience).toMatchObject({ csv: "members.csv", id_column: "ID", phone_column: "Cell" });

    await fireEvent.change(screen.getByTestId("audience-file"), {
      target: { files: [csvFile("bad.csv", "ID,Cell\n1,2,3\n")] },
    });
    expect((await screen.findByTestId("audience-error")).textContent).toContain(
      "bad.csv: line 2: this row has 3 fields but the header names 2 columns",
    );

    await fireEvent.click(screen.getByTestId("wizard-next"));
    await screen.findByRole("heading", { name: "Message" });
    expect(screen.getByTestId("merge-field-FirstName")).toBeTruthy();
  });
});

describe("Wizard, step 3 (message)", () => {
  async function openMessageStep() {
    installMock();
    const id = await draftId("Member survey (draft)");
    render(Wizard, { id, demo: true });
    await waitFor(() => {
      expect(screen.getByTestId<HTMLButtonElement>("wizard-step-3").disabled).toBe(false);
    });
    await fireEvent.click(screen.getByTestId("wizard-step-3"));
    await screen.findByRole("heading", { name: "Message" });
    return { id, editor: screen.getByTestId<HTMLTextAreaElement>("message-template") };
  }

  it("highlights a curly apostrophe and replaces it with its GSM look-alike in one click", async () => {
    const { editor } = await openMessageStep();
    // Ann's own name is GSM-7 (the first recipient, Zoë, would force UCS-2 by herself).
    await fireEvent.change(screen.getByLabelText("Preview for"), { target: { value: "1" } });
    await fireEvent.input(editor, { target: { value: "Hi ${FirstName}, it’s time to renew." } });
    await waitFor(() => {
      expect(screen.getByTestId("meter-encoding").textContent).toBe("UCS-2");
    });
    const mark = screen.getByTestId("ucs2-mirror").querySelector("mark");
    expect(mark?.textContent).toBe("’");
    expect(mark?.getAttribute("title")).toBe("forces UCS-2 → look-alike: '");
    expect(screen.getByText("(curly apostrophe)")).toBeTruthy();

    await fireEvent.click(screen.getByTestId("use-gsm-lookalikes"));
    await waitFor(() => {
      expect(editor.value).toBe("Hi ${FirstName}, it's time to renew.");
      expect(screen.getByTestId("meter-encoding").textContent).toBe("GSM-7");
    });
    expect(screen.queryByTestId("ucs2-mirror")).toBeNull();
    expect(screen.getByTestId("meter-segments").textContent).toBe("1");
    expect(screen.getByTestId("message-preview").textContent).toBe("Hi Ann, it's time to renew.");

    // Undo puts the text back exactly as it was.
    expect((await screen.findByTestId("message-undo-bar")).textContent).toContain("Replaced the characters that forced UCS-2.");
    await fireEvent.click(screen.getByRole("button", { name: "Undo" }));
    await waitFor(() => {
      expect(editor.value).toBe("Hi ${FirstName}, it’s time to renew.");
      expect(screen.getByTestId("meter-encoding").textContent).toBe("UCS-2");
    });
    expect(document.activeElement).toBe(editor);
    expect(screen.queryByTestId("message-undo")).toBeNull();
  });

  it("offers to remove emoji when they alone force UCS-2, undoably, keeping the rest of the text", async () => {
    const { editor } = await openMessageStep();
    await fireEvent.change(screen.getByLabelText("Preview for"), { target: { value: "1" } });
    const text = "🎉 Party at 8, ${FirstName} 👋🏽! Bring a friend 👨‍👩‍👧 ❤️";
    await fireEvent.input(editor, { target: { value: text } });
    await waitFor(() => {
      expect(screen.getByTestId("ucs2-mirror").textContent).toBe(text);
    });
    // Emoji have no look-alike: removing them is the way back to GSM-7.
    expect(screen.queryByTestId("use-gsm-lookalikes")).toBeNull();
    await fireEvent.click(screen.getByRole("button", { name: "Remove emoji" }));
    await waitFor(() => {
      expect(editor.value).toBe("Party at 8, ${FirstName}! Bring a friend");
      expect(screen.getByTestId("meter-encoding").textContent).toBe("GSM-7");
    });
    expect(screen.getByTestId("message-preview").textContent).toBe("Party at 8, Ann! Bring a friend");
    expect((await screen.findByTestId("message-undo-bar")).textContent).toContain("Removed 4 emoji.");

    await fireEvent.click(screen.getByRole("button", { name: "Undo" }));
    await waitFor(() => {
      expect(editor.value).toBe(text);
    });

    // With a curly apostrophe forcing UCS-2 as well, removing the emoji would not be enough.
    await fireEvent.input(editor, { target: { value: "It’s a party 🎉" } });

    await waitFor(() => {
      expect(screen.getByTestId("ucs2-mirror").textContent).toBe("It’s a party 🎉");
    });
    expect(screen.queryByRole("button", { name: "Remove emoji" })).toBeNull();
    // Editing drops the offer to undo (it would undo the typing too).
    expect(screen.queryByTestId("message-undo")).toBeNull();
  });

  it("inserts a merge field at the caret and offers the fix for a misspelt one", async () => {
    const { editor } = await openMessageStep();
    await fireEvent.input(editor, { target: { value: "Dear , see you ${Cty}" } });
    editor.setSelectionRange(5, 5);
    await fireEvent.click(screen.getByTestId("merge-field-LastName"));
    expect(editor.value).toBe("Dear ${LastName}, see you ${Cty}");
    expect(document.activeElement).toBe(editor);
    expect(editor.selectionStart).toBe(16);

    const fix = await screen.findByRole("button", { name: "Use ${City}" });
    await fireEvent.click(screen.getByTestId("wizard-next"));
    expect(screen.getByRole("heading", { name: "Message" })).toBeTruthy();
    await fireEvent.click(fix);
    await waitFor(() => {
      expect(editor.value).toBe("Dear ${LastName}, see you ${City}");
      expect(screen.queryByRole("button", { name: "Use ${City}" })).toBeNull();
    });
    await fireEvent.click(screen.getByTestId("wizard-next"));
    await screen.findByRole("heading", { name: "iMIS contact data" });
  });

  it("makes the merge fields one Tab stop, moved through with the arrow keys", async () => {
    await openMessageStep();
    const toolbar = screen.getByRole("toolbar", { name: "Merge fields" });
    const buttons = within(toolbar).getAllByRole("button");
    expect(buttons.length).toBeGreaterThan(2);
    expect(buttons.map((b) => b.tabIndex)).toEqual(buttons.map((_, i) => (i === 0 ? 0 : -1)));
    const [first, second] = buttons;
    const last = buttons.at(-1);
    if (!first || !second || !last) throw new Error("merge fields");
    first.focus();
    await fireEvent.keyDown(first, { key: "ArrowDown" });
    expect(document.activeElement).toBe(second);
    expect([first.tabIndex, second.tabIndex]).toEqual([-1, 0]);
    await fireEvent.keyDown(second, { key: "End" });
    expect(document.activeElement).toBe(last);
    await fireEvent.keyDown(last, { key: "ArrowRight" });
    expect(document.activeElement).toBe(first);
    await fireEvent.keyDown(first, { key: "ArrowUp" });
    expect(document.activeElement).toBe(last);
  });

  it("says when the recipient's own data forces UCS-2", async () => {
    await openMessageStep();
    await fireEvent.input(screen.getByTestId("message-template"), { target: { value: "Hi ${FirstName}" } });
    await waitFor(() => {
      expect(screen.getByTestId("message-preview").textContent).toBe("Hi Zoë");
    });
    expect(screen.getByText(/own data has characters outside GSM-7 \(ë\)/)).toBeTruthy();
    const recipient = within(screen.getByTestId("page-wizard")).getByLabelText<HTMLSelectElement>("Preview for");
    await fireEvent.change(recipient, { target: { value: "1" } });
    await waitFor(() => {
      expect(screen.getByTestId("message-preview").textContent).toBe("Hi Ann");
    });
    expect(screen.queryByText(/own data has characters outside GSM-7/)).toBeNull();
  });
});

describe("Wizard, the stepper and focus", () => {
  async function openDraft() {
    installMock();
    const id = await draftId("Member survey (draft)");
    render(Wizard, { id, demo: true });
    await waitFor(() => {
      expect(screen.getByTestId<HTMLButtonElement>("wizard-step-5").disabled).toBe(false);
    });
    return id;
  }

  const ticked = () =>
    [1, 2, 3, 4, 5, 6].filter((n) => screen.getByTestId(`wizard-step-${n}`).dataset.done !== undefined);

  it("ticks only the steps visited in this session that are complete", async () => {
    await openDraft();
    // Reopened on step 1: every step up to 5 is complete, none other than 1 was visited.
    expect(ticked()).toEqual([]);
    await fireEvent.click(screen.getByTestId("wizard-step-5"));
    await screen.findByRole("heading", { name: "Schedule" });
    expect(ticked()).toEqual([1]);
    expect(screen.getByTestId("wizard-step-1").textContent).toContain("Campaign information, done");
    expect(screen.getByTestId("wizard-step-3").textContent).not.toContain("done");

    await fireEvent.click(screen.getByTestId("wizard-step-3"));
    await screen.findByRole("heading", { name: "Message" });
    await waitFor(() => {
      expect(ticked()).toEqual([1, 5]);
    });
  });

  it("puts focus on the first field of each new step, or on its heading when it has none", async () => {
    await openDraft();
    await fireEvent.click(screen.getByTestId("wizard-next"));
    await screen.findByRole("heading", { name: "Target audience" });
    await waitFor(() => {
      // The draft's audience is a CSV file: the chosen option of the radio group.
      expect(document.activeElement).toBe(screen.getByTestId("audience-source-csv"));
    });

    const focused = (element: HTMLElement) =>
      waitFor(() => {
        expect(document.activeElement).toBe(element);
      });
    await fireEvent.click(screen.getByTestId("wizard-step-3"));
    await screen.findByRole("heading", { name: "Message" });
    await focused(screen.getByTestId("message-template"));

    await fireEvent.click(screen.getByTestId("wizard-step-5"));
    await screen.findByRole("heading", { name: "Schedule" });
    // A radio group: its chosen option, where Tab would land.
    await focused(screen.getByTestId("schedule-now"));

    await fireEvent.click(screen.getByTestId("wizard-next"));
    await focused(await screen.findByRole("heading", { name: "Summary" }));

    await fireEvent.click(screen.getByRole("button", { name: "Back" }));
    await screen.findByRole("heading", { name: "Schedule" });
    await focused(screen.getByTestId("schedule-now"));
  });
});

describe("Wizard, steps 5 and 6 (schedule, summary)", () => {
  it("refuses a past time, then schedules from the summary and opens the campaign", async () => {
    installMock();
    const id = await draftId("Member survey (draft)");
    render(Wizard, { id, demo: true });
    await waitFor(() => {
      expect(screen.getByTestId<HTMLButtonElement>("wizard-step-5").disabled).toBe(false);
    });
    expect(screen.getByTestId<HTMLButtonElement>("wizard-step-6").disabled).toBe(false);
    await fireEvent.click(screen.getByTestId("wizard-step-5"));
    await screen.findByRole("heading", { name: "Schedule" });

    await fireEvent.click(screen.getByTestId("schedule-later"));
    expect(screen.getByTestId<HTMLButtonElement>("wizard-step-6").disabled).toBe(true);
    await fireEvent.click(screen.getByTestId("wizard-next"));
    expect((await screen.findByTestId("field-error")).textContent).toMatch(/Choose the date and time/);
    await fireEvent.input(screen.getByTestId("schedule-at"), { target: { value: "2020-01-01T09:00" } });
    expect(screen.getByTestId("field-error").textContent).toBe(
      "That time has already passed. Choose a later time, or Send now.",
    );
    await fireEvent.click(screen.getByTestId("wizard-next"));
    expect(screen.getByRole("heading", { name: "Schedule" })).toBeTruthy();

    await fireEvent.click(screen.getByTestId("schedule-now"));
    await fireEvent.click(screen.getByTestId("wizard-next"));
    await screen.findByTestId("summary-to-send");
    expect(screen.queryByTestId("wizard-next")).toBeNull();
    await fireEvent.click(screen.getByTestId("summary-schedule"));
    await waitFor(() => {
      expect(window.location.hash).toBe(`#/campaigns/${id}`);
    });
    expect((await api.getCampaign(id)).status).toBe("scheduled");
  });
});
