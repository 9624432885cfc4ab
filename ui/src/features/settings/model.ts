// How the Settings screen groups, names and shows the backend's setting entries.
import type { Json, SecretStatus, SettingEntry } from "../../api";
import { capitalizeFirst } from "../../lib/format";
import { workstationZone } from "../../lib/zones";
import { COMMON_ZONES, daysInWords, splitDays } from "../window/window";

export type GroupId = "imis" | "twilio" | "phone" | "campaign" | "window" | "notify" | "smtp" | "other";

/** One write-only credential, kept in the OS keychain under `name` (the backend's SecretName). */
export interface SecretField {
  name: string;
  label: string;
  /** What it is in a sentence's middle, for the confirm dialog and button names ("the iMIS password"). */
  what: string;
  hint?: string;
}

export interface GroupInfo {
  id: GroupId;
  title: string;
  description: string;
  /** What this group keeps in the OS keychain; empty when nothing. */
  secrets: readonly SecretField[];
}

export const GROUPS: readonly GroupInfo[] = [
  {
    id: "imis",
    title: "iMIS",
    description: "Where Herald finds your members and records each text.",
    secrets: [
      { name: "imis.password", label: "Password", what: "the iMIS password", hint: "Password of the iMIS user above." },
    ],
  },
  {
    id: "twilio",
    title: "Twilio",
    description: "The account and sender that send the texts, and how fast.",
    secrets: [
      {
        name: "twilio.auth_token",
        label: "Auth Token",
        what: "the Twilio Auth Token",
        hint: "Used when no API Key SID is set.",
      },
      {
        name: "twilio.api_key_secret",
        label: "API Key secret",
        what: "the Twilio API Key secret",
        hint: "Used when an API Key SID is set.",
      },
    ],
  },
  {
    id: "phone",
    title: "Phone numbers",
    description: "How numbers without a country code are read.",
    secrets: [],
  },
  {
    id: "campaign",
    title: "Campaigns",
    description: "How campaigns finish and catch up, how a LIVE send is confirmed, and where test texts go.",
    secrets: [],
  },
  {
    id: "window",
    title: "Sending window",
    description:
      "When texts may reach members: between two times in each member's own time zone (told from their phone number), on the days chosen. New campaigns start with this window; each can change it on its Schedule step.",
    secrets: [],
  },
  {
    id: "notify",
    title: "Notifications",
    description: "When Herald tells you something on the desktop, even while its window is closed.",
    secrets: [],
  },
  {
    id: "smtp",
    title: "Email reports",
    description: "The mail server that sends campaign reports.",
    secrets: [
      { name: "smtp.password", label: "Password", what: "the mail server password", hint: "Password of the mail server user above." },
    ],
  },
  { id: "other", title: "Other", description: "Settings this version of the screen does not know yet.", secrets: [] },
];

export function groupOf(key: string): GroupId {
  if (key === "price_per_segment") return "twilio";
  const prefix = key.split(".", 1)[0];
  switch (prefix) {
    case "imis":
    case "twilio":
    case "phone":
    case "campaign":
    case "window":
    case "notify":
    case "smtp":
      return prefix;
    default:
      return "other";
  }
}

/** Entries by group, in the order of GROUPS, keeping the backend's order inside each; empty groups left out. */
export function groupSettings(entries: readonly SettingEntry[]): { group: GroupInfo; entries: SettingEntry[] }[] {
  return GROUPS.map((group) => ({ group, entries: entries.filter((e) => groupOf(e.key) === group.id) })).filter(
    (g) => g.entries.length > 0,
  );
}

const LABELS: Record<string, string> = {
  "imis.base_url": "Base URL",
  "imis.username": "Username",
  "imis.ceu_type_column": "CEU Type column",
  "twilio.base_url": "API base URL",
  "twilio.account_sid": "Account SID",
  "twilio.api_key_sid": "API Key SID",
  "twilio.from": "From number",
  "twilio.messaging_service_sid": "Messaging Service SID",
  "twilio.sender_type": "Sender type",
  "twilio.rate_per_second": "Send rate (segments/second)",
  "twilio.daily_segment_cap": "Max segments per day",
  "twilio.cap_day_zone": "Day of the daily limit starts at midnight in",
  price_per_segment: "Price per segment (USD)",
  "phone.default_region": "Default region",
  "campaign.settle_minutes": "Settle window (minutes)",
  "campaign.catch_up": "Missed start time",
  "campaign.confirm_typed_above": "Type the count to confirm above",
  "campaign.test_text_to": "Your mobile number for test texts",
  "notify.paused": "A campaign pauses by itself",
  "notify.completed": "A campaign completes",
  "notify.report_failed": "A report email cannot be sent",
  "notify.writeback_failed": "Recording texts in iMIS gives up",
  "notify.replies": "Members reply to a campaign",
  "window.enabled": "Send only inside the window",
  "window.start": "Earliest time",
  "window.end": "Latest time",
  "window.days": "Days",
  "window.fallback_zone": "Your organisation's time zone",
  "smtp.host": "Host",
  "smtp.port": "Port",
  "smtp.security": "Security",
  "smtp.username": "Username",
  "smtp.from": "From address",
};

/** A label for people; unknown keys get one made from their last part ("max_retries" → "Max retries"). */
export function settingLabel(key: string): string {
  const known = LABELS[key];
  if (known !== undefined) return known;
  const last = key.split(".").pop() ?? key;
  const words = last.replace(/_/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const NOTIFY_CHOICES: Record<string, string> = { on: "Notify me", off: "Don't notify" };

const CHOICE_LABELS: Record<string, Record<string, string>> = {
  "twilio.sender_type": {
    long_code: "Long code",
    toll_free: "Toll-free number",
    short_code: "Short code",
    messaging_service: "Messaging Service",
  },
  "campaign.catch_up": {
    start: "Start it when Herald opens",
    ask: "Ask me first",
  },
  "notify.paused": NOTIFY_CHOICES,
  "notify.completed": NOTIFY_CHOICES,
  "notify.report_failed": NOTIFY_CHOICES,
  "notify.writeback_failed": NOTIFY_CHOICES,
  "notify.replies": NOTIFY_CHOICES,
  "window.enabled": {
    on: "Yes: only between the times below",
    off: "No: send at any hour",
  },
  "smtp.security": {
    starttls: "STARTTLS",
    tls: "Implicit TLS",
    none: "None (localhost only)",
  },
};

export function choiceLabel(key: string, choice: string): string {
  return CHOICE_LABELS[key]?.[choice] ?? choice;
}

/** Whether two entries of the same setting show the same thing (a reload keeps the unchanged ones as they are). */
export function sameEntry(a: SettingEntry, b: SettingEntry): boolean {
  return (
    a.key === b.key &&
    a.kind === b.kind &&
    a.value === b.value &&
    a.default === b.default &&
    a.is_default === b.is_default &&
    a.description === b.description &&
    a.choices.length === b.choices.length &&
    a.choices.every((c, i) => c === b.choices[i])
  );
}

/** The value as the editor's text. */
export function valueText(value: Json): string {
  return typeof value === "number" ? String(value) : value;
}

/** What "empty" means for the organisation's zone: this computer's, named. */
export function computerZoneText(zone: string = workstationZone()): string {
  return `This computer's zone (${zone})`;
}

/** The default as shown after "Default:". */
export function defaultText(entry: Pick<SettingEntry, "key" | "kind" | "default">): string {
  const text = valueText(entry.default);
  if (entry.key === "window.days") return daysInWords(splitDays(text));
  if (entry.key === "window.fallback_zone" && text === "") return computerZoneText().replace(/^T/, "t");
  if (text === "") return "none";
  if (entry.kind === "choice") return choiceLabel(entry.key, text);
  return text;
}

/** The keychain's distinct complaints about these secrets, in order, for one Alert each. */
export function secretErrors(fields: readonly SecretField[], statuses: readonly SecretStatus[] | null): string[] {
  const errors = fields.map((f) => statuses?.find((s) => s.name === f.name)?.error ?? null);
  return [...new Set(errors.filter((e): e is string => e !== null && e !== ""))];
}

/** Hints in staff words where the backend's description names values as it stores them. */
const HINTS: Record<string, () => string> = {
  "window.enabled": () =>
    "US rules allow marketing texts only from 8 am to 9 pm where the recipient is (8 pm in some states); texts that arrive late lose members.",
  "twilio.cap_day_zone": () =>
    "The time zone whose midnight starts a new day for the daily limit. Twilio and most carriers count in UTC; change it only if yours counts in another zone.",
  "window.start": () => "The earliest a text may arrive, in each member's own time zone.",
  "window.end": () => "No text arrives at or after this time, in each member's own time zone.",
  "window.days": () => "Days on which texts may arrive, in each member's own time zone.",
  "window.fallback_zone": () =>
    `For members whose time zone cannot be told from their number. Leave it empty for this computer's zone (${workstationZone()}).`,
};

/** The line under a setting's field. */
export function settingHint(entry: Pick<SettingEntry, "key" | "description">): string {
  return HINTS[entry.key]?.() ?? entry.description;
}

/** How a text setting is typed in, when not as plain text. */
export interface SettingInput {
  type?: "time";
  /** Suggestions offered while typing (any value may still be typed). */
  suggestions?: readonly string[];
  /** Shown while the field is empty. */
  placeholder?: () => string;
}

const INPUTS: Record<string, SettingInput> = {
  "window.start": { type: "time" },
  "window.end": { type: "time" },
  "window.fallback_zone": { suggestions: COMMON_ZONES, placeholder: () => computerZoneText() },
  "twilio.cap_day_zone": { suggestions: ["UTC", ...COMMON_ZONES.filter((z) => z !== "UTC")] },
};

export function settingInput(key: string): SettingInput {
  return INPUTS[key] ?? {};
}

/**
 * The backend's refusal without the setting's key: "window.end cannot be '08:00': the window
 * ends…" → "The window ends…" (staff never see keys). Other messages as they are.
 */
export function settingError(key: string, value: string, message: string): string {
  const prefix = `${key} cannot be '${value}': `;
  const said = message.startsWith(prefix) ? message.slice(prefix.length) : message;
  return capitalizeFirst(said);
}
