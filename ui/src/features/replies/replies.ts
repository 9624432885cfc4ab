// Replies and the opt-out list in staff words: what each kind of reply means, why a number
// is on the list, and whose list it is. Pure, so it is tested without a window.
import type { OptOut, OptOutChange, OptOutSource, Reply, ReplyKind, SyncReport } from "../../api";
import type { Tone } from "../../lib/design";
import { formatCount, plural } from "../../lib/format";

export interface KindInfo {
  label: string;
  tone: Tone;
  /** One line for people who do not know Twilio's keywords. */
  hint: string;
}

/** Why a reply is marked "Simulated" (TEST mode makes a few up). */
export const SIMULATED_HINT =
  "TEST mode made this reply up so you can see how replies work: no member sent it. What it means counts for TEST campaigns only, never for real texts or iMIS.";

/** What confirming a reply as an opt-out did, for a toast. */
export function confirmedText(reply: Pick<Reply, "simulated">): string {
  return reply.simulated
    ? "Confirmed: TEST campaigns will leave this number out. Real texts are not affected (the reply was simulated)."
    : "Confirmed: Herald will not text this number again from this sender.";
}

export const KINDS: Record<ReplyKind, KindInfo> = {
  opt_out: {
    label: "Opted out",
    tone: "danger",
    hint: "They replied STOP (or another opt-out word): Twilio will not deliver texts from this sender to them.",
  },
  possible_opt_out: {
    label: "Asks to stop?",
    tone: "warning",
    hint: "Reads like “stop texting me”, but Twilio does not block it. US rules count any reasonable request: confirm it to stop texting them.",
  },
  opt_in: {
    label: "Opted back in",
    tone: "success",
    hint: "They replied START (or YES, UNSTOP): texts from this sender reach them again.",
  },
  help: {
    label: "Asked for help",
    tone: "info",
    hint: "They replied HELP or INFO: Twilio answered with your sender's help message.",
  },
  reply: { label: "Reply", tone: "neutral", hint: "Any other answer." },
};

/** What a member last texted back, as the message grid's badge says it (short). */
export const GRID_REPLY_LABELS: Record<ReplyKind, string> = {
  opt_out: "Opted out",
  possible_opt_out: "Asks to stop",
  opt_in: "Opted back in",
  help: "Asked for help",
  reply: "Replied",
};

/** The kind filter's choices, in the order staff look for them. */
export const KIND_FILTERS: readonly { value: ReplyKind | "all"; label: string }[] = [
  { value: "all", label: "All replies" },
  { value: "possible_opt_out", label: "Asks to stop? (to confirm)" },
  { value: "opt_out", label: "Opted out (STOP)" },
  { value: "opt_in", label: "Opted back in (START)" },
  { value: "help", label: "Asked for help" },
  { value: "reply", label: "Other replies" },
];

/** Whether staff still have to decide about this reply. */
export function needsConfirming(reply: Pick<Reply, "kind" | "confirmed_at">): boolean {
  return reply.kind === "possible_opt_out" && reply.confirmed_at === null;
}

const SOURCES: Record<OptOutSource, string> = {
  twilio_stop: "Twilio refused a text (they had replied STOP)",
  replied_stop: "Replied STOP",
  confirmed_reply: "Asked to stop; confirmed by staff",
  import: "Imported",
  manual: "Added by staff",
};

export function sourceText(source: OptOutSource): string {
  return SOURCES[source];
}

/** Why the list changed, for its history: the source in words, with who removed a number. */
export function changeWhyText(change: Pick<OptOutChange, "change" | "source">): string {
  if (change.source === "manual") return change.change === "removed" ? "Removed by staff" : "Added by staff";
  if (change.source === "replied_start") return "Replied START";
  return change.source in SOURCES ? SOURCES[change.source as OptOutSource] : change.source;
}

/** Whose list an entry is on: "Every sender", or the number / Messaging Service. */
export function senderText(sender: string): string {
  if (sender === "*") return "Every sender";
  if (sender === "test") return "TEST campaigns only (simulated replies)";
  if (sender.startsWith("MG")) return `Messaging Service ${sender}`;
  return sender;
}

/** Who replied, for a table cell: the member's name when Herald texted them, else "Unknown member". */
export function whoText(reply: Pick<Reply, "member_name" | "imis_id">): string {
  const name = reply.member_name?.trim();
  if (name) return name;
  return reply.imis_id ? `iMIS ID ${reply.imis_id}` : "Not a member Herald texted";
}

/** What "Check for replies" found, as one sentence. */
export function syncText(report: SyncReport | null): string {
  if (report === null) return "Twilio is not set up, so there are no replies to read. Add your Twilio account in Settings.";
  if (report.stored === 0) return "No new replies.";
  const parts = [plural(report.stored, "new reply", "new replies")];
  if (report.opted_out > 0) parts.push(`${formatCount(report.opted_out)} opted out`);
  if (report.to_confirm > 0) parts.push(`${formatCount(report.to_confirm)} to confirm`);
  if (report.opted_in > 0) parts.push(`${formatCount(report.opted_in)} opted back in`);
  return `${parts.join(", ")}.`;
}

/** The list filtered by a search (digits of the number, or words of the note). */
export function filterOptOuts(list: readonly OptOut[], search: string): OptOut[] {
  const q = search.trim().toLowerCase();
  if (q === "") return [...list];
  const digits = q.replace(/\D/g, "");
  return list.filter(
    (o) =>
      (digits.length >= 3 && o.phone_e164.replace(/\D/g, "").includes(digits)) ||
      (o.note ?? "").toLowerCase().includes(q),
  );
}
