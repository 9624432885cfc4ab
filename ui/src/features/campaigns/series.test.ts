import { describe, expect, it } from "vitest";
import { addSample, canChart, chartColumns, EMPTY_SERIES, sampleOf, seriesPoints, timeTick } from "./series";

const T0 = Date.parse("2026-03-12T14:00:00Z");
const at = (seconds: number, delivered: number, undelivered = 0, failed = 0) =>
  sampleOf({ delivered, undelivered, failed }, T0 + seconds * 1000);

describe("the statuses-over-time series", () => {
  it("needs two samples before there is a curve", () => {
    expect(canChart(EMPTY_SERIES)).toBe(false);
    const one = addSample(EMPTY_SERIES, at(0, 10));
    expect(canChart(one)).toBe(false);
    expect(seriesPoints(one)).toEqual([at(0, 10)]);
    const two = addSample(one, at(5, 20));
    expect(canChart(two)).toBe(true);
    expect(seriesPoints(two)).toEqual([at(0, 10), at(5, 20)]);
  });

  it("keeps a point per minute, and the latest sample so the curve reaches now", () => {
    let series = EMPTY_SERIES;
    for (const sample of [at(0, 1), at(20, 2), at(40, 3), at(61, 4), at(90, 5), at(130, 6), at(150, 7)]) {
      series = addSample(series, sample);
    }
    expect(seriesPoints(series).map((p) => p.delivered)).toEqual([1, 4, 6, 7]);
    expect(series.minutes).toHaveLength(3);
  });

  it("ignores a sample older than the last point, and keeps at most the cap of minutes", () => {
    const series = addSample(addSample(EMPTY_SERIES, at(120, 5)), at(60, 4));
    expect(seriesPoints(series)).toEqual([at(120, 5)]);
    let long = EMPTY_SERIES;
    for (let minute = 0; minute < 10; minute++) long = addSample(long, at(minute * 60, minute), 4);
    expect(long.minutes.map((p) => p.delivered)).toEqual([6, 7, 8, 9]);
  });

  it("gives uPlot its columns: seconds, then delivered, undelivered and failed", () => {
    expect(chartColumns([at(0, 1, 2, 3), at(60, 4, 5, 6)])).toEqual([
      [T0 / 1000, T0 / 1000 + 60],
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
  });

  it("labels the time axis in minutes, or seconds for a short curve", () => {
    const utc = { locale: "en-US", timeZone: "UTC" };
    expect(timeTick(T0 / 1000 + 330, 3600, utc)).toBe("2:05 PM");
    expect(timeTick(T0 / 1000 + 330, 120, utc)).toBe("2:05:30 PM");
  });
});
