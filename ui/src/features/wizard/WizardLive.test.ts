import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import { api } from "../../api";
import type { FakeBackend } from "../../api/fakeBackend";
import { installMock } from "../../api/mock";
import Wizard from "./Wizard.svelte";

afterEach(() => {
  window.location.hash = "";
});

const CSV = ["ID,FirstName,LastName,Mobile", "10001,Bad,Number,N/A", "10004,Ann,Lee,201-555-0199", "10005,Bo,Chen,201-555-0142"].join(
  "\n",
);
const SENT = "Sent to +1201•••0199: check your phone. It is marked as a test in Herald and not recorded in iMIS.";

/** The seeded draft made LIVE in a connected workspace with Twilio set up, open in the wizard. */
async function openLiveDraft(setup?: (backend: FakeBackend) => Promise<void> | void) {
  const backend = installMock({ demo: false });
  const draft = (await api.listCampaigns()).find((c) => c.name === "Member survey (draft)");
  const id = draft?.id ?? 0;
  await api.updateDraft(id, { mode: "live", template: "Hi ${FirstName}, see you Friday." });
  await api.importCsvAudience(id, "live.csv", CSV);
  await api.setSetting("twilio.account_sid", "AC123");
  await api.setSetting("twilio.from", "+15550001111");
  await setup?.(backend);
  render(Wizard, { id, demo: false });
  await waitFor(() => {
    expect(screen.getByTestId<HTMLButtonElement>("wizard-step-6").disabled).toBe(false);
  });
  return { backend, id };
}

async function openStep(n: number, heading: string) {
  await fireEvent.click(screen.getByTestId(`wizard-step-${String(n)}`));
  return screen.findByRole("heading", { name: heading });
}

describe("Wizard, LIVE: scheduling through the confirmation", () => {
  it("schedules with the recipient count the person confirmed, then opens the campaign", async () => {
    const { id } = await openLiveDraft();
    const spy = vi.spyOn(api, "scheduleCampaign");
    const heading = await openStep(6, "Summary");
    // The Summary is read from the top, even with fields in its final check.
    await waitFor(() => {
      expect(document.activeElement).toBe(heading);
    });
    const button = screen.getByTestId<HTMLButtonElement>("summary-schedule");
    await waitFor(() => {
      expect(button.disabled).toBe(false);
    });
    expect(button.textContent.trim()).toBe("Send 2 real texts…");
    await fireEvent.click(button);
    // Nothing is scheduled by the button itself.
    expect(spy).not.toHaveBeenCalled();
    expect((await api.getCampaign(id)).status).toBe("draft");

    await fireEvent.click(within(screen.getByTestId("live-confirm-dialog")).getByTestId("live-confirm-send"));
    await waitFor(() => {
      expect(window.location.hash).toBe(`#/campaigns/${String(id)}`);
    });
    expect(spy).toHaveBeenCalledExactlyOnceWith(id, null, 2);
    expect(await api.getCampaign(id)).toMatchObject({ status: "scheduled", summary_audience: 2 });
  });

  it("shows the backend's refusal in the dialog when the audience changed, and the new count once it closes", async () => {
    const { id } = await openLiveDraft();
    await openStep(6, "Summary");
    const button = screen.getByTestId<HTMLButtonElement>("summary-schedule");
    await waitFor(() => {
      expect(button.disabled).toBe(false);
    });
    await fireEvent.click(button);
    // Meanwhile the audience grew (another window, the CLI).
    await api.importCsvAudience(id, "live.csv", `${CSV}\n10006,Cy,Diaz,201-555-0177`);
    await fireEvent.click(screen.getByTestId("live-confirm-send"));

    const error = await screen.findByTestId("live-confirm-error");
    expect(error.textContent).toContain("now sends to 3 recipients, not the 2 you confirmed");
    expect(within(screen.getByRole("dialog")).getByTestId("live-confirm-error")).toBe(error);
    expect((await api.getCampaign(id)).status).toBe("draft");

    await fireEvent.click(screen.getByTestId("live-confirm-cancel"));
    await waitFor(() => {
      expect(screen.getByTestId("summary-schedule").textContent.trim()).toBe("Send 3 real texts…");
    });
  });
});

describe("Wizard, LIVE: a test text to my phone", () => {
  it("saves the message first, sends it rendered for the chosen member, and says so", async () => {
    const { id } = await openLiveDraft(async () => {
      await api.setSetting("campaign.test_text_to", "+12015550199");
    });
    await openStep(3, "Message");
    const to = await screen.findByLabelText<HTMLInputElement>("Your mobile number");
    expect(to).toBe(screen.getByTestId("test-text-to"));
    await waitFor(() => {
      expect(to.value).toBe("+12015550199");
    });
    const renderFor = screen.getByLabelText<HTMLSelectElement>("Render it for");
    expect(renderFor.value).toBe("10001");
    expect([...renderFor.options].map((o) => o.textContent)).toEqual([
      "Bad Number (iMIS ID 10001)",
      "Ann Lee (iMIS ID 10004)",
      "Bo Chen (iMIS ID 10005)",
    ]);
    await fireEvent.change(renderFor, { target: { value: "10004" } });

    // Edited a moment ago: not saved yet when Send is chosen.
    await fireEvent.input(screen.getByTestId("message-template"), { target: { value: "Hello ${FirstName}!" } });
    await fireEvent.click(screen.getByTestId("test-text-send"));

    const result = screen.getByTestId("test-text-result");
    expect(result.getAttribute("role")).toBe("status");
    await waitFor(() => {
      expect(result.textContent.trim()).toBe(SENT);
    });
    const [text] = await api.campaignTestTexts(id);
    expect(text).toMatchObject({ to_e164: "+12015550199", as_imis_id: "10004", body: "Hello Ann!", state: "sent" });
    const history = await screen.findByTestId("test-text-history");
    expect(history.textContent).toContain("+1201•••0199");
    expect(history.textContent).toContain("Sent");
    expect(history.textContent).not.toContain("5550199");
  });

  it("says why Twilio did not send it", async () => {
    await openLiveDraft((backend) => {
      backend.testTextOutcome = { state: "failed", detail: "Twilio refused the number: it is not a mobile number (21614)" };
    });
    await openStep(3, "Message");
    await fireEvent.input(await screen.findByTestId("test-text-to"), { target: { value: "201-555-0199" } });
    await fireEvent.click(screen.getByTestId("test-text-send"));
    await waitFor(() => {
      expect(screen.getByTestId("test-text-result").textContent.trim()).toBe(
        "Not sent: Twilio refused the number: it is not a mobile number (21614)",
      );
    });
    expect((await screen.findByTestId("test-text-history")).textContent).toContain("Not sent");
  });

  it("asks for the number before sending anything", async () => {
    const { id } = await openLiveDraft();
    await openStep(3, "Message");
    const to = await screen.findByTestId<HTMLInputElement>("test-text-to");
    await fireEvent.click(screen.getByTestId("test-text-send"));
    expect((await screen.findByText("Enter your mobile number.")).id).toBe(to.getAttribute("aria-describedby")?.split(" ")[0]);
    expect(document.activeElement).toBe(to);
    expect(await api.campaignTestTexts(id)).toEqual([]);
  });

  it("is offered on the Summary too, for the first recipient who will get the campaign", async () => {
    await openLiveDraft();
    await openStep(6, "Summary");
    const check = await screen.findByTestId("summary-final-check");
    const renderFor = await within(check).findByLabelText<HTMLSelectElement>("Render it for");
    // Line 2 (10001) has no valid number: Ann is the first to be sent to.
    await waitFor(() => {
      expect(renderFor.value).toBe("10004");
    });
    await fireEvent.input(within(check).getByTestId("test-text-to"), { target: { value: "+12015550199" } });
    await fireEvent.click(within(check).getByTestId("test-text-send"));
    await waitFor(() => {
      expect(within(check).getByTestId("test-text-result").textContent.trim()).toBe(SENT);
    });
  });

  it("only says why there is none for a TEST campaign", async () => {
    installMock();
    const draft = (await api.listCampaigns()).find((c) => c.name === "Member survey (draft)");
    render(Wizard, { id: draft?.id ?? 0, demo: true });
    await waitFor(() => {
      expect(screen.getByTestId<HTMLButtonElement>("wizard-step-3").disabled).toBe(false);
    });
    await openStep(3, "Message");
    expect(screen.getByTestId("test-text").textContent.trim()).toBe(
      "Test texts are real texts, so they are available for LIVE campaigns.",
    );
    expect(screen.queryByTestId("test-text-to")).toBeNull();
    expect(screen.queryByTestId("test-text-send")).toBeNull();
  });
});
