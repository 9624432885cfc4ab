// Formatting shared by every feature. Times arrive from the backend as RFC 3339 strings in UTC.

export const DASH = "—";

export interface LocalFormatOptions {
  locale?: string | string[];
  /** IANA zone; the user's own when omitted. Tests pin it. */
  timeZone?: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** An Intl.DateTimeFormat, made once per locale and options (making one costs more than using it,
 *  and a grid formats hundreds of times while it scrolls). */
function dateTimeFormat(locale: string | string[] | undefined, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = JSON.stringify([locale ?? null, options]);
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, options);
    formatters.set(key, format);
  }
  return format;
}

function parse(iso: string | null | undefined): Date | null {
  if (iso === null || iso === undefined || iso === "") return null;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** A date and time in the user's zone and locale, e.g. "12 Mar 2025, 14:05"; "—" for none. */
export function formatLocal(iso: string | null | undefined, options: LocalFormatOptions = {}): string {
  const date = parse(iso);
  if (!date) return DASH;
  return dateTimeFormat(options.locale, {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone: options.timeZone,
  }).format(date);
}

export interface ShortFormatOptions extends LocalFormatOptions {
  /** "Now", to decide whether the year can be left out. */
  now?: Date;
  /** Leave the time of day out. */
  dateOnly?: boolean;
}

/**
 * A compact local time for tables: the year only when it is not this year
 * ("Mar 12, 2:05 PM", "Mar 12, 2024, 2:05 PM"); "—" for none.
 */
export function formatLocalShort(iso: string | null | undefined, options: ShortFormatOptions = {}): string {
  const date = parse(iso);
  if (!date) return DASH;
  const year = (d: Date) => dateTimeFormat("en", { year: "numeric", timeZone: options.timeZone }).format(d);
  const sameYear = year(date) === year(options.now ?? new Date());
  return dateTimeFormat(options.locale, {
    month: "short",
    day: "numeric",
    year: sameYear ? undefined : "numeric",
    hour: options.dateOnly ? undefined : "numeric",
    minute: options.dateOnly ? undefined : "2-digit",
    timeZone: options.timeZone,
  }).format(date);
}

/** Just the date in the user's zone, e.g. "12 Mar 2025"; "—" for none. */
export function formatLocalDate(iso: string | null | undefined, options: LocalFormatOptions = {}): string {
  const date = parse(iso);
  if (!date) return DASH;
  return dateTimeFormat(options.locale, { dateStyle: "medium", timeZone: options.timeZone }).format(date);
}

export interface ZonedFormatOptions {
  /** IANA zone; the user's own when omitted. Tests pin it. */
  timeZone?: string;
  /** "Now", to decide whether the year can be left out. */
  now?: Date;
}

/**
 * A date and time that names its zone, for estimates people plan around: "Mon 7 Dec, 17:00 EST"
 * (the year only when it is not this year: "Mon 4 Jan 2027, 09:00 EST"); "—" for none. Zones
 * without a common abbreviation show their offset ("GMT+1").
 */
export function formatZoned(iso: string | null | undefined, options: ZonedFormatOptions = {}): string {
  const date = parse(iso);
  if (!date) return DASH;
  const parts = dateTimeFormat("en-US", {
    weekday: "short",
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZoneName: "short",
    timeZone: options.timeZone,
  }).formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? "";
  const thisYear = dateTimeFormat("en-US", { year: "numeric", timeZone: options.timeZone }).format(options.now ?? new Date());
  const year = part("year") === thisYear ? "" : ` ${part("year")}`;
  return `${part("weekday")} ${part("day")} ${part("month")}${year}, ${part("hour")}:${part("minute")} ${part("timeZoneName")}`;
}

/** The same instant in UTC, unambiguous in every locale: "2025-03-12 14:05 UTC"; "—" for none. */
export function formatUtc(iso: string | null | undefined): string {
  const date = parse(iso);
  if (!date) return DASH;
  const pad = (n: number) => String(n).padStart(2, "0");
  return (
    `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())} UTC`
  );
}

/**
 * The locale to write numbers in, given the one Intl resolves by default: the person's own,
 * or US English when the system names none. With LANG unset or C, WebKit resolves
 * "en-US-u-va-posix", which groups no digits: 250,000 would read "250000".
 */
export function numberLocaleFor(resolved: string): string | undefined {
  return /-u-va-posix(?:-|$)/i.test(resolved) ? "en-US" : undefined;
}

const defaultNumberLocale = numberLocaleFor(new Intl.NumberFormat().resolvedOptions().locale);

const countFormats = new Map<string, Intl.NumberFormat>();

/** A whole number with grouping ("1,240"); "—" for none. */
export function formatCount(n: number | null | undefined, locale: string | undefined = defaultNumberLocale): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return DASH;
  let format = countFormats.get(locale ?? "");
  if (!format) {
    format = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
    countFormats.set(locale ?? "", format);
  }
  return format.format(n);
}

/** A ratio in [0, 1] as a percentage with at most one decimal ("95.3%"); "—" for none. */
export function formatPercent(ratio: number | null | undefined, locale: string | undefined = defaultNumberLocale): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return DASH;
  return new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 }).format(ratio);
}

/** "draft_updated" → "Draft updated". */
export function humanize(word: string): string {
  const spaced = word.replace(/[_.-]+/g, " ").trim();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

/**
 * How long ago (or how far ahead) `iso` is from `now`: "just now", "5 minutes ago", "in a
 * few seconds", "in 2 days"; "—" for none.
 */
export function formatRelative(iso: string | null | undefined, now: Date = new Date(), locale = "en"): string {
  const date = parse(iso);
  if (!date) return DASH;
  const seconds = (date.getTime() - now.getTime()) / 1000;
  if (Math.abs(seconds) < 45) return seconds > 1 ? "in a few seconds" : "just now";
  const format = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ["minute", 60],
    ["hour", 3600],
    ["day", 86_400],
    ["month", 2_629_800],
    ["year", 31_557_600],
  ];
  let chosen: [Intl.RelativeTimeFormatUnit, number] = ["minute", 60];
  for (const unit of units) {
    if (Math.abs(seconds) >= unit[1] * 0.9) chosen = unit;
  }
  return format.format(Math.round(seconds / chosen[1]), chosen[0]);
}

/** A count with its noun: "1 segment", "2,400 segments" (`many` for irregular plurals). */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** A price per unit (a segment) with 2 to 4 decimals and no currency sign ("0.0083", "0.05"); "—" for none.
 *  Sums of money use formatMoney. */
export function formatUsdAmount(amount: number | null | undefined): string {
  if (amount === null || amount === undefined || !Number.isFinite(amount)) return DASH;
  return new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 4 }).format(amount);
}

const moneyFormat = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** A sum of money (a cost, what was charged) with exactly 2 decimals and no currency sign
 *  ("12.50", "0.02", "2,053.61"); "—" for none. */
export function formatMoney(amount: number | null | undefined): string {
  if (amount === null || amount === undefined || !Number.isFinite(amount)) return DASH;
  // "-0.00" for a charge that rounds to nothing says nothing useful.
  return moneyFormat.format(Math.abs(amount) < 0.005 ? 0 : amount);
}

/**
 * A backend message as the start of a sentence: "the audience needs a query" → "The audience
 * needs a query". Only a plain lowercase first word is touched, so "iMIS has no query",
 * "old.csv is not UTF-8" or "twilio.from must be…" stay exactly as written.
 */
export function capitalizeFirst(message: string): string {
  const match = /^(\s*)(\S+)/u.exec(message);
  if (!match) return message;
  const [, space = "", word = ""] = match;
  if (!/^\p{Ll}[\p{Ll}'’-]*[,;:.!?]?$/u.test(word)) return message;
  return space + word.charAt(0).toLocaleUpperCase() + message.slice(space.length + 1);
}
