import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import { emit } from "@tauri-apps/api/event";
import { api, type OpenCampaign, type QuitRequested } from "../api";
import { installMock } from "../api/mock";
import App from "./App.svelte";
import { guardLeaving } from "./router.svelte";

afterEach(() => {
  window.location.hash = "";
});

describe("App shell", () => {
  it("routes by the hash and highlights the current section", async () => {
    installMock();
    window.location.hash = "#/settings";
    render(App);
    expect(await screen.findByTestId("page-settings")).toBeTruthy();
    expect(screen.getByTestId("nav-settings").getAttribute("aria-current")).toBe("page");
    expect(screen.getByTestId("nav-campaigns").getAttribute("aria-current")).toBeNull();

    window.location.hash = "#/new";
    window.dispatchEvent(new HashChangeEvent("hashchange"));
    expect(await screen.findByTestId("page-wizard")).toBeTruthy();
    expect(screen.getByTestId("nav-new-campaign").getAttribute("aria-current")).toBe("page");

    window.location.hash = "#/campaigns";
    window.dispatchEvent(new HashChangeEvent("hashchange"));
    expect(await screen.findByTestId("page-campaigns")).toBeTruthy();
  });

  it("offers a skip link first, which moves focus to the page's heading", async () => {
    installMock();
    window.location.hash = "#/settings";
    const { container } = render(App);
    await screen.findByTestId("page-settings");
    const first = container.querySelector<HTMLElement>("button, a[href], input, select, textarea, [tabindex='0']");
    expect(first?.textContent).toBe("Skip to main content");
    await fireEvent.click(screen.getByTestId("skip-link"));
    expect(document.activeElement).toBe(screen.getByRole("heading", { level: 1, name: "Settings" }));
  });

  it("moves focus into each new page, never leaving it on nothing", async () => {
    installMock();
    window.location.hash = "#/new";
    render(App);
    const next = await screen.findByTestId("wizard-next");
    next.focus();
    window.location.hash = "#/campaigns";
    window.dispatchEvent(new HashChangeEvent("hashchange"));
    await screen.findByTestId("page-campaigns");
    await waitFor(() => {
      expect(document.activeElement).toBe(screen.getByRole("heading", { level: 1, name: "Campaigns" }));
    });

    // From the sidebar's link, focus goes into the page: its heading, or its first field.
    screen.getByTestId("nav-settings").focus();
    window.location.hash = "#/settings";
    window.dispatchEvent(new HashChangeEvent("hashchange"));
    await screen.findByTestId("page-settings");
    await waitFor(() => {
      expect(document.activeElement).toBe(screen.getByRole("heading", { level: 1, name: "Settings" }));
    });
    screen.getByTestId("nav-new-campaign").focus();
    window.location.hash = "#/new";
    window.dispatchEvent(new HashChangeEvent("hashchange"));
    await waitFor(() => {
      expect(document.activeElement).toBe(screen.getByTestId("wizard-name"));
    });

  });

  it("moves focus to the page when the focused control is taken out of it", async () => {
    installMock();
    window.location.hash = "#/campaigns/5"; // "Webinar follow-up", paused
    render(App);
    const resume = await screen.findByTestId("action-resume");
    resume.focus();
    await fireEvent.click(resume);
    // Resumed: the Resume button gives way to Pause, and focus does not fall to the window.
    await screen.findByTestId("action-pause");
    await waitFor(() => {
      expect(document.activeElement).toBe(screen.getByRole("heading", { level: 1, name: "Webinar follow-up" }));
    });
  });

  it("shows the demo banner, with a way to Settings, only in the demo workspace", async () => {
    installMock({ demo: true });
    const first = render(App);
    const banner = await screen.findByTestId("demo-banner");
    expect(banner.textContent).toContain(
      "Demo workspace — TEST mode only. Nothing can be sent until iMIS and Twilio are set up in Settings.",
    );
    expect(banner.querySelector("a")?.getAttribute("href")).toBe("#/settings");
    first.unmount();

    installMock({ demo: false });
    render(App);
    await screen.findByText(/Version 0\.1\.0/);
    expect(screen.queryByTestId("demo-banner")).toBeNull();
  });

  it("ends the demo workspace as soon as iMIS is connected, without a restart", async () => {
    const backend = installMock({ demo: true });
    window.location.hash = "#/new";
    render(App);
    await screen.findByTestId("demo-banner");
    await screen.findByTestId("page-wizard");
    expect(screen.getByTestId<HTMLInputElement>("wizard-mode-live").disabled).toBe(true);

    // Set in Settings or with herald-cli: either way the backend says settings-changed.
    await api.setSetting("imis.base_url", "https://imis.example.org");
    expect(backend.demo).toBe(false);
    await waitFor(() => {
      expect(screen.queryByTestId("demo-banner")).toBeNull();
    });
    expect(screen.getByTestId<HTMLInputElement>("wizard-mode-live").disabled).toBe(false);

    // And back to the demo workspace when the address is cleared.
    await api.resetSetting("imis.base_url");
    expect(await screen.findByTestId("demo-banner")).toBeTruthy();
    await waitFor(() => {
      expect(screen.getByTestId<HTMLInputElement>("wizard-mode-live").disabled).toBe(true);
    });
  });

  it("opens Settings at a section from its link", async () => {
    installMock();
    window.location.hash = "#/settings/smtp";
    render(App);
    const heading = await screen.findByRole("heading", { name: "Email reports" });
    await waitFor(() => {
      expect(document.activeElement).toBe(heading);
    });
    expect(screen.getByTestId("nav-settings").getAttribute("aria-current")).toBe("page");
  });

  it("opens a campaign's page with its message as text", async () => {
    installMock();
    window.location.hash = "#/campaigns/3";
    const { container } = render(App);
    const page = await screen.findByTestId("page-campaign");
    await waitFor(() => {
      expect(page.querySelector("h1")?.textContent).toBe("<img src=x onerror=alert(1)>");
    });
    expect(screen.getByTestId("campaign-template").textContent).toBe("<b>${FirstName}</b> <script>alert(1)</script>");
    expect(container.querySelector("b, script, main img")).toBeNull();
  });

  it("asks before quitting while campaigns are sending, wherever the user is", async () => {
    const backend = installMock();
    window.location.hash = "#/settings";
    render(App);
    await screen.findByTestId("page-settings");

    // The tray's Quit, with "Board election: get out the vote" sending.
    const dialog = await vi.waitFor(() => {
      backend.requestQuit();
      return screen.getByRole("dialog", { name: "Quit Herald while sending?" });
    });
    expect(within(dialog).getByTestId("quit-campaigns").textContent.trim()).toBe("Board election: get out the vote");
    expect(dialog.textContent).toContain("Sending stops while Herald is closed and resumes when you open it again.");
    const keep = within(dialog).getByRole("button", { name: "Keep Herald open" });
    expect(document.activeElement).toBe(keep);
    await fireEvent.click(keep);
    await waitFor(() => {
      expect(screen.queryByRole("dialog")).toBeNull();
    });
    expect(backend.quits).toBe(0);

    backend.requestQuit();
    await fireEvent.click(await screen.findByTestId("confirm-quit"));
    await waitFor(() => {
      expect(backend.quits).toBe(1);
    });
  });

  it("lists the sending campaigns' names as text", async () => {
    installMock();
    render(App);
    await screen.findByTestId("page-campaigns");
    const hostile = "<img src=x onerror=alert(1)>";
    const payload: QuitRequested = { sending: [hostile, "Dues reminder"] };
    const dialog = await vi.waitFor(async () => {
      await emit("quit-requested", payload);
      return screen.getByRole("dialog", { name: "Quit Herald while sending?" });
    });
    const names = within(dialog).getAllByRole("listitem").map((li) => li.textContent);
    expect(names).toEqual([hostile, "Dues reminder"]);
    expect(dialog.querySelector("img")).toBeNull();
  });

  it("opens a campaign's report from its page, under Campaigns", async () => {
    installMock();
    window.location.hash = "#/campaigns/1";
    render(App);
    const open = await screen.findByTestId("open-report");
    expect(open.getAttribute("href")).toBe("#/campaigns/1/report");
    window.location.hash = "#/campaigns/1/report";
    window.dispatchEvent(new HashChangeEvent("hashchange"));
    const report = await screen.findByTestId("report-view");
    await waitFor(() => {
      expect(report.querySelector("h1")?.textContent).toBe("Spring Conference reminder");
    });
    expect(screen.getByTestId("nav-campaigns").getAttribute("aria-current")).toBe("page");
    expect(await screen.findByTestId("report-counts")).toBeTruthy();
  });

  it("opens the campaign a clicked desktop notification is about", async () => {
    installMock();
    window.location.hash = "#/settings";
    render(App);
    await screen.findByTestId("page-settings");
    const payload: OpenCampaign = { campaign_id: 3 };
    const page = await vi.waitFor(async () => {
      await emit("open-campaign", payload);
      return screen.getByTestId("page-campaign");
    });
    expect(window.location.hash).toBe("#/campaigns/3");
    await waitFor(() => {
      expect(page.querySelector("h1")?.textContent).toBe("<img src=x onerror=alert(1)>");
    });
  });

  it("lets the page being left finish its work before a notification opens a campaign", async () => {
    installMock();
    window.location.hash = "#/settings";
    render(App);
    await screen.findByTestId("page-settings");
    // A page that cannot be left yet (as the wizard whose draft could not be saved).
    const check = vi.fn(() => Promise.resolve(false));
    const release = guardLeaving(check);
    const payload: OpenCampaign = { campaign_id: 3 };
    await vi.waitFor(async () => {
      await emit("open-campaign", payload);
      expect(check).toHaveBeenCalledWith({ page: "campaign", id: 3 });
    });
    // The URL goes back to the page that stays, and the campaign is not opened.
    await waitFor(() => {
      expect(window.location.hash).toBe("#/settings");
    });
    expect(screen.getByTestId("page-settings")).toBeTruthy();
    expect(screen.queryByTestId("page-campaign")).toBeNull();
    release();

    await vi.waitFor(async () => {
      await emit("open-campaign", payload);
      expect(screen.getByTestId("page-campaign")).toBeTruthy();
    });
  });
});
