import type { CampaignStatus, MessageStatus } from "../../api";

export type { MessageStatus };

export type Tone =
  | "neutral"
  | "accent"
  | "info"
  | "success"
  | "warning"
  | "danger"
  | "orange"
  | "pink"
  | "violet"
  | "muted";

interface StatusLook {
  label: string;
  tone: Tone;
  /** One line for people: what the status means. */
  description: string;
}

export const CAMPAIGN_STATUS: Record<CampaignStatus, StatusLook> = {
  draft: { label: "Draft", tone: "neutral", description: "Being written; nothing is sent." },
  scheduled: { label: "Scheduled", tone: "info", description: "Will start at its scheduled time." },
  sending: { label: "Sending", tone: "accent", description: "Messages are going out now." },
  paused: { label: "Paused", tone: "warning", description: "Stopped for now; can be resumed." },
  completed: { label: "Completed", tone: "success", description: "Every message was sent and has settled." },
  canceled: { label: "Canceled", tone: "danger", description: "Stopped for good; what was sent stays tracked." },
  archived: { label: "Archived", tone: "muted", description: "Put away; hidden from the other tabs." },
};

export const MESSAGE_STATUS: Record<MessageStatus, StatusLook> = {
  preparing: { label: "Preparing", tone: "neutral", description: "Recorded, not yet accepted by Twilio." },
  sent: { label: "Sent", tone: "info", description: "Accepted by Twilio; no delivery report yet." },
  delivered: { label: "Delivered", tone: "success", description: "The carrier delivered it." },
  undelivered: { label: "Undelivered", tone: "orange", description: "The carrier could not deliver it." },
  failed: { label: "Failed", tone: "danger", description: "Twilio could not send it." },
  // Stored as "error"; staff read it as what it means.
  error: { label: "Not sendable", tone: "pink", description: "Invalid or missing phone number; never sent." },
  skipped: { label: "Skipped", tone: "violet", description: "Deliberately not sent (duplicate, opted out…)." },
  canceled: { label: "Canceled", tone: "muted", description: "The campaign was canceled before it was sent." },
};
