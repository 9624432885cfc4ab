import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { mockIPC } from "@tauri-apps/api/mocks";
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
      "settings-window-title",
      "settings-notify-title",
      "settings-smtp-title",
    ]);
  });

  it("names the LIVE safeguards and the notifications for people", async () => {
    installMock();
    render(Settings);
    const campaigns = await screen.findByRole("region", { name: "Campaigns" });
    const typed = within(campaigns).getByLabelText<HTMLInputElement>("Type the count to confirm above");
    expect(typed).toBe(screen.getByTestId("setting-campaign.confirm_typed_above"));
    expect(typed.value).toBe("1000");
    expect(within(campaigns).getByLabelText("Your mobile number for test texts")).toBe(
      screen.getByTestId("setting-campaign.test_text_to"),
    );

    const notifications = screen.getByRole("region", { name: "Notifications" });
    const labels = ["A campaign pauses by itself", "A campaign completes", "A report email cannot be sent", "Recording texts in iMIS gives up"];
    for (const label of labels) {
      const select = within(notifications).getByLabelText<HTMLSelectElement>(label);
      expect([...select.options].map((o) => o.textContent)).toEqual(["Notify me", "Don't notify"]);
      expect(select.value).toBe("on");
    }
    // No setting key is shown to people.
    expect(notifications.textContent).not.toMatch(/notify\./);

    await fireEvent.change(within(notifications).getByLabelText("A campaign completes"), { target: { value: "off" } });
    await waitFor(async () => {
      expect((await api.listSettings()).find((s) => s.key === "notify.completed")?.value).toBe("off");
    });
  });

  it("shows a change made elsewhere (herald-cli) at once, keeping what is being typed in another field", async () => {
    installMock({ empty: true });
    render(Settings);
    const settle = await screen.findByTestId<HTMLInputElement>("setting-campaign.settle_minutes");
    const host = screen.getByTestId<HTMLInputElement>("setting-smtp.host");
    await fireEvent.input(host, { target: { value: "smtp.exam" } });
    await waitFor(() => {
      expect(screen.getByTestId("secret-state-imis.password").textContent.trim()).toBe("Not set");
    });

    // herald-cli on the same data folder: the backend says settings-changed.
    await api.setSetting("campaign.settle_minutes", "45");
    await api.setSecret("imis.password", "from-the-cli");
    await waitFor(() => {
      expect(settle.value).toBe("45");
      expect(screen.getByTestId("secret-state-imis.password").textContent.trim()).toBe("Stored in the system keychain");
    });
    expect(host.value).toBe("smtp.exam");
  });

  it("opens at the section a fix link names", async () => {
    installMock();
    render(Settings, { section: "twilio" });
    const heading = await screen.findByRole("heading", { name: "Twilio" });
    await waitFor(() => {
      expect(document.activeElement).toBe(heading);
    });
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

describe("Settings credentials", () => {
  const SECRET = "s3cr3t-Pa55word!";

  it("shows each secret's state from the keychain, never a value", async () => {
    installMock({ empty: true });
    await api.setSecret("twilio.auth_token", SECRET);
    render(Settings);
    const twilio = await screen.findByRole("region", { name: "Twilio" });
    await waitFor(() => {
      expect(screen.getByTestId("secret-state-twilio.auth_token").textContent.trim()).toBe("Stored in the system keychain");
    });
    expect(screen.getByTestId("secret-state-twilio.api_key_secret").textContent.trim()).toBe("Not set");
    expect(within(twilio).getByLabelText("Auth Token")).toBe(screen.getByTestId("secret-twilio.auth_token"));
    expect(within(twilio).getByLabelText("API Key secret")).toBe(screen.getByTestId("secret-twilio.api_key_secret"));
    const imis = screen.getByRole("region", { name: "iMIS" });
    expect(within(imis).getByLabelText("Password")).toBe(screen.getByTestId("secret-imis.password"));
    const smtp = screen.getByRole("region", { name: "Email reports" });
    expect(within(smtp).getByLabelText("Password")).toBe(screen.getByTestId("secret-smtp.password"));
    for (const name of ["imis.password", "twilio.auth_token", "twilio.api_key_secret", "smtp.password"]) {
      const input = screen.getByTestId<HTMLInputElement>(`secret-${name}`);
      expect(input.type).toBe("password");
      expect(input.autocomplete).toBe("off");
      expect(input.value).toBe("");
    }
    expect(screen.queryByTestId("secret-delete-twilio.api_key_secret")).toBeNull();
    expect(within(twilio).getByText(/never in Herald's database or logs/)).toBeTruthy();
  });

  it("saves on Save, clears the input and flips the state to stored", async () => {
    installMock({ empty: true });
    const { container } = render(Settings);
    const input = await screen.findByTestId<HTMLInputElement>("secret-imis.password");
    const state = screen.getByTestId("secret-state-imis.password");
    await waitFor(() => {
      expect(state.textContent.trim()).toBe("Not set");
    });
    const save = screen.getByTestId<HTMLButtonElement>("secret-save-imis.password");
    expect(save.disabled).toBe(true);

    await fireEvent.input(input, { target: { value: SECRET } });
    await fireEvent.click(save);

    await waitFor(() => {
      expect(state.textContent.trim()).toBe("Stored in the system keychain");
    });
    expect(input.value).toBe("");
    expect(await screen.findByText("Saved to the keychain")).toBeTruthy();
    expect(container.innerHTML).not.toContain(SECRET);
    expect(document.body.innerHTML).not.toContain(SECRET);
    expect(await api.secretStatus()).toContainEqual({ name: "imis.password", stored: true, error: null });
  });

  it("saves on Enter", async () => {
    installMock({ empty: true });
    const { container } = render(Settings);
    const input = await screen.findByTestId<HTMLInputElement>("secret-smtp.password");
    await waitFor(() => {
      expect(input.disabled).toBe(false);
    });
    await fireEvent.input(input, { target: { value: SECRET } });
    await fireEvent.keyDown(input, { key: "Enter" });
    await waitFor(() => {
      expect(screen.getByTestId("secret-state-smtp.password").textContent.trim()).toBe("Stored in the system keychain");
    });
    expect(input.value).toBe("");
    expect(container.innerHTML).not.toContain(SECRET);
  });

  it("Replace focuses the input", async () => {
    installMock({ empty: true });
    await api.setSecret("twilio.api_key_secret", SECRET);
    render(Settings);
    const replace = await screen.findByRole("button", { name: "Replace the Twilio API Key secret" });
    await fireEvent.click(replace);
    expect(document.activeElement).toBe(screen.getByTestId("secret-twilio.api_key_secret"));
  });

  it("deletes through the confirm dialog", async () => {
    installMock({ empty: true });
    await api.setSecret("twilio.auth_token", SECRET);
    render(Settings);
    const del = await screen.findByTestId("secret-delete-twilio.auth_token");

    await fireEvent.click(del);
    const dialog = await screen.findByRole("dialog", { name: "Delete the Twilio Auth Token?" });
    await fireEvent.click(within(dialog).getByRole("button", { name: "Cancel" }));
    await waitFor(() => {
      expect(screen.queryByRole("dialog")).toBeNull();
    });
    expect(screen.getByTestId("secret-state-twilio.auth_token").textContent.trim()).toBe("Stored in the system keychain");

    await fireEvent.click(screen.getByTestId("secret-delete-twilio.auth_token"));
    await fireEvent.click(await screen.findByTestId("secret-confirm-delete-twilio.auth_token"));
    await waitFor(() => {
      expect(screen.getByTestId("secret-state-twilio.auth_token").textContent.trim()).toBe("Not set");
    });
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(screen.queryByTestId("secret-delete-twilio.auth_token")).toBeNull();
    expect(await api.secretStatus()).toContainEqual({ name: "twilio.auth_token", stored: false, error: null });
  });

  it("shows the keychain's error and disables the inputs", async () => {
    const message = "No Secret Service is running: start GNOME Keyring or KeePassXC";
    installMock({ empty: true, keychainError: message });
    render(Settings);
    const imis = await screen.findByRole("region", { name: "iMIS" });
    const alert = await within(imis).findByText(message);
    expect(alert.closest("[data-tone]")?.getAttribute("data-tone")).toBe("warning");
    const twilio = screen.getByRole("region", { name: "Twilio" });
    // Both Twilio secrets share the one complaint: shown once.
    expect(within(twilio).getAllByText(message)).toHaveLength(1);
    for (const name of ["imis.password", "twilio.auth_token", "twilio.api_key_secret", "smtp.password"]) {
      expect(screen.getByTestId<HTMLInputElement>(`secret-${name}`).disabled).toBe(true);
      expect(screen.getByTestId<HTMLButtonElement>(`secret-save-${name}`).disabled).toBe(true);
    }
  });

  it("shows a failed save under the field and keeps the typed text for another try", async () => {
    installMock({ empty: true });
    render(Settings);
    const input = await screen.findByTestId<HTMLInputElement>("secret-imis.password");
    await waitFor(() => {
      expect(input.disabled).toBe(false);
    });
    mockIPC((cmd) => {
      if (cmd === "set_secret") {
        // The real IPC rejects with the serialised AppError.
        // eslint-disable-next-line @typescript-eslint/only-throw-error
        throw { code: "keychain", message: "The keychain refused access to imis.password" };
      }
      return null;
    });
    await fireEvent.input(input, { target: { value: SECRET } });
    await fireEvent.keyDown(input, { key: "Enter" });
    const error = await screen.findByTestId("field-error");
    expect(error.textContent).toBe("The keychain refused access to imis.password");
    expect(input.getAttribute("aria-invalid")).toBe("true");
    expect(input.value).toBe(SECRET);
    expect(screen.getByTestId("secret-state-imis.password").textContent.trim()).toBe("Not set");
  });
});

describe("Settings, iMIS connection test", () => {
  it("says what it found, with a busy state while it asks", async () => {
    installMock({ demo: false });
    render(Settings);
    const imis = await screen.findByRole("region", { name: "iMIS" });
    const button = within(imis).getByTestId<HTMLButtonElement>("imis-test");
    expect(screen.queryByTestId("imis-test-result")).toBeNull();
    await fireEvent.click(button);
    expect(button.getAttribute("aria-busy")).toBe("true");
    expect(within(imis).getByText("Connecting to iMIS…")).toBeTruthy();
    const result = await screen.findByTestId("imis-test-result");
    expect(result.textContent.trim()).toBe("Connected: 1 folder or query at the top level; TEXTMSG activity type found.");
    expect(result.getAttribute("data-tone")).toBe("success");
    expect(button.getAttribute("aria-busy")).toBeNull();
  });

  it("warns when the TEXTMSG activity type is missing", async () => {
    installMock({ demo: false, textmsg: false });
    render(Settings);
    await fireEvent.click(await screen.findByTestId("imis-test"));
    const result = await screen.findByTestId("imis-test-result");
    expect(result.getAttribute("data-tone")).toBe("warning");
    expect(result.textContent).toContain("the TEXTMSG activity type is missing");
  });

  it("says when it is only the demo directory", async () => {
    installMock();
    render(Settings);
    await fireEvent.click(await screen.findByTestId("imis-test"));
    expect((await screen.findByTestId("imis-test-result")).textContent).toContain(
      "No iMIS address is set, so Herald uses its demo directory (sample data, TEST only)",
    );
  });

  it("shows iMIS's error in words, and clears it on a successful retry", async () => {
    const message = "iMIS refused the username or password; check them in Settings → iMIS";
    const backend = installMock({ demo: false, imisError: message });
    render(Settings);
    await fireEvent.click(await screen.findByTestId("imis-test"));
    const result = await screen.findByTestId("imis-test-result");
    expect(result.getAttribute("data-tone")).toBe("danger");
    expect(result.textContent).toContain(message);

    backend.imisError = null;
    await fireEvent.click(screen.getByTestId("imis-test"));
    await waitFor(() => {
      expect(screen.getByTestId("imis-test-result").getAttribute("data-tone")).toBe("success");
    });
  });
});

describe("Settings, Twilio connection test", () => {
  it("says what is missing, then names the account it reached", async () => {
    installMock({ demo: false, empty: true });
    render(Settings);
    const twilio = await screen.findByRole("region", { name: "Twilio" });
    await fireEvent.click(within(twilio).getByTestId("twilio-test"));
    const failure = await screen.findByTestId("twilio-test-result");
    expect(failure.textContent).toContain("Herald could not connect to Twilio");
    expect(failure.textContent).toContain("The Twilio Account SID is not set");
    await api.setSetting("twilio.account_sid", "AC123");
    await api.setSecret("twilio.auth_token", "secret");
    await fireEvent.click(within(twilio).getByTestId("twilio-test"));
    await waitFor(() => {
      expect(screen.getByTestId("twilio-test-result").textContent).toContain("Connected to Twilio: Herald Demo (active).");
    });
  });
});

describe("Settings, email connection test", () => {
  it("says what is missing, then that it logged in to the mail server", async () => {
    installMock({ demo: false, empty: true });
    render(Settings);
    const email = await screen.findByRole("region", { name: "Email reports" });
    await fireEvent.click(within(email).getByTestId("smtp-test"));
    const failure = await screen.findByTestId("smtp-test-result");
    expect(failure.textContent).toContain("Herald could not connect to the mail server");
    expect(failure.textContent).toContain("The mail server is not set");
    await api.setSetting("smtp.host", "smtp.example.org");
    await fireEvent.click(within(email).getByTestId("smtp-test"));
    await waitFor(() => {
      expect(screen.getByTestId("smtp-test-result").textContent).toContain(
        "Connected to smtp.example.org:587 and logged in.",
      );
    });
  });

  describe("the sending window", () => {
    it("names every setting for staff, with times, days and zones to pick from", async () => {
      installMock();
      render(Settings);
      const group = await screen.findByRole("region", { name: "Sending window" });
      const enabled = within(group).getByLabelText<HTMLSelectElement>("Send only inside the window");
      expect([...enabled.options].map((o) => o.textContent)).toEqual(["Yes: only between the times below", "No: send at any hour"]);
      expect(enabled.value).toBe("on");
      expect(group.textContent).toContain("US rules allow marketing texts only from 8 am to 9 pm");

      const earliest = within(group).getByLabelText<HTMLInputElement>("Earliest time");
      const latest = within(group).getByLabelText<HTMLInputElement>("Latest time");
      expect([earliest.type, earliest.value, latest.type, latest.value]).toEqual(["time", "09:00", "time", "20:00"]);

      const days = within(group).getByRole("group", { name: "Days" });
      const boxes = within(days).getAllByRole<HTMLInputElement>("checkbox");
      expect(boxes.map((b) => b.checked)).toEqual([true, true, true, true, true, true, true, false]);
      expect(within(days).getByRole("checkbox", { name: "Sunday" })).toBe(boxes[6]);
      expect(within(group).getByText("Default: every day")).toBeTruthy();

      const zone = within(group).getByLabelText<HTMLInputElement>("Your organisation's time zone");
      expect(zone.value).toBe("");
      const here = Intl.DateTimeFormat().resolvedOptions().timeZone;
      expect(zone.placeholder).toBe(`This computer's zone (${here})`);
      const suggestions = document.getElementById(zone.getAttribute("list") ?? "");
      const offered = [...(suggestions?.querySelectorAll("option") ?? [])].map((o) => o.value);
      expect(offered).toEqual(expect.arrayContaining(["America/New_York", "America/Phoenix", "Pacific/Honolulu", "Europe/London"]));

      // Staff never see the keys or the stored day names.
      expect(group.textContent).not.toMatch(/window\.|sun_from_noon|fallback/);
    });

    it("refuses a latest time before the earliest, in words", async () => {
      installMock();
      render(Settings);
      const group = await screen.findByRole("region", { name: "Sending window" });
      const latest = within(group).getByLabelText<HTMLInputElement>("Latest time");
      await fireEvent.input(latest, { target: { value: "08:00" } });
      await fireEvent.blur(latest);
      await waitFor(() => {
        expect(latest.getAttribute("aria-invalid")).toBe("true");
      });
      const error = document.getElementById(latest.getAttribute("aria-describedby")?.split(" ")[0] ?? "");
      expect(error?.textContent).toBe("The window ends (08:00) before it starts (09:00): overnight windows are not allowed");

      await fireEvent.input(latest, { target: { value: "21:00" } });
      await fireEvent.blur(latest);
      await waitFor(async () => {
        expect((await api.listSettings()).find((e) => e.key === "window.end")?.value).toBe("21:00");
      });
    });

    it("saves the days as they are ticked, and never none", async () => {
      installMock();
      render(Settings);
      const group = await screen.findByRole("region", { name: "Sending window" });
      const days = within(group).getByRole("group", { name: "Days" });
      const stored = async () => (await api.listSettings()).find((e) => e.key === "window.days")?.value;

      await fireEvent.click(within(days).getByRole("checkbox", { name: "Saturday" }));
      await waitFor(async () => {
        expect(await stored()).toBe("mon,tue,wed,thu,fri,sun");
      });
      await fireEvent.click(within(days).getByRole("checkbox", { name: /On Sundays, not before noon/ }));
      await waitFor(async () => {
        expect(await stored()).toBe("mon,tue,wed,thu,fri,sun_from_noon");
      });
      await waitFor(() => {
        expect(within(group).getByRole("button", { name: "Reset Days to its default" })).toBeTruthy();
      });

      for (const day of ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Sunday"]) {
        await fireEvent.click(within(days).getByRole("checkbox", { name: day }));
      }
      const error = await within(group).findByTestId("field-error");
      expect(error.textContent).toBe("Choose at least one day on which texts may arrive.");
      expect(days.getAttribute("aria-describedby")?.split(" ")).toContain(error.id);
      expect(await stored()).not.toBe("");

      await fireEvent.click(within(group).getByRole("button", { name: "Reset Days to its default" }));
      await waitFor(() => {
        expect(within(days).getAllByRole<HTMLInputElement>("checkbox").map((b) => b.checked)).toEqual([
          true, true, true, true, true, true, true, false,
        ]);
      });
      expect(within(group).queryByTestId("field-error")).toBeNull();
    });

    it("opens at the group from #/settings/window", async () => {
      installMock();
      render(Settings, { section: "window" });
      const heading = await screen.findByRole("heading", { name: "Sending window" });
      await waitFor(() => {
        expect(document.activeElement).toBe(heading);
      });
    });
  });
});
