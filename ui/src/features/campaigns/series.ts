// The "Statuses over time" chart's data.
//
// LIMITATION: the backend has no time-series command yet, and rebuilding one in the window from
// the messages (sorted by updated_at) would mean reading every row of a 250,000-message
// campaign. So the page samples the campaign's counts each time it refreshes (on every
// CampaignsChanged the backend sends while the campaign moves, and when it loads) and keeps
// them in memory: the chart starts when the page is opened and is gone when it is left. A
// campaign that finished before the page was opened has no curve to show.
import type { MessageCounts } from "../../api";

export interface Sample {
  /** When the counts were read, in ms since the epoch. */
  at: number;
  delivered: number;
  undelivered: number;
  failed: number;
}

export interface StatusSeries {
  /** The first sample of each minute, oldest first. */
  minutes: readonly Sample[];
  /** The newest sample, so the curve always reaches now. */
  latest: Sample | null;
}

export const EMPTY_SERIES: StatusSeries = { minutes: [], latest: null };

/** A day of minutes: an open page never keeps more. */
export const MAX_MINUTES = 24 * 60;

const MINUTE_MS = 60_000;

export function sampleOf(counts: Pick<MessageCounts, "delivered" | "undelivered" | "failed">, at: number): Sample {
  return { at, delivered: counts.delivered, undelivered: counts.undelivered, failed: counts.failed };
}

/** The series with one more reading: a new minute gets its own point, and it becomes the latest. */
export function addSample(series: StatusSeries, sample: Sample, maxMinutes = MAX_MINUTES): StatusSeries {
  const last = series.minutes.at(-1);
  if (last && sample.at < last.at) return series;
  const newMinute = !last || Math.floor(sample.at / MINUTE_MS) !== Math.floor(last.at / MINUTE_MS);
  const minutes = newMinute ? [...series.minutes, sample].slice(-Math.max(maxMinutes, 1)) : series.minutes;
  return { minutes, latest: sample };
}

/** The points to draw: a point per minute, then the latest reading. */
export function seriesPoints(series: StatusSeries): Sample[] {
  const last = series.minutes.at(-1);
  if (series.latest && series.latest !== last) return [...series.minutes, series.latest];
  return [...series.minutes];
}

/** A curve needs two points; before that the chart says it is still collecting. */
export function canChart(series: StatusSeries): boolean {
  return seriesPoints(series).length >= 2;
}

/** The points as uPlot's columns: times in seconds, then delivered, undelivered and failed. */
export function chartColumns(points: readonly Sample[]): [number[], number[], number[], number[]] {
  return [
    points.map((p) => p.at / 1000),
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
