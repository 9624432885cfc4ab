// The report card's words for the outbox, and the Report view's (the report email, in the app).
import type { CampaignStatus, OutboxEntry, ReportError, ReportView } from "../../api";
import { CAMPAIGN_STATUS, type Tone } from "../../lib/design";
import { capitalizeFirst, DASH, formatCount, humanize } from "../../lib/format";

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

/** A campaign status as staff read it ("completed" → "Completed"); the backend sends its name. */
export function statusInWords(status: string): string {
  return status in CAMPAIGN_STATUS ? CAMPAIGN_STATUS[status as CampaignStatus].label : humanize(status);
}

export interface ReportFact {
  label: string;
  value: string;
}

/** The facts at the top of the report, as the email lists them; "—" for a time not reached. */
export function reportFacts(view: ReportView): ReportFact[] {
  return [
    {
      label: "Mode",
      value: view.mode === "test" ? "TEST — simulated, nothing was sent or written to iMIS" : "LIVE — real texts to your members",
    },
    { label: "Status", value: statusInWords(view.status) },
    { label: "Scheduled", value: view.scheduled ?? DASH },
    { label: "Started", value: view.started ?? DASH },
    { label: view.status === "canceled" ? "Ended" : "Completed", value: view.completed ?? DASH },
    { label: "Recipients", value: formatCount(view.recipients) },
    { label: "Delivery rate", value: view.delivery_rate ?? DASH },
    { label: "Segments", value: view.segments },
    { label: "Cost", value: view.cost },
  ];
}

/** One of the most frequent errors: "12 × error 30003: The phone is switched off." */
export function errorLine(error: ReportError): string {
  const words = capitalizeFirst(error.explanation.trim());
  const head = `${formatCount(error.count)} × error ${String(error.code)}`;
  return words === "" ? head : `${head}: ${words}`;
}

/** What became of the records in iMIS, or that the campaign keeps none there. */
export function writebackLine(view: Pick<ReportView, "writes_back" | "writeback">): string {
  return view.writes_back ? `Texts recorded in iMIS: ${view.writeback}.` : "This campaign does not record texts in iMIS.";
}

/** The report's last line: where its times are, and when its figures were read. */
export function asOfLine(view: Pick<ReportView, "zone" | "generated">): string {
  return `Times are in ${view.zone}. Figures as of ${view.generated}.`;
}
