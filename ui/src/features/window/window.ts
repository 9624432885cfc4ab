// The sending window as staff choose and read it: the hours (in each member's own time zone)
// and the days texts may arrive. The wizard's Schedule step, its Summary, the campaign page and
// Settings all use these; the backend checks the window again and plans with it.
import type { SettingEntry, WindowSpec, ZoneCount } from "../../api";
import { formatCount } from "../../lib/format";
import { instantIn, wallClock, zoneCity } from "../../lib/zones";

export const WEEK_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type WeekDay = (typeof WEEK_DAYS)[number];
/** Sunday, but not before 12:00 (some states' rule). */
export const SUNDAY_FROM_NOON = "sun_from_noon";

export const DAY_NAMES: Record<WeekDay, { short: string; long: string }> = {
  mon: { short: "Mon", long: "Monday" },
  tue: { short: "Tue", long: "Tuesday" },
  wed: { short: "Wed", long: "Wednesday" },
  thu: { short: "Thu", long: "Thursday" },
  fri: { short: "Fri", long: "Friday" },
  sat: { short: "Sat", long: "Saturday" },
  sun: { short: "Sun", long: "Sunday" },
};

/** The backend's default: 9:00 to 20:00 every day. */
export const DEFAULT_WINDOW: WindowSpec = {
  start: "09:00",
  end: "20:00",
  days: [...WEEK_DAYS],
  enabled: true,
};

/** The days as checkboxes: each day on or off, and Sunday only from noon. */
export interface DayChoice {
  days: Record<WeekDay, boolean>;
  /** Applies when Sunday is chosen. */
  sundayFromNoon: boolean;
}

/** The window as the Schedule step edits it. */
export interface WindowForm extends DayChoice {
  /** "HH:MM", as <input type="time"> gives it ("" while incomplete). */
  start: string;
  end: string;
  /** No window: texts go out at any hour. */
  anyHour: boolean;
}

/** A comma (or space) list of days, as the `window.days` setting keeps it, as a list. */
export function splitDays(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((d) => d.trim().toLowerCase())
    .filter((d) => d !== "");
}

export function dayChoiceOf(days: readonly string[]): DayChoice {
  const set = new Set(days.map((d) => d.trim().toLowerCase()));
  const chosen = Object.fromEntries(WEEK_DAYS.map((d) => [d, set.has(d)])) as Record<WeekDay, boolean>;
  // "sun" wins over "sun_from_noon", as in the backend.
  const fromNoon = set.has(SUNDAY_FROM_NOON) && !set.has("sun");
  if (fromNoon) chosen.sun = true;
  return { days: chosen, sundayFromNoon: fromNoon };
}

/** The days as the backend writes them, Monday first. */
export function daysOf(choice: DayChoice): string[] {
  return WEEK_DAYS.filter((d) => choice.days[d]).map((d) => (d === "sun" && choice.sundayFromNoon ? SUNDAY_FROM_NOON : d));
}

/** Minutes after midnight of "9:00", "09:00" or "24:00"; null when it is not such a time. */
export function parseTime(text: string): number | null {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
  if (!m) return null;
  const hours = Number(m[1]);
  const minutes = Number(m[2]);
  if (hours > 24 || minutes > 59 || (hours === 24 && minutes !== 0)) return null;
  return hours * 60 + minutes;
}

/** "HH:MM" of minutes after midnight (as inputs and the backend write it). */
export function timeText(minutes: number): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}

/** "09:00" → "9:00", as a sentence says it; unreadable text as it is. */
export function spokenTime(text: string): string {
  const minutes = parseTime(text);
  if (minutes === null) return text.trim();
  return `${String(Math.floor(minutes / 60))}:${String(minutes % 60).padStart(2, "0")}`;
}

export function formOf(spec: WindowSpec): WindowForm {
  const start = parseTime(spec.start);
  const end = parseTime(spec.end);
  return {
    start: start === null ? spec.start : timeText(start),
    end: end === null ? spec.end : timeText(end),
    anyHour: spec.enabled === false,
    ...dayChoiceOf(spec.days),
  };
}

export function specOf(form: WindowForm): WindowSpec {
  return { start: form.start.trim(), end: form.end.trim(), days: daysOf(form), enabled: !form.anyHour };
}

function sameTime(a: string, b: string): boolean {
  const x = parseTime(a);
  const y = parseTime(b);
  return x === null || y === null ? a.trim() === b.trim() : x === y;
}

/** Whether two windows allow the same hours and days. */
export function sameWindow(a: WindowSpec, b: WindowSpec): boolean {
  const days = (s: WindowSpec) => daysOf(dayChoiceOf(s.days)).join(",");
  return (
    sameTime(a.start, b.start) &&
    sameTime(a.end, b.end) &&
    days(a) === days(b) &&
    (a.enabled ?? true) === (b.enabled ?? true)
  );
}

/** The window the Settings give new campaigns (each missing or unreadable value: the default). */
export function windowFromSettings(entries: readonly SettingEntry[]): WindowSpec {
  const text = (key: string) => {
    const value = entries.find((e) => e.key === key)?.value;
    return value === undefined ? null : String(value);
  };
  const days = splitDays(text("window.days") ?? "");
  return {
    start: text("window.start") ?? DEFAULT_WINDOW.start,
    end: text("window.end") ?? DEFAULT_WINDOW.end,
    days: days.length > 0 ? days : [...DEFAULT_WINDOW.days],
    enabled: text("window.enabled") !== "off",
  };
}

export type WindowField = "start" | "end" | "days";

/** What is wrong with a window, in words, and the field to fix. */
export interface WindowProblem {
  field: WindowField;
  message: string;
}

/**
 * Why the window cannot be used; null when it can. Checked even while "any hour" is on: the
 * window is kept for when it is turned off again, and the backend refuses one it cannot read.
 */
export function checkWindow(form: WindowForm): WindowProblem | null {
  const start = parseTime(form.start);
  const end = parseTime(form.end);
  if (start === null) return { field: "start", message: "Enter the earliest time texts may arrive, such as 09:00." };
  if (end === null) return { field: "end", message: "Enter the latest time texts may arrive, such as 20:00." };
  if (end <= start) {
    return {
      field: "end",
      message: `The latest time (${spokenTime(form.end)}) must be after the earliest (${spokenTime(form.start)}): texts arrive between the two on the same day.`,
    };
  }
  const chosen = WEEK_DAYS.filter((d) => form.days[d]);
  if (chosen.length === 0) return { field: "days", message: "Choose at least one day on which texts may arrive." };
  if (chosen.length === 1 && chosen[0] === "sun" && form.sundayFromNoon && end <= 12 * 60) {
    return {
      field: "end",
      message: `On Sundays texts start at noon, but the latest time is ${spokenTime(form.end)}: no text could ever arrive. Choose a later time or another day.`,
    };
  }
  return null;
}

/** The saved window when the form differs from it and can be saved; null when there is nothing to save. */
export function windowChange(saved: WindowSpec | null, form: WindowForm | null): WindowSpec | null {
  if (form === null || checkWindow(form) !== null) return null;
  const spec = specOf(form);
  return saved !== null && sameWindow(saved, spec) ? null : spec;
}

/** Whether the form says something other than the saved window (saveable or not). */
export function windowDiffers(saved: WindowSpec | null, form: WindowForm | null): boolean {
  if (form === null) return false;
  return saved === null || !sameWindow(saved, specOf(form));
}

function listed(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? "";
  return `${items.slice(0, -1).join(", ")} and ${items.at(-1) ?? ""}`;
}

/** "every day", "Monday to Friday", "Monday, Wednesday and Friday", "Monday to Saturday and Sunday from noon". */
export function daysInWords(days: readonly string[]): string {
  const choice = dayChoiceOf(days);
  const full = WEEK_DAYS.filter((d) => choice.days[d] && !(d === "sun" && choice.sundayFromNoon));
  if (full.length === 7) return "every day";
  if (full.length === 6 && choice.sundayFromNoon) return "every day (Sundays from noon)";
  // Runs of following days: three or more read "Monday to Friday".
  const runs: WeekDay[][] = [];
  for (const day of full) {
    const run = runs.at(-1);
    const last = run?.at(-1);
    if (run && last !== undefined && WEEK_DAYS.indexOf(last) + 1 === WEEK_DAYS.indexOf(day)) run.push(day);
    else runs.push([day]);
  }
  const items = runs.flatMap((run) => {
    const first = run[0];
    const last = run.at(-1);
    if (run.length >= 3 && first !== undefined && last !== undefined) {
      return [`${DAY_NAMES[first].long} to ${DAY_NAMES[last].long}`];
    }
    return run.map((d) => DAY_NAMES[d].long);
  });
  if (choice.sundayFromNoon) items.push("Sunday from noon");
  return items.length === 0 ? "no day" : listed(items);
}

/** The window in one sentence: "Texts arrive 9:00–20:00 in each member's time zone, every day", or "At any hour". */
export function windowInWords(spec: WindowSpec | null): string {
  if (spec === null || spec.enabled === false) return "At any hour";
  return `Texts arrive ${spokenTime(spec.start)}–${spokenTime(spec.end)} in each member's time zone, ${daysInWords(spec.days)}`;
}

/** The first recipient zones, most first, and what the rest add up to. */
export function topZones(
  zones: readonly ZoneCount[],
  limit = 6,
): { shown: ZoneCount[]; others: { zones: number; recipients: number } | null } {
  const sorted = [...zones].sort((a, b) => b.recipients - a.recipients);
  const rest = sorted.slice(limit);
  return {
    shown: sorted.slice(0, limit),
    others: rest.length === 0 ? null : { zones: rest.length, recipients: rest.reduce((n, z) => n + z.recipients, 0) },
  };
}

/** The first sentences of what a campaign waits for, and how many more zones wait. */
export function waitingLines(words: readonly string[], limit = 3): { shown: string[]; more: string | null } {
  const more = words.length - limit;
  return {
    shown: words.slice(0, limit),
    more: more <= 0 ? null : `and ${formatCount(more)} more ${more === 1 ? "zone" : "zones"}`,
  };
}

/** "7 pm", "5:30 am", "noon", "midnight". */
function clockWords(hour: number, minute: number): string {
  if (minute === 0 && hour === 0) return "midnight";
  if (minute === 0 && hour === 12) return "noon";
  const h = hour % 12 === 0 ? 12 : hour % 12;
  const m = minute === 0 ? "" : `:${String(minute).padStart(2, "0")}`;
  return `${String(h)}${m} ${hour < 12 ? "am" : "pm"}`;
}

/**
 * When the daily limit starts again, said for this computer: "The daily limit resets at
 * midnight UTC (7 pm in New York)". `capZone` is the zone whose day the limit counts.
 */
export function capResetWords(capZone: string, localZone: string, now: Date): string {
  const head = `The daily limit resets at midnight ${capZone}`;
  const today = wallClock(capZone, now.getTime());
  const midnight = instantIn(capZone, today.year, today.month, today.day + 1, 0, 0);
  const here = wallClock(localZone, midnight);
  const there = wallClock(capZone, midnight);
  if (here.hour === there.hour && here.minute === there.minute) return `${head}, which is midnight here too.`;
  return `${head} (${clockWords(here.hour, here.minute)} in ${zoneCity(localZone)}).`;
}

/** Zones offered when typing the organisation's zone (any IANA name is accepted). */
export const COMMON_ZONES: readonly string[] = [
  "America/New_York",
  "America/Chicago",
  "America/Denver",
  "America/Phoenix",
  "America/Los_Angeles",
  "America/Anchorage",
  "Pacific/Honolulu",
  "America/Puerto_Rico",
  "America/Toronto",
  "America/Vancouver",
  "America/Halifax",
  "America/Mexico_City",
  "Europe/London",
  "Europe/Dublin",
  "Europe/Paris",
  "Europe/Berlin",
  "Australia/Sydney",
  "Pacific/Auckland",
  "UTC",
];
