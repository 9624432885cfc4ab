// Step 5 (Schedule): "now" or a local date and time from <input type="datetime-local">,
// which the backend receives as a UTC instant (RFC 3339).

export interface ScheduleChoice {
  kind: "now" | "later";
  /** The datetime-local value, kept while "now" is chosen so switching back keeps it. */
  local: string;
}

const LOCAL_INPUT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?$/;

/**
 * The instant a datetime-local value names in the user's own time zone; null when it is not a
 * complete value or names a local time that does not exist (a day that is not in the month,
 * or the hour skipped when clocks go forward).
 */
export function parseLocalInput(value: string): Date | null {
  const m = LOCAL_INPUT.exec(value.trim());
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map((part: string | undefined) => Number(part ?? "0")) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const date = new Date(year, month - 1, day, hour, minute, second);
  const sameWallClock =
    date.getFullYear() === year &&
    date.getMonth() === month - 1 &&
    date.getDate() === day &&
    date.getHours() === hour &&
    date.getMinutes() === minute;
  return sameWallClock ? date : null;
}

/** A datetime-local value ("2025-03-12T09:05") for `date` in the user's own time zone. */
export function toLocalInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}`
  );
}

export type ScheduleCheck = { ok: true; at: string | null } | { ok: false; error: string };

/** What to send to the backend for `choice` (null = now), or why it cannot be used. */
export function checkSchedule(choice: ScheduleChoice, now: Date): ScheduleCheck {
  if (choice.kind === "now") return { ok: true, at: null };
  if (choice.local.trim() === "") return { ok: false, error: "Choose the date and time to send, or choose Send now." };
  const date = parseLocalInput(choice.local);
  if (date === null) {
    return { ok: false, error: "That is not a date and time that exists in your time zone; check the day and hour." };
  }
  if (date.getTime() <= now.getTime()) {
    return { ok: false, error: "That time has already passed. Choose a later time, or Send now." };
  }
  return { ok: true, at: date.toISOString() };
}

/** The user's time zone, e.g. "Europe/Paris" (for the label under the time). */
export function localZoneName(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}
