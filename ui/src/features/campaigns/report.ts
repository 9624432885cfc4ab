// The report card's words for the outbox.
import type { OutboxEntry } from "../../api";
import type { Tone } from "../../lib/design";
import { humanize } from "../../lib/format";

export function outboxLook(entry: Pick<OutboxEntry, "state" | "last_error">): { label: string; tone: Tone } {
  switch (entry.state) {
    case "sent":
      return { label: "Sent", tone: "success" };
    case "failed":
      return { label: "Failed", tone: "danger" };
    case "pending":
      return entry.last_error ? { label: "Retrying", tone: "warning" } : { label: "Waiting to send", tone: "info" };
    default:
      return { label: humanize(entry.state), tone: "neutral" };
  }
}

/** Why the report was queued: "When the campaign completed", "Sent again by hand". */
export function triggerLabel(trigger: string): string {
  if (trigger === "completed") return "When the campaign completed";
  if (trigger.startsWith("resend")) return "Sent again by hand";
  return humanize(trigger);
}
