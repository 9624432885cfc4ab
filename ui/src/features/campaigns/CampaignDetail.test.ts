import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import { HOSTILE_NAME } from "../../api/fakeImis";
import { SEND_BATCH } from "../../api/fakeSending";
import { installMock } from "../../api/mock";
import { formatCount } from "../../lib/format";
import CampaignDetail from "./CampaignDetail.svelte";
import { PAGE_SIZE } from "./detail";

// The seeded campaigns (see FakeBackend.seed).
const SENDING = 4; // "Board election: get out the vote", LIVE
const PAUSED = 5; // "Webinar follow-up", TEST, paused by Twilio errors
const SCHEDULED = 2;

function status(): string {
  return screen.getByTestId("detail-status").textContent.trim();
}

function count(name: string): string {
  return screen.getByTestId(`count-${name}`).textContent;
}

async function open(id: number, options: Parameters<typeof installMock>[0] = {}) {
  const backend = installMock(options);
  const handle = vi.spyOn(backend, "handle");
  render(CampaignDetail, { id });
  await screen.findByTestId("detail-progress");
  await screen.findByTestId("messages-table");
  const calls = () => handle.mock.calls.map(([cmd]) => cmd);
  return { backend, handle, calls };
}

describe("CampaignDetail, sending", () => {
  it("shows the progress, a counter per status and the write-back queue of a LIVE campaign", async () => {
    await open(SENDING);
    expect(status()).toBe("Sending");
    const progress = screen.getByTestId("detail-progress");
    const bar = within(progress).getByRole("progressbar");
    expect(bar.getAttribute("aria-valuenow")).toBe("2900");
    expect(bar.getAttribute("aria-valuemax")).toBe("5000");
    expect(progress.textContent).toContain("58%");
    expect(progress.textContent).toContain("LIVE");
    expect(count("delivered")).toContain(formatCount(2150));
    expect(count("delivered")).toContain("Delivered");
    expect(count("sent")).toContain("640");
    expect(count("preparing")).toContain("Waiting to send");
    expect(count("preparing")).toContain(formatCount(2100));
    expect(count("canceled")).toContain("0");
    expect(screen.getByTestId("writeback-summary").textContent.trim()).toMatch(
      /^iMIS write-back: [\d,]+ done · 4 waiting · 1 failed$/,
    );
    expect(screen.queryByTestId("pause-reason")).toBeNull();
  });

  it("says why write-backs are waiting", async () => {
    await open(SENDING, { imisError: "iMIS did not answer within 30 seconds" });
    const summary = screen.getByTestId("writeback-summary").textContent;
    expect(summary).toContain("4 waiting");
    expect(summary).toContain("Waiting: iMIS did not answer within 30 seconds");
  });

  it("pauses and resumes with the right commands, and the status follows", async () => {
    const { handle } = await open(SENDING);
    expect(screen.queryByTestId("action-resume")).toBeNull();

    await fireEvent.click(screen.getByTestId("action-pause"));
    await waitFor(() => {
      expect(status()).toBe("Paused");
    });
    expect(handle).toHaveBeenCalledWith("pause_campaign", { id: SENDING });
    expect(screen.getByTestId("pause-reason").textContent.trim()).toBe("Paused: Paused by the user");
    expect(screen.queryByTestId("action-pause")).toBeNull();

    await fireEvent.click(screen.getByTestId("action-resume"));
    await waitFor(() => {
      expect(status()).toBe("Sending");
    });
    expect(handle).toHaveBeenCalledWith("resume_campaign", { id: SENDING });
    expect(screen.queryByTestId("pause-reason")).toBeNull();
    expect(screen.getByTestId("action-pause")).toBeTruthy();
  });

  it("cancels only after confirming, and Keep sending changes nothing", async () => {
    const { calls } = await open(SENDING);
    const trigger = screen.getByTestId("action-cancel");
    await fireEvent.click(trigger);
    const dialog = await screen.findByRole("dialog", { name: "Cancel “Board election: get out the vote”?" });
    expect(dialog.textContent).toContain("Messages not yet sent will not be sent. Messages already sent stay tracked.");
    const keep = within(dialog).getByRole("button", { name: "Keep sending" });
    expect(document.activeElement).toBe(keep);

    await fireEvent.click(keep);
    await waitFor(() => {
      expect(screen.queryByRole("dialog")).toBeNull();
    });
    expect(calls()).not.toContain("cancel_campaign");
    expect(status()).toBe("Sending");

    await fireEvent.click(screen.getByTestId("action-cancel"));
    await fireEvent.click(await screen.findByTestId("confirm-cancel"));
    await waitFor(() => {
      expect(status()).toBe("Canceled");
    });
    expect(calls()).toContain("cancel_campaign");
    await waitFor(() => {
      expect(count("canceled")).toContain(formatCount(2100));
    });
    expect(count("preparing")).toContain("0");
    expect(screen.queryByTestId("action-cancel")).toBeNull();
  });

  it("shows the backend's refusal in an alert, starting with a capital", async () => {
    const { handle } = await open(SENDING);
    handle.mockImplementationOnce(() => {
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      throw { code: "illegal_transition", message: "a paused campaign cannot become paused" };
    });
    await fireEvent.click(screen.getByTestId("action-pause"));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("A paused campaign cannot become paused");
    expect(status()).toBe("Sending");
  });

  it("follows the engine's progress in place, without reloading the page", async () => {
    const { backend } = await open(SENDING);
    const firstRow = screen.getAllByTestId("message-row")[0];
    backend.tick();
    await waitFor(() => {
      expect(count("sent")).toContain(String(SEND_BATCH));
    });
    expect(count("preparing")).toContain(formatCount(2100 - SEND_BATCH));
    // The same row elements, updated: no flash of "Loading…".
    expect(screen.getAllByTestId("message-row")[0]).toBe(firstRow);
    expect(screen.queryByText("Loading…")).toBeNull();
  });
});

describe("CampaignDetail, paused", () => {
  it("says why it paused, and offers Resume and Cancel", async () => {
    await open(PAUSED);
    expect(status()).toBe("Paused");
    const reason = screen.getByTestId("pause-reason");
    expect(reason.textContent.trim()).toBe(
      "Paused: Twilio refused 10 messages in a row (20003: authentication failed). Check the credentials in Settings, then resume.",
    );
    expect(screen.getByTestId("action-resume").textContent).toContain("Resume");
    expect(screen.getByTestId("action-cancel").textContent).toContain("Cancel campaign");
    expect(screen.getByTestId("detail-progress").textContent).toContain("TEST");
    expect(screen.queryByTestId("writeback-summary")).toBeNull();
  });
});

describe("CampaignDetail, scheduled", () => {
  it("can be canceled before it starts", async () => {
    installMock();
    render(CampaignDetail, { id: SCHEDULED });
    await screen.findByTestId("detail-progress");
    expect(status()).toBe("Scheduled");
    expect(screen.queryByTestId("action-pause")).toBeNull();
    await fireEvent.click(screen.getByTestId("action-cancel"));
    const dialog = await screen.findByRole("dialog");
    expect(within(dialog).getByRole("button", { name: "Keep it scheduled" })).toBeTruthy();
    await fireEvent.click(within(dialog).getByTestId("confirm-cancel"));
    await waitFor(() => {
      expect(status()).toBe("Canceled");
    });
  });
});

describe("CampaignDetail, messages", () => {
  it("shows untrusted member names as text, never as markup", async () => {
    await open(PAUSED);
    const table = screen.getByTestId("messages-table");
    const cell = within(table).getByText(HOSTILE_NAME);
    expect(cell.tagName).toBe("TD");
    expect(cell.textContent).toBe(HOSTILE_NAME);
    expect(table.querySelector("img")).toBeNull();
    expect(document.querySelector("img[src=x]")).toBeNull();
  });

  it("masks phone numbers until asked to show them", async () => {
    await open(SENDING);
    const row = screen.getAllByTestId("message-row")[0];
    if (!row) throw new Error("no message rows");
    const phone = () => within(row).getAllByRole("cell")[2]?.textContent;
    expect(phone()).toMatch(/^\+1\d{3}•••\d{4}$/);
    const toggle = screen.getByTestId("toggle-phones");
    expect(toggle.getAttribute("aria-pressed")).toBe("false");
    await fireEvent.click(toggle);
    expect(phone()).toMatch(/^\+1\d{10}$/);
    expect(toggle.textContent.trim()).toBe("Hide numbers");
    expect(toggle.getAttribute("aria-pressed")).toBe("true");
  });

  it("shows Twilio's status, the error and the write-back of each message", async () => {
    await open(PAUSED);
    const failed = screen.getAllByTestId("message-row").find((r) => r.textContent.includes("20003"));
    if (!failed) throw new Error("no failed message");
    expect(failed.textContent).toContain("Failed");
    expect(failed.textContent).toContain("20003: Twilio refused Herald's credentials");
  });

  it("loads the first page, then more on request", async () => {
    const { handle } = await open(SENDING);
    expect(screen.getAllByTestId("message-row")).toHaveLength(PAGE_SIZE);
    expect(handle).toHaveBeenCalledWith("campaign_messages", { id: SENDING, offset: 0, limit: PAGE_SIZE });
    await fireEvent.click(screen.getByTestId("messages-more"));
    await waitFor(() => {
      expect(screen.getAllByTestId("message-row")).toHaveLength(2 * PAGE_SIZE);
    });
    expect(handle).toHaveBeenCalledWith("campaign_messages", { id: SENDING, offset: PAGE_SIZE, limit: PAGE_SIZE });
    const ids = screen.getAllByTestId("message-row").map((r) => r.dataset.messageId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("has no Load more once every message is shown", async () => {
    await open(PAUSED);
    expect(screen.getAllByTestId("message-row")).toHaveLength(180);
    expect(screen.queryByTestId("messages-more")).toBeNull();
  });
});
