import { describe, expect, it } from "vitest";
import { canChart, chartColumns, COUNT_STEPS, countAxisWidth, samplesOf, timeTick } from "./series";

const T0 = Date.parse("2026-03-12T14:00:00Z");
const point = (seconds: number, sent: number, delivered: number, undelivered = 0, failed = 0) => ({
  at: new Date(T0 + seconds * 1000).toISOString(),
  sent,
  delivered,
  undelivered,
  failed,
});

describe("the statuses-over-time series", () => {
  it("reads the backend's points as times in ms, and needs two for a curve", () => {
    expect(canChart(samplesOf([]))).toBe(false);
    const one = samplesOf([point(0, 0, 0)]);
    expect(one).toEqual([{ at: T0, sent: 0, delivered: 0, undelivered: 0, failed: 0 }]);
    expect(canChart(one)).toBe(false);
    expect(canChart(samplesOf([point(0, 0, 0), point(60, 10, 4, 1, 1)]))).toBe(true);
  });

  it("drops a point whose time cannot be read", () => {
    expect(samplesOf([{ ...point(0, 1, 1), at: "yesterday" }, point(60, 2, 2)])).toHaveLength(1);
  });

  it("gives uPlot its columns: seconds, then sent, delivered, undelivered and failed", () => {
    expect(chartColumns(samplesOf([point(0, 9, 1, 2, 3), point(60, 19, 4, 5, 6)]))).toEqual([
      [T0 / 1000, T0 / 1000 + 60],
      [9, 19],
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

describe("countAxisWidth", () => {
  it("makes room for the longest label, so large counts keep their first digits", () => {
    expect(countAxisWidth(["0", "5", "10"])).toBe(40);
    expect(countAxisWidth(["0", "100,000", "200,000"])).toBeGreaterThanOrEqual(7 * 7.5 + 12);
    expect(countAxisWidth(["1,000,000"])).toBeGreaterThan(countAxisWidth(["200,000"]));
    expect(countAxisWidth(null)).toBe(40);
  });
});

describe("COUNT_STEPS", () => {
  it("steps the count axis by whole messages, 1-2-5, up to millions", () => {
    expect(COUNT_STEPS.slice(0, 7)).toEqual([1, 2, 5, 10, 20, 50, 100]);
    expect(COUNT_STEPS.every((s) => Number.isInteger(s))).toBe(true);
    expect(COUNT_STEPS.at(-1)).toBe(5_000_000);
  });
});
