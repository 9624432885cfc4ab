// Going LIVE safely: the pure logic behind the Summary's final check, the confirmation dialog
// and the test text to the person's own phone.
import type { AudiencePreview, DraftSummary, FixPlace, SettingEntry, TestText, WriteBackTarget } from "../../api";
import { formatCount } from "../../lib/format";
import { nameColumns } from "./message";

/** The settings a setting list holds, as text ("" when absent). */
export function settingText(entries: readonly SettingEntry[] | null, key: string): string {
  const value = entries?.find((e) => e.key === key)?.value;
  return value === undefined ? "" : String(value).trim();
}

/** Above this many recipients a LIVE send is confirmed by typing the count (campaign.confirm_typed_above). */
export const DEFAULT_CONFIRM_TYPED_ABOVE = 1000;

export function confirmTypedAbove(entries: readonly SettingEntry[] | null): number {
  const text = settingText(entries, "campaign.confirm_typed_above");
  const n = Number(text);
  return text !== "" && Number.isFinite(n) && n >= 0 ? n : DEFAULT_CONFIRM_TYPED_ABOVE;
}

/** Whether what was typed is the count: "84,678" and "84678" (spaces too) are both accepted. */
export function typedCountMatches(typed: string, count: number): boolean {
  const digits = typed.replace(/[\s,\u00A0\u202F]/g, "");
  return /^\d+$/.test(digits) && Number(digits) === count;
}

/** Who sends the texts, from the Twilio settings: the Messaging Service wins over the From number. */
export function senderText(entries: readonly SettingEntry[] | null): string | null {
  const service = settingText(entries, "twilio.messaging_service_sid");
  if (service !== "") return `Messaging Service ${service}`;
  const from = settingText(entries, "twilio.from");
  return from === "" ? null : from;
}

export const WRITE_BACK_WORDS: Record<WriteBackTarget, string> = {
  activity: "iMIS Activities (TEXTMSG)",
  communication_log: "iMIS Communication Log",
  none: "Not recorded in iMIS",
};

/** What "Send …" says on the LIVE button and in the dialog: "Send 84,678 real texts". */
export function liveAction(count: number, later: boolean): string {
  return `${later ? "Schedule" : "Send"} ${formatCount(count)} real ${count === 1 ? "text" : "texts"}`;
}

/** Where a failed check is fixed, as the button or link that goes there says it. */
export interface FixTarget {
  label: string;
  /** The Settings section (its group id) to open, or null for the wizard's step. */
  settings: string | null;
}

export const FIXES: Record<FixPlace, FixTarget> = {
  twilio_settings: { label: "Open Settings → Twilio", settings: "twilio" },
  imis_settings: { label: "Open Settings → iMIS", settings: "imis" },
  smtp_settings: { label: "Open Settings → Email reports", settings: "smtp" },
  write_back_step: { label: "Go to step 4", settings: null },
};

/**
 * The index in the preview of the first row that will be sent to: not in any of the summary's
 * exclusion lists (which give the row's line in the source, the header being line 1). Null when
 * none of the preview's rows will be sent.
 */
export function firstSendableRow(preview: AudiencePreview, summary: DraftSummary): number | null {
  const excluded = new Set<number>();
  for (const list of [summary.invalid, summary.duplicates, summary.opted_out, summary.empty_values]) {
    for (const row of list.rows) excluded.add(row.row);
  }
  const index = preview.rows.findIndex((_, i) => !excluded.has(i + 2));
  return index === -1 ? null : index;
}

/** The iMIS ID of a preview row ("" when the row has none). */
export function imisIdOf(preview: AudiencePreview, idColumn: string, row: readonly string[]): string {
  const index = preview.columns.indexOf(idColumn);
  return index === -1 ? "" : (row[index] ?? "").trim();
}

/** A recipient in words: "Ann Lee (iMIS ID 10004)", or "the member with iMIS ID 10004". */
export function recipientWho(preview: AudiencePreview, idColumn: string, row: readonly string[]): string {
  const name = nameColumns(preview.columns)
    .map((i) => (row[i] ?? "").trim())
    .filter((s) => s !== "")
    .join(" ");
  const id = imisIdOf(preview, idColumn, row);
  if (name === "") return id === "" ? "the first recipient" : `the member with iMIS ID ${id}`;
  return id === "" ? name : `${name} (iMIS ID ${id})`;
}

/** The recipients a test text can be rendered for: the preview's rows with an iMIS ID, each once. */
export function renderChoices(
  preview: AudiencePreview | null,
  idColumn: string,
): { value: string; label: string }[] {
  if (!preview) return [];
  const seen = new Set<string>();
  const choices: { value: string; label: string }[] = [];
  for (const row of preview.rows) {
    const id = imisIdOf(preview, idColumn, row);
    if (id === "" || seen.has(id)) continue;
    seen.add(id);
    choices.push({ value: id, label: recipientWho(preview, idColumn, row) });
  }
  return choices;
}

/** A phone number with its middle hidden: "+12015550199" → "+1201•••0199". */
export function maskPhone(number: string): string {
  const n = number.trim();
  if (n.length > 9) return `${n.slice(0, 5)}•••${n.slice(-4)}`;
  return n.length > 4 ? `•••${n.slice(-4)}` : n;
}

/** What came of a test text, in words, and its tone. */
export function testTextOutcome(text: TestText): { tone: "success" | "danger" | "info"; message: string } {
  switch (text.state) {
    case "sent":
      return {
        tone: "success",
        message: `Sent to ${maskPhone(text.to_e164)}: check your phone. It is marked as a test in Herald and not recorded in iMIS.`,
      };
    case "failed":
      return { tone: "danger", message: `Not sent: ${text.detail ?? "Twilio did not accept it."}` };
    case "sending":
      return { tone: "info", message: text.detail ?? "Sending: Herald is checking with Twilio whether it went out." };
  }
}

export const TEST_TEXT_STATE: Record<TestText["state"], string> = {
  sent: "Sent",
  failed: "Not sent",
  sending: "Being checked",
};
