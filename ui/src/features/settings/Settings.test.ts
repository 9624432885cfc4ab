import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import { api } from "../../api";
import { installMock } from "../../api/mock";
import Settings from "./Settings.svelte";

describe("Settings", () => {
  it("groups the settings and labels them for people", async () => {
    installMock();
    render(Settings);
    const twilio = await screen.findByRole("region", { name: "Twilio" });
    expect(within(twilio).getByLabelText("Send rate (segments/second)")).toBe(
      screen.getByTestId("setting-twilio.rate_per_second"),
    );
    expect(within(twilio).getByLabelText("Price per segment (USD)")).toBeTruthy();
    expect(within(twilio).getByText("Credentials")).toBeTruthy();
    expect(screen.getAllByRole("region").map((r) => r.getAttribute("aria-labelledby"))).toEqual([
      "settings-imis-title",
      "settings-twilio-title",
      "settings-phone-title",
      "settings-campaign-title",
      "settings-smtp-title",
    ]);
  });

  it("shows the backend's error under the field and keeps what was typed", async () => {
    installMock();
    render(Settings);
    const rate: HTMLInputElement = await screen.findByTestId("setting-twilio.rate_per_second");
    await fireEvent.input(rate, { target: { value: "0" } });
    await fireEvent.blur(rate);

    await waitFor(() => {
      expect(rate.getAttribute("aria-invalid")).toBe("true");
    });
    const error = document.getElementById(rate.getAttribute("aria-describedby")?.split(" ")[0] ?? "");
    expect(error?.textContent).toBe("The send rate must be more than 0 segments per second.");
    expect(rate.value).toBe("0");

    await fireEvent.input(rate, { target: { value: "3" } });
    await fireEvent.keyDown(rate, { key: "Enter" });
    await waitFor(() => {
      expect(rate.getAttribute("aria-invalid")).toBe("false");
    });
    const stored = (await api.listSettings()).find((s) => s.key === "twilio.rate_per_second");
    expect(stored).toMatchObject({ value: 3, is_default: false });
    expect(await screen.findByText("Saved")).toBeTruthy();
  });

  it("resets a changed setting to its default", async () => {
    installMock();
    await api.setSetting("campaign.settle_minutes", "45");
    render(Settings);
    const input: HTMLInputElement = await screen.findByTestId("setting-campaign.settle_minutes");
    expect(input.value).toBe("45");
    await fireEvent.click(screen.getByRole("button", { name: "Reset Settle window (minutes) to its default" }));
    await waitFor(() => {
      expect(input.value).toBe("30");
    });
    expect(screen.queryByRole("button", { name: /Reset Settle window/ })).toBeNull();
  });

  it("saves a choice as soon as it changes", async () => {
    installMock();
    render(Settings);
    const select: HTMLSelectElement = await screen.findByTestId("setting-smtp.security");
    expect([...select.options].map((o) => o.textContent)).toEqual(["STARTTLS", "Implicit TLS", "None (localhost only)"]);
    await fireEvent.change(select, { target: { value: "tls" } });
    await waitFor(async () => {
      expect((await api.listSettings()).find((s) => s.key === "smtp.security")?.value).toBe("tls");
    });
  });
});
