import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import { api } from "../../api";
import type { FakeBackend } from "../../api/fakeBackend";
import { installMock } from "../../api/mock";
import App from "../../app/App.svelte";
import { AUTOSAVE_DELAY_MS } from "./autosave.svelte";
import Wizard from "./Wizard.svelte";

afterEach(() => {
  window.location.hash = "";
});

async function draftId(name: string): Promise<number> {
  const found = (await api.listCampaigns()).find((c) => c.name === name);
  if (!found) throw new Error(`no campaign ${name}`);
  return found.id;
}

function saveState(): string {
  return screen.getByTestId("save-state").textContent.trim();
}

/** The seeded draft's message step, in the wizard alone or in the whole app. */
async function openMessageStep(inApp = false, backend: FakeBackend = installMock()) {
  const id = await draftId("Member survey (draft)");
  if (inApp) {
    window.location.hash = `#/campaigns/${id}/edit`;
    render(App);
  } else {
    render(Wizard, { id, demo: true });
  }
  await waitFor(() => {
    expect(screen.getByTestId<HTMLButtonElement>("wizard-step-3").disabled).toBe(false);
  });
  await fireEvent.click(screen.getByTestId("wizard-step-3"));
  await screen.findByRole("heading", { name: "Message" });
  return { backend, id, editor: screen.getByTestId<HTMLTextAreaElement>("message-template") };
}

/** Holds the backend's answers to `command` until release() (the save is "in flight"). */
function hold(backend: FakeBackend, command: string) {
  const handle = backend.handle.bind(backend);
  let open: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const held = {
    calls: 0,
    release: () => {
      open();
    },
  };
  vi.spyOn(backend, "handle").mockImplementation((cmd, args) => {
    if (cmd !== command) return handle(cmd, args);
    held.calls += 1;
    return gate.then(() => handle(cmd, args));
  });
  return held;
}

/** Makes `command` fail as the backend would, with `message`. */
function failing(backend: FakeBackend, command: string, message: string) {
  const handle = backend.handle.bind(backend);
  vi.spyOn(backend, "handle").mockImplementation((cmd, args) =>
    cmd === command
      ? // The IPC layer rejects with the backend's { code, message }, not an Error.
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
        Promise.reject({ code: "storage", message })
      : handle(cmd, args),
  );
}

describe("Wizard autosave", () => {
  it("saves the message about a second after typing stops, and says so", async () => {
    const { id, editor } = await openMessageStep();
    const state = screen.getByTestId("save-state");
    expect(state.getAttribute("role")).toBe("status");
    expect(saveState()).toBe("Saved");

    await fireEvent.input(editor, { target: { value: "Doors open at 6, ${FirstName}." } });
    expect(saveState()).toBe("Saving…");
    // Shown, not spoken: the live region only speaks when the save ends or fails.
    expect(state.querySelector("span[aria-hidden=true]")?.textContent).toBe("Saving…");
    expect((await api.getCampaign(id)).template).not.toBe("Doors open at 6, ${FirstName}.");

    await waitFor(
      async () => {
        expect((await api.getCampaign(id)).template).toBe("Doors open at 6, ${FirstName}.");
      },
      { timeout: AUTOSAVE_DELAY_MS * 3 },
    );
    await waitFor(() => {
      expect(saveState()).toBe("Saved");
    });
    expect(state.querySelector("span[aria-hidden=true]")).toBeNull();
    expect(screen.getByRole("heading", { name: "Message" })).toBeTruthy();
  });

  it("saves at once when a field is left", async () => {
    const { id, editor } = await openMessageStep();
    await fireEvent.input(editor, { target: { value: "See you Friday." } });
    await fireEvent.focusOut(editor);
    // Well before the pause in typing would have saved it.
    await waitFor(
      async () => {
        expect((await api.getCampaign(id)).template).toBe("See you Friday.");
      },
      { timeout: AUTOSAVE_DELAY_MS / 2 },
    );
  });

  it("says why a save failed, in words from the backend", async () => {
    const backend = installMock();
    const { editor } = await openMessageStep(false, backend);
    failing(backend, "update_draft", "the disk is full");
    await fireEvent.input(editor, { target: { value: "Hello" } });
    await fireEvent.focusOut(editor);
    await waitFor(() => {
      expect(saveState()).toBe("Not saved: The disk is full");
    });
  });

  it("creates a new campaign's draft once it has a name", async () => {
    installMock({ empty: true });
    render(Wizard, { id: null, demo: true });
    expect(saveState()).toBe("Not saved yet");
    const name = screen.getByTestId("wizard-name");
    await fireEvent.input(name, { target: { value: "Gala night" } });
    await fireEvent.focusOut(name);
    await waitFor(async () => {
      expect((await api.listCampaigns()).map((c) => c.name)).toEqual(["Gala night"]);
    });
    expect(saveState()).toBe("Saved");
  });
});

describe("Leaving the wizard", () => {
  it("waits for the save under way, then opens the page chosen in the sidebar", async () => {
    const backend = installMock();
    const { id, editor } = await openMessageStep(true, backend);
    const save = hold(backend, "update_draft");

    await fireEvent.input(editor, { target: { value: "Doors open at 6, ${FirstName}." } });
    await fireEvent.click(screen.getByTestId("nav-campaigns"));
    await waitFor(() => {
      expect(save.calls).toBe(1);
    });
    // Still here while the draft is being saved: the text is on screen, the URL unchanged.
    expect(screen.getByTestId("page-wizard")).toBeTruthy();
    expect(window.location.hash).toBe(`#/campaigns/${id}/edit`);
    expect(saveState()).toBe("Saving…");

    save.release();
    await screen.findByTestId("page-campaigns");
    expect(window.location.hash).toBe("#/campaigns");
    expect((await api.getCampaign(id)).template).toBe("Doors open at 6, ${FirstName}.");
  });

  it("saves what was just typed before Herald quits from the tray", async () => {
    const backend = installMock();
    const { id, editor } = await openMessageStep(true, backend);
    await api.pauseCampaign(4); // nothing sending: Herald quits without asking
    const save = hold(backend, "update_draft");

    await fireEvent.input(editor, { target: { value: "Last words, ${FirstName}." } });
    backend.requestQuit();
    await waitFor(() => {
      expect(save.calls).toBe(1);
    });
    expect(backend.quits).toBe(0);
    save.release();
    await waitFor(() => {
      expect(backend.quits).toBe(1);
    });
    expect((await api.getCampaign(id)).template).toBe("Last words, ${FirstName}.");
    expect(screen.queryByRole("dialog")).toBeNull();
  });

  it("saves before switching to another draft", async () => {
    installMock();
    const { id, editor } = await openMessageStep(true);
    const other = await draftId("<img src=x onerror=alert(1)>");
    await fireEvent.input(editor, { target: { value: "Last call, ${FirstName}!" } });
    window.location.hash = `#/campaigns/${other}/edit`;
    window.dispatchEvent(new HashChangeEvent("hashchange"));
    await waitFor(() => {
      expect(screen.getByTestId<HTMLInputElement>("wizard-name").value).toBe("<img src=x onerror=alert(1)>");
    });
    expect((await api.getCampaign(id)).template).toBe("Last call, ${FirstName}!");
  });

  it("stays and says why when the save fails, until the person chooses to leave anyway", async () => {
    const backend = installMock();
    const { id, editor } = await openMessageStep(true, backend);
    const before = (await api.getCampaign(id)).template;
    failing(backend, "update_draft", "the disk is full");

    await fireEvent.input(editor, { target: { value: "Doors open at 6." } });
    await fireEvent.click(screen.getByTestId("nav-settings"));
    const alert = await screen.findByTestId("leave-blocked");
    expect(alert.getAttribute("role")).toBe("alert");
    expect(alert.textContent).toContain("Not saved, so Herald stayed on this page");
    expect(alert.textContent).toContain("The disk is full");
    expect(saveState()).toBe("Not saved: The disk is full");
    expect(screen.getByTestId<HTMLTextAreaElement>("message-template").value).toBe("Doors open at 6.");
    expect(window.location.hash).toBe(`#/campaigns/${id}/edit`);
    expect(screen.queryByTestId("page-settings")).toBeNull();

    await fireEvent.click(screen.getByTestId("leave-discard"));
    await screen.findByTestId("page-settings");
    expect((await api.getCampaign(id)).template).toBe(before);
  });

  it("keeps a new campaign typed but not yet saved", async () => {
    installMock({ empty: true });
    window.location.hash = "#/new";
    render(App);
    const name = await screen.findByTestId("wizard-name");
    await fireEvent.input(name, { target: { value: "Gala night" } });
    await fireEvent.click(screen.getByTestId("nav-campaigns"));
    await screen.findByTestId("page-campaigns");
    expect((await api.listCampaigns()).map((c) => c.name)).toEqual(["Gala night"]);
  });
});
