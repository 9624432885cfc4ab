import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import { api } from "../../api";
import { ALL_MEMBERS, EMAIL_LIST, HOSTILE_NAME, LAPSED_MEMBERS, MEMBERS_BY_TYPE, runQuery } from "../../api/fakeImis";
import { installMock } from "../../api/mock";
import { formatCount } from "../../lib/format";
import Wizard from "./Wizard.svelte";

type MockOptions = Parameters<typeof installMock>[0];

async function draftId(name: string): Promise<number> {
  const found = (await api.listCampaigns()).find((c) => c.name === name);
  if (!found) throw new Error(`no campaign ${name}`);
  return found.id;
}

/** A new draft, on step 2, on the iMIS side. */
async function newDraftOnStep2(options: MockOptions = { empty: true }) {
  const backend = installMock(options);
  render(Wizard, { id: null, demo: backend.demo });
  await fireEvent.input(screen.getByTestId("wizard-name"), { target: { value: "Dues reminder" } });
  await fireEvent.click(screen.getByTestId("wizard-next"));
  await screen.findByRole("heading", { name: "Target audience" });
  return { backend, id: await draftId("Dues reminder") };
}

function entry(path: string): HTMLElement {
  const found = screen.getAllByTestId("query-entry").find((e) => e.dataset.path === path);
  if (!found) throw new Error(`no entry ${path}`);
  return found;
}

async function findEntry(path: string): Promise<HTMLElement> {
  return waitFor(() => entry(path));
}

function shownPaths(): (string | undefined)[] {
  return screen.getAllByTestId("query-entry").map((e) => e.dataset.path);
}

function rows(): number {
  return runQuery(ALL_MEMBERS, {})?.rows.length ?? 0;
}

describe("Wizard, step 2 (iMIS query)", () => {
  it("browses into a folder, fills in a filter, runs the query and shows what came back", async () => {
    const { id } = await newDraftOnStep2();
    const browser = screen.getByTestId("query-browser");
    expect(within(browser).getByText("Demo directory (sample data, TEST only)")).toBeTruthy();
    expect(screen.getByTestId<HTMLButtonElement>("query-up").disabled).toBe(true);

    await fireEvent.click(await findEntry("$/Herald Demo"));
    await waitFor(() => {
      expect(shownPaths()).toEqual([
        "$/Herald Demo/Events",
        ALL_MEMBERS,
        EMAIL_LIST,
        LAPSED_MEMBERS,
        MEMBERS_BY_TYPE,
      ]);
    });
    const crumbs = screen.getByTestId("query-breadcrumb");
    expect(within(crumbs).getByText("Demo directory")).toBeTruthy();
    expect(within(crumbs).getByText("Herald Demo").getAttribute("aria-current")).toBe("location");
    expect(screen.getByTestId<HTMLButtonElement>("query-up").disabled).toBe(false);

    await fireEvent.click(entry(MEMBERS_BY_TYPE));
    expect(screen.getByTestId<HTMLInputElement>("query-path").value).toBe(MEMBERS_BY_TYPE);
    const type = await screen.findByTestId<HTMLSelectElement>("query-param-MemberType");
    expect(screen.getByLabelText("Member type")).toBe(type);
    expect([...type.options].map((o) => o.textContent)).toEqual(["Any", "REG", "STU", "RET", "LIFE"]);
    expect(type.value).toBe("");
    expect(entry(MEMBERS_BY_TYPE).getAttribute("aria-selected")).toBe("true");

    await fireEvent.change(type, { target: { value: "STU" } });
    await fireEvent.click(screen.getByTestId("query-run"));

    const students = runQuery(MEMBERS_BY_TYPE, { MemberType: "STU" })?.rows.length ?? 0;
    expect(students).toBeGreaterThan(0);
    expect(students).toBeLessThan(rows());
    const info = await screen.findByTestId("query-fetch-info");
    expect(info.textContent).toMatch(new RegExp(`^${formatCount(students)} members · fetched in \\d+\\.\\d s$`));
    expect(screen.getByTestId("audience-count").textContent).toBe(formatCount(students));
    expect(screen.getByTestId<HTMLSelectElement>("audience-id-column").value).toBe("ID");
    expect(screen.getByTestId<HTMLSelectElement>("audience-phone-column").value).toBe("Mobile");
    expect(screen.queryByTestId("query-problem")).toBeNull();
    expect((await api.getCampaign(id)).audience).toEqual({
      query: MEMBERS_BY_TYPE,
      params: { MemberType: "STU" },
      csv: null,
      id_column: "ID",
      phone_column: "Mobile",
    });

    await fireEvent.click(screen.getByTestId("wizard-next"));
    await screen.findByRole("heading", { name: "Message" });
    expect(screen.getByTestId("merge-field-MemberType")).toBeTruthy();
  });

  it("works by keyboard: arrows move, Enter opens and chooses, Backspace goes up", async () => {
    await newDraftOnStep2();
    const top = await findEntry("$/Herald Demo");
    expect(top.tabIndex).toBe(0);
    top.focus();
    await fireEvent.keyDown(top, { key: "Enter" });
    await waitFor(() => {
      expect(document.activeElement).toBe(entry("$/Herald Demo/Events"));
    });

    await fireEvent.keyDown(document.activeElement ?? document.body, { key: "ArrowDown" });
    await fireEvent.keyDown(document.activeElement ?? document.body, { key: "ArrowDown" });
    expect(document.activeElement).toBe(entry(EMAIL_LIST));
    expect(entry(EMAIL_LIST).tabIndex).toBe(0);
    expect(entry("$/Herald Demo/Events").tabIndex).toBe(-1);
    await fireEvent.keyDown(entry(EMAIL_LIST), { key: "Enter" });
    expect(screen.getByTestId<HTMLInputElement>("query-path").value).toBe(EMAIL_LIST);
    await screen.findByText("This query has no filters: it returns everyone it finds.");

    await fireEvent.keyDown(entry(EMAIL_LIST), { key: "Backspace" });
    await waitFor(() => {
      expect(document.activeElement).toBe(entry("$/Herald Demo"));
    });
    expect(shownPaths()).toEqual(["$/Herald Demo"]);
  });

  it("runs a typed path and warns when the rows have no phone column", async () => {
    await newDraftOnStep2();
    const path = screen.getByTestId<HTMLInputElement>("query-path");
    await fireEvent.input(path, { target: { value: "Herald Demo/All members" } });
    await fireEvent.click(screen.getByTestId("query-run"));
    expect((await screen.findByTestId("field-error")).textContent).toBe(
      "Query paths start with $/, for example $/Herald Demo/All members.",
    );
    expect(document.activeElement).toBe(path);

    await fireEvent.input(path, { target: { value: `  ${EMAIL_LIST} ` } });
    await fireEvent.change(path);
    await screen.findByText("This query has no filters: it returns everyone it finds.");
    await fireEvent.click(screen.getByTestId("query-run"));
    const problem = await screen.findByTestId("query-problem");
    expect(problem.getAttribute("data-tone")).toBe("warning");
    expect(problem.textContent).toContain("No column looks like a mobile phone number. The query returns: ID, FullName, Email.");
    expect(screen.getByTestId<HTMLSelectElement>("audience-phone-column").value).toBe("");
  });

  it("shows iMIS's own words when a query does not exist, and after a run with nobody", async () => {
    await newDraftOnStep2();
    await fireEvent.input(screen.getByTestId("query-path"), { target: { value: "$/Herald Demo/Nope" } });
    await fireEvent.click(screen.getByTestId("query-run"));
    const error = await screen.findByTestId("query-error");
    expect(error.textContent).toContain("iMIS has no query at '$/Herald Demo/Nope'");
    // The button was disabled while it ran: focus goes back to it, not to the page.
    await waitFor(() => {
      expect(document.activeElement).toBe(screen.getByTestId("query-run"));
    });

    await fireEvent.input(screen.getByTestId("query-path"), { target: { value: LAPSED_MEMBERS } });
    await fireEvent.click(screen.getByTestId("query-run"));
    const info = await screen.findByTestId("query-fetch-info");
    expect(info.textContent).toMatch(/^0 members · fetched in/);
    // Focus goes to what came back (the row count), not to the page.
    await waitFor(() => {
      expect(document.activeElement).toBe(info);
    });
    expect(info.getAttribute("tabindex")).toBe("-1");
    expect(screen.queryByTestId("query-error")).toBeNull();
    expect(screen.getByTestId("query-empty").textContent).toContain("Nobody matched this query");
    expect(screen.getByText("The query returned no members.")).toBeTruthy();
  });

  it("shows why iMIS cannot be reached, and tries again", async () => {
    const message = "iMIS refused the username or password; check them in Settings → iMIS";
    const { backend } = await newDraftOnStep2({ empty: true, demo: false, imisError: message });
    const error = await screen.findByTestId("query-error");
    expect(error.textContent).toContain(message);
    expect(error.getAttribute("role")).toBe("alert");
    expect(within(screen.getByTestId("query-browser")).getByText("iMIS queries")).toBeTruthy();

    backend.imisError = null;
    await fireEvent.click(within(error).getByRole("button", { name: "Try again" }));
    await findEntry("$/Herald Demo");
    expect(screen.queryByTestId("query-error")).toBeNull();
  });

  it("keeps each side's state when switching, and forgets a run once a file replaces its rows", async () => {
    await newDraftOnStep2();
    await fireEvent.input(screen.getByTestId("query-path"), { target: { value: ALL_MEMBERS } });
    await fireEvent.click(screen.getByTestId("query-run"));
    await screen.findByTestId("query-fetch-info");

    await fireEvent.click(screen.getByTestId("audience-source-csv"));
    const file = new File(["ID,Cell\n1,201-555-0123\n"], "few.csv", { type: "text/csv" });
    await fireEvent.change(screen.getByTestId("audience-file"), { target: { files: [file] } });
    await waitFor(() => {
      expect(screen.getByTestId("audience-count").textContent).toBe("1");
    });
    await fireEvent.click(screen.getByTestId("audience-source-imis"));
    expect(screen.getByTestId<HTMLInputElement>("query-path").value).toBe(ALL_MEMBERS);
    expect(screen.queryByTestId("query-fetch-info")).toBeNull();
    expect(screen.queryByTestId("query-cached")).toBeNull();
  });

  it("asks for a query when Next is pressed before running one", async () => {
    await newDraftOnStep2();
    await fireEvent.click(screen.getByTestId("wizard-next"));
    const error = await screen.findByTestId("field-error");
    expect(error.textContent).toBe("Choose the iMIS query with the people to text, then run it.");
    await waitFor(() => {
      expect(document.activeElement).toBe(screen.getByTestId("query-path"));
    });
    expect(screen.getByRole("heading", { name: "Target audience" })).toBeTruthy();
  });

  it("shows member data as text, never as HTML", async () => {
    await newDraftOnStep2();
    await fireEvent.input(screen.getByTestId("query-path"), { target: { value: ALL_MEMBERS } });
    await fireEvent.click(screen.getByTestId("query-run"));
    await screen.findByTestId("query-fetch-info");
    const grid = screen.getByRole("region", { name: /rows of the audience/ });
    expect(within(grid).getAllByText(HOSTILE_NAME).length).toBeGreaterThan(0);
    expect(document.querySelector("img")).toBeNull();
    expect(screen.getByTestId("page-wizard").querySelector("[onerror]")).toBeNull();
  });

  it("reopens a draft on its cached query, with the path and filter filled in", async () => {
    installMock({ empty: true });
    const id = await api.createCampaign({ name: "Retirees lunch" });
    await api.importQueryAudience(id, MEMBERS_BY_TYPE, { MemberType: "RET" });
    render(Wizard, { id, demo: true });
    await waitFor(() => {
      expect(screen.getByTestId<HTMLButtonElement>("wizard-step-2").disabled).toBe(false);
    });
    await fireEvent.click(screen.getByTestId("wizard-step-2"));
    await screen.findByRole("heading", { name: "Target audience" });

    expect(screen.getByTestId<HTMLInputElement>("audience-source-imis").checked).toBe(true);
    expect(screen.getByTestId<HTMLInputElement>("query-path").value).toBe(MEMBERS_BY_TYPE);
    await waitFor(() => {
      expect(screen.getByTestId<HTMLSelectElement>("query-param-MemberType").value).toBe("RET");
    });
    expect((await findEntry(MEMBERS_BY_TYPE)).getAttribute("aria-selected")).toBe("true");
    expect(screen.getByTestId("query-cached").textContent.trim()).toBe(
      `Cached just now from ${MEMBERS_BY_TYPE} — the draft works offline; Run again to refresh.`,
    );
    expect(screen.getByTestId("query-run").textContent).toContain("Run again");
  });

  it("reopens a draft whose query is gone at the top folder, saying so", async () => {
    installMock({ empty: true });
    const id = await api.createCampaign({
      name: "Old list",
      audience: { query: "$/Retired/Old list", params: {}, csv: null, id_column: "ID", phone_column: "Mobile" },
    });
    render(Wizard, { id, demo: true });
    await waitFor(() => {
      expect(screen.getByTestId<HTMLButtonElement>("wizard-step-2").disabled).toBe(false);
    });
    await fireEvent.click(screen.getByTestId("wizard-step-2"));
    await findEntry("$/Herald Demo");
    expect(screen.getByTestId<HTMLInputElement>("query-path").value).toBe("$/Retired/Old list");
    expect((await screen.findByTestId("query-error")).textContent).toContain("iMIS has no query at '$/Retired/Old list'");
  });

  it("reopens a draft imported from a file on the CSV side", async () => {
    installMock();
    const id = await draftId("Member survey (draft)");
    render(Wizard, { id, demo: true });
    await waitFor(() => {
      expect(screen.getByTestId<HTMLButtonElement>("wizard-step-2").disabled).toBe(false);
    });
    await fireEvent.click(screen.getByTestId("wizard-step-2"));
    await screen.findByRole("heading", { name: "Target audience" });
    expect(screen.getByTestId<HTMLInputElement>("audience-source-csv").checked).toBe(true);
    expect(screen.getByTestId("audience-count").textContent).toBe("24");
  });
});

describe("Wizard, step 4 (iMIS contact data)", () => {
  async function openStep4(options: MockOptions) {
    const backend = installMock(options);
    const id = await draftId("Member survey (draft)");
    render(Wizard, { id, demo: backend.demo });
    await waitFor(() => {
      expect(screen.getByTestId<HTMLButtonElement>("wizard-step-4").disabled).toBe(false);
    });
    await fireEvent.click(screen.getByTestId("wizard-step-4"));
    await screen.findByRole("heading", { name: "iMIS contact data" });
    return backend;
  }

  it("says how to add a missing TEXTMSG activity type, and checks again", async () => {
    const backend = await openStep4({ demo: false, textmsg: false });
    const missing = await screen.findByTestId("textmsg-missing");
    expect(missing.getAttribute("data-tone")).toBe("warning");
    expect(missing.textContent).toContain(
      'An iMIS administrator can add it: Settings → Contacts → Activity Types → Add, code TEXTMSG, description "Text message".',
    );
    expect(missing.textContent).toContain("LIVE campaigns that write Activities can't be scheduled until it exists.");
    expect(screen.queryByTestId("write-back-demo")).toBeNull();

    backend.textmsg = true;
    await fireEvent.click(screen.getByTestId("textmsg-recheck"));
    expect((await screen.findByTestId("textmsg-ok")).textContent).toContain("The TEXTMSG activity type exists in iMIS.");
    expect(screen.queryByTestId("textmsg-missing")).toBeNull();
  });

  it("checks only when Activities are chosen, and shows a failed check", async () => {
    const message = "the iMIS server is having trouble (HTTP 503); try again in a few minutes";
    const backend = await openStep4({ demo: false, imisError: message });
    const error = await screen.findByTestId("textmsg-error");
    // Shown as a sentence, with a capital.
    expect(error.textContent).toContain("The iMIS server is having trouble (HTTP 503); try again in a few minutes");
    expect(error.getAttribute("role")).toBe("alert");

    backend.imisError = null;
    await fireEvent.click(screen.getByTestId("textmsg-recheck"));
    expect(await screen.findByTestId("textmsg-ok")).toBeTruthy();
    expect(screen.queryByTestId("textmsg-error")).toBeNull();

    await fireEvent.click(screen.getByTestId("write-back-none"));
    expect(screen.queryByTestId("textmsg-ok")).toBeNull();
    // Back on Activities: the answer is kept; iMIS is asked again only on Check again.
    backend.imisError = message;
    await fireEvent.click(screen.getByTestId("write-back-activity"));
    expect(screen.getByTestId("textmsg-ok")).toBeTruthy();
    expect(screen.queryByTestId("textmsg-error")).toBeNull();
  });

  it("says the demo directory writes nothing", async () => {
    await openStep4({});
    expect(await screen.findByTestId("textmsg-ok")).toBeTruthy();
    expect(screen.getByTestId("write-back-demo").textContent).toContain("The demo directory writes nothing");
  });
});
