// The "Statuses over time" chart's data: cumulative counts the backend works out from the
// messages' own times (store/timeline.rs: when each was accepted by Twilio, when each reached
// its final status), so the whole curve is there however long ago the campaign sent, and the
// window never reads every message to draw it.
import type { TimelinePoint } from "../../api";

export interface Sample {
  /** The moment, in ms since the epoch. */
  at: number;
  sent: number;
  delivered: number;
  undelivered: number;
  failed: number;
}

export function samplesOf(points: readonly TimelinePoint[]): Sample[] {
  return points
    .map((p) => ({
      at: Date.parse(p.at),
      sent: p.sent,
      delivered: p.delivered,
      undelivered: p.undelivered,
      failed: p.failed,
    }))
    .filter((p) => Number.isFinite(p.at));
}

/** A curve needs two points; before that the chart says what it will show. */
export function canChart(points: readonly Sample[]): boolean {
  return points.length >= 2;
}

/** The points as uPlot's columns: times in seconds, then sent, delivered, undelivered, failed. */
export function chartColumns(points: readonly Sample[]): [number[], number[], number[], number[], number[]] {
  return [
    points.map((p) => p.at / 1000),
    points.map((p) => p.sent),
    points.map((p) => p.delivered),
    points.map((p) => p.undelivered),
    points.map((p) => p.failed),
  ];
}

const clock = new Map<string, Intl.DateTimeFormat>();

/**
 * A time on the chart's axis, in the user's zone: "2:05 PM", or "2:05:30 PM" when the curve
 * spans less than five minutes (so its ticks are not all the same minute).
 */
export function timeTick(seconds: number, spanSeconds: number, options: { locale?: string; timeZone?: string } = {}): string {
  const withSeconds = spanSeconds < 300;
  const key = `${options.locale ?? ""}|${options.timeZone ?? ""}|${String(withSeconds)}`;
  let format = clock.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(options.locale, {
      hour: "numeric",
      minute: "2-digit",
      second: withSeconds ? "2-digit" : undefined,
      timeZone: options.timeZone,
    });
    clock.set(key, format);
  }
  return format.format(new Date(seconds * 1000));
}

/**
 * The width in CSS pixels the count axis needs for its longest label ("250,000"), with the
 * tick and the gap beside it: a fixed width cut the first digits off large campaigns'.
 * Digits and separators of the 12 px axis font are at most 7.5 px wide.
 */
export function countAxisWidth(labels: readonly string[] | null | undefined): number {
  const longest = Math.max(0, ...(labels ?? []).map((l) => l.length));
  return Math.max(40, Math.ceil(18 + 7.5 * longest));
}

/** Steps between the count axis's ticks: whole messages only, 1-2-5 up to millions. */
export const COUNT_STEPS: number[] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000].flatMap((p) => [p, 2 * p, 5 * p]);
