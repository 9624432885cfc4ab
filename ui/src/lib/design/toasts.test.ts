import { afterEach, describe, expect, it, vi } from "vitest";
import { dismissToast, showToast, toasts } from "./toasts.svelte";

afterEach(() => {
  for (const t of [...toasts]) dismissToast(t.id);
  vi.useRealTimers();
});

describe("toasts", () => {
  it("go away by themselves", () => {
    vi.useFakeTimers();
    showToast("Draft saved.");
    expect(toasts.map((t) => t.message)).toEqual(["Draft saved."]);
    vi.advanceTimersByTime(4001);
    expect(toasts).toHaveLength(0);
  });

  it("show the same note once, its time restarted", () => {
    vi.useFakeTimers();
    showToast("Scheduled to send now.");
    vi.advanceTimersByTime(3000);
    showToast("Draft saved.");
    showToast("Scheduled to send now.");
    expect(toasts.map((t) => t.message)).toEqual(["Draft saved.", "Scheduled to send now."]);
    vi.advanceTimersByTime(2000);
    expect(toasts.map((t) => t.message)).toEqual(["Draft saved.", "Scheduled to send now."]);
    vi.advanceTimersByTime(2001);
    expect(toasts.map((t) => t.message)).toEqual([]);
  });

  it("keep at most four", () => {
    for (const n of [1, 2, 3, 4, 5]) showToast(`Note ${String(n)}`);
    expect(toasts.map((t) => t.message)).toEqual(["Note 2", "Note 3", "Note 4", "Note 5"]);
  });
});
