// Time zones by their IANA names ("America/New_York"): the wall clock in a zone at an instant,
// and the instant a wall-clock time happens there. Built on Intl, which knows every zone's rules.

/** This computer's zone, e.g. "America/New_York". */
export function workstationZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** Whether Intl knows `zone` (an IANA name such as "Europe/London", or "UTC"). */
export function isKnownZone(zone: string): boolean {
  if (zone.trim() === "") return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone.trim() });
    return true;
  } catch {
    return false;
  }
}

const clocks = new Map<string, Intl.DateTimeFormat>();

function clock(zone: string): Intl.DateTimeFormat {
  let format = clocks.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
      weekday: "short",
    });
    clocks.set(zone, format);
  }
  return format;
}

/** The wall clock in a zone at one instant. `weekday` is 0 for Monday … 6 for Sunday. */
export interface WallClock {
  year: number;
  /** 1–12. */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/** The wall clock in `zone` at `ms` (milliseconds since the epoch). */
export function wallClock(zone: string, ms: number): WallClock {
  const parts = clock(zone).formatToParts(new Date(ms));
  const value = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? "";
  const number = (type: Intl.DateTimeFormatPartTypes) => Number(value(type));
  return {
    year: number("year"),
    month: number("month"),
    day: number("day"),
    hour: number("hour") % 24,
    minute: number("minute"),
    second: number("second"),
    weekday: Math.max(WEEKDAYS.indexOf(value("weekday")), 0),
  };
}

/** How far `zone` is ahead of UTC at `ms`, in minutes (New York in winter: -300). */
export function offsetMinutes(zone: string, ms: number): number {
  const c = wallClock(zone, ms);
  const asUtc = Date.UTC(c.year, c.month - 1, c.day, c.hour, c.minute, c.second);
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60_000);
}

/**
 * The instant (ms) the wall clock in `zone` shows this date and time. A time skipped when the
 * clocks go forward comes out an hour later; one that happens twice, the first time. Days and
 * minutes past their range roll over (day 32 is the next month's first).
 */
export function instantIn(zone: string, year: number, month: number, day: number, hour: number, minute: number): number {
  const asUtc = Date.UTC(year, month - 1, day, hour, minute);
  const first = asUtc - offsetMinutes(zone, asUtc) * 60_000;
  const second = asUtc - offsetMinutes(zone, first) * 60_000;
  // The wall clock the request names, once rolled over (minute 60 is the next hour's 0).
  const wanted = new Date(asUtc);
  const shows = (ms: number) => {
    const c = wallClock(zone, ms);
    return c.hour === wanted.getUTCHours() && c.minute === wanted.getUTCMinutes() && c.day === wanted.getUTCDate();
  };
  const right = [first, second].filter(shows);
  return right.length > 0 ? Math.min(...right) : Math.max(first, second);
}

/** The place a zone is named after, as people say it: "America/New_York" → "New York". */
export function zoneCity(zone: string): string {
  const last = zone.split("/").pop() ?? zone;
  return last.replace(/_/g, " ");
}
