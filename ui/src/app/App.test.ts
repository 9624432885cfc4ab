import { render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";
import { installMock } from "../api/mock";
import App from "./App.svelte";

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
});
