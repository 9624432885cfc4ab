// The fake backend's sending window, as the backend's window.rs: checked and written the same
// way, open or closed at a moment in a zone, and what waits for it said in the same words.
import { instantIn, wallClock } from "../lib/zones";
import type { WindowSpec, WindowWait } from "./bindings";

const DAY_NAMES = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const SUNDAY_FROM_NOON = "sun_from_noon";

type Day = "closed" | "open" | "from_noon";

/** A window that cannot be used, in the backend's words. */
export class WindowError extends Error {}

/** "09:00" or "9:00" → minutes after midnight ("24:00": the end of the day). */
export function parseWindowTime(text: string): number {
  const s = text.trim();
  const m = /^(\d{1,2}):(\d{2})$/.exec(s);
  const hours = Number(m?.[1]);
  const minutes = Number(m?.[2]);
  if (!m || hours > 24 || minutes > 59 || (hours === 24 && minutes !== 0)) {
    throw new WindowError(`"${s}" is not a time of day such as 09:00 or 20:30`);
  }
  return hours * 60 + minutes;
}

function timeText(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}

/** The seven day rules, Monday first. */
export function parseWindowDays(items: readonly string[]): Day[] {
  const days: Day[] = DAY_NAMES.map(() => "closed");
  for (const raw of items) {
    const item = raw.trim().toLowerCase();
    if (item === "") continue;
    if (item === SUNDAY_FROM_NOON) {
      if (days[6] === "closed") days[6] = "from_noon";
      continue;
    }
    const i = DAY_NAMES.indexOf(item);
    if (i === -1) {
      throw new WindowError(`"${item}" is not a day: use mon, tue, wed, thu, fri, sat, sun or ${SUNDAY_FROM_NOON}`);
    }
    days[i] = "open";
  }
  if (days.every((d) => d === "closed")) throw new WindowError("the window allows no day at all");
  return days;
}

function daysText(days: readonly Day[]): string[] {
  return days.flatMap((d, i) => (d === "closed" ? [] : [d === "from_noon" ? SUNDAY_FROM_NOON : (DAY_NAMES[i] ?? "")]));
}

/** The window as the backend stores it (times as "HH:MM", days in order); throws WindowError. */
export function cleanWindow(spec: WindowSpec): WindowSpec {
  const start = parseWindowTime(spec.start);
  const end = parseWindowTime(spec.end);
  if (end <= start) {
    throw new WindowError(
      `the window ends (${spec.end.trim()}) before it starts (${spec.start.trim()}): overnight windows are not allowed`,
    );
  }
  return { start: timeText(start), end: timeText(end), days: daysText(parseWindowDays(spec.days)), enabled: spec.enabled ?? true };
}

/** The window's opening and closing (minutes after midnight) on a weekday (0 = Monday), if it opens. */
function hoursOn(spec: WindowSpec, weekday: number): [number, number] | null {
  const days = parseWindowDays(spec.days);
  const start = parseWindowTime(spec.start);
  const end = parseWindowTime(spec.end);
  const day = days[weekday] ?? "closed";
  if (day === "closed") return null;
  const open = day === "from_noon" ? Math.max(start, 12 * 60) : start;
  return open < end ? [open, end] : null;
}

/** Whether a text may reach someone in `zone` at `ms`. */
export function isOpen(spec: WindowSpec, ms: number, zone: string): boolean {
  if (spec.enabled === false) return true;
  const c = wallClock(zone, ms);
  const hours = hoursOn(spec, c.weekday);
  const now = c.hour * 60 + c.minute;
  return hours !== null && hours[0] <= now && now < hours[1];
}

/** The first moment at or after `ms` at which the window is open in `zone`. */
export function nextOpen(spec: WindowSpec, ms: number, zone: string): number {
  if (isOpen(spec, ms, zone)) return ms;
  const today = wallClock(zone, ms);
  for (let offset = 0; offset <= 8; offset++) {
    const hours = hoursOn(spec, (today.weekday + offset) % 7);
    if (hours === null) continue;
    const opens = instantIn(zone, today.year, today.month, today.day + offset, Math.floor(hours[0] / 60), hours[0] % 60);
    const closes = instantIn(zone, today.year, today.month, today.day + offset, Math.floor(hours[1] / 60), hours[1] % 60);
    if (closes > ms) return Math.max(opens, ms);
  }
  return ms;
}

/** "Waiting for 9:00 in America/Los_Angeles (3,214 messages)". */
export function waitInWords(w: WindowWait): string {
  const count = w.messages.toLocaleString("en-US");
  const fallback = w.fallback ? ", the zone used when a member's is unknown" : "";
  return `Waiting for ${w.opens_local} in ${w.zone}${fallback} (${count} ${w.messages === 1 ? "message" : "messages"})`;
}

/** The wait of `messages` for the window in `zone` from `ms`, or null when it is open. */
export function windowWait(spec: WindowSpec, ms: number, zone: string, fallback: boolean, messages: number): WindowWait | null {
  if (isOpen(spec, ms, zone)) return null;
  const opens = nextOpen(spec, ms, zone);
  const c = wallClock(zone, opens);
  return {
    zone,
    fallback,
    messages,
    opens_at: new Date(opens).toISOString(),
    opens_local: `${String(c.hour)}:${String(c.minute).padStart(2, "0")}`,
  };
}
