import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { checkSchedule, parseLocalInput, toLocalInput } from "./schedule";

// datetime-local values are local times: pin the zone so the UTC side is known.
beforeAll(() => {
  vi.stubEnv("TZ", "America/New_York");
});
afterAll(() => {
  vi.unstubAllEnvs();
});

describe("local ↔ UTC", () => {
  it("reads a datetime-local value in the local zone", () => {
    expect(parseLocalInput("2025-03-12T09:05")?.toISOString()).toBe("2025-03-12T13:05:00.000Z");
    expect(parseLocalInput("2025-01-15T09:05")?.toISOString()).toBe("2025-01-15T14:05:00.000Z");
    expect(parseLocalInput("2025-03-12T09:05:30")?.toISOString()).toBe("2025-03-12T13:05:30.000Z");
  });

  it("writes an instant back as the local wall clock", () => {
    expect(toLocalInput(new Date("2025-07-04T16:30:00Z"))).toBe("2025-07-04T12:30");
    const value = "2025-11-02T23:45";
    const parsed = parseLocalInput(value);
    expect(parsed && toLocalInput(parsed)).toBe(value);
  });

  it("refuses incomplete values and wall-clock times that do not exist", () => {
    expect(parseLocalInput("")).toBeNull();
    expect(parseLocalInput("2025-03-12")).toBeNull();
    expect(parseLocalInput("2025-02-30T10:00")).toBeNull();
    // Clocks jump from 02:00 to 03:00 on 9 March 2025 in New York.
    expect(parseLocalInput("2025-03-09T02:30")).toBeNull();
  });
});

describe("checkSchedule", () => {
  const now = new Date("2025-03-12T13:00:00Z"); // 09:00 in New York

  it("sends null for now and the UTC instant for later", () => {
    expect(checkSchedule({ kind: "now", local: "2020-01-01T00:00" }, now)).toEqual({ ok: true, at: null });
    expect(checkSchedule({ kind: "later", local: "2025-03-12T09:30" }, now)).toEqual({
      ok: true,
      at: "2025-03-12T13:30:00.000Z",
    });
  });

  it("refuses past times, an empty value and impossible ones", () => {
    const past = checkSchedule({ kind: "later", local: "2025-03-12T08:59" }, now);
    expect(past).toEqual({ ok: false, error: "That time has already passed. Choose a later time, or Send now." });
    expect(checkSchedule({ kind: "later", local: "2025-03-12T09:00" }, now).ok).toBe(false);
    expect(checkSchedule({ kind: "later", local: "" }, now).ok).toBe(false);
    expect(checkSchedule({ kind: "later", local: "2025-03-09T02:30" }, now).ok).toBe(false);
  });
});
