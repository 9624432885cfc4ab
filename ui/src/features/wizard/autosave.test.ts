import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AUTOSAVE_DELAY_MS, SaveQueue } from "./autosave.svelte";

/** A save the test finishes by hand. */
function heldSave() {
  const finish: ((ok: boolean) => void)[] = [];
  const save = vi.fn(() => new Promise<boolean>((resolve) => finish.push(resolve)));
  return { finish, save };
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe("SaveQueue", () => {
  it("saves about a second after typing stops, once for a burst of keystrokes", async () => {
    const save = vi.fn(() => Promise.resolve(true));
    const queue = new SaveQueue(save);
    expect(AUTOSAVE_DELAY_MS).toBe(1000);
    queue.schedule();
    await vi.advanceTimersByTimeAsync(600);
    queue.schedule();
    await vi.advanceTimersByTimeAsync(600);
    queue.schedule();
    expect(queue.pending).toBe(true);
    await vi.advanceTimersByTimeAsync(999);
    expect(save).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(save).toHaveBeenCalledTimes(1);
    expect(queue.pending).toBe(false);
    expect(queue.running).toBe(0);
  });

  it("saves at once on flush, dropping the wait, and says whether it worked", async () => {
    const save = vi.fn(() => Promise.resolve(false));
    const queue = new SaveQueue(save);
    queue.schedule();
    expect(await queue.flush()).toBe(false);
    await vi.advanceTimersByTimeAsync(AUTOSAVE_DELAY_MS * 2);
    expect(save).toHaveBeenCalledTimes(1);
  });

  it("runs one save at a time, and lets a leaver wait for the one under way", async () => {
    const { finish, save } = heldSave();
    const queue = new SaveQueue(save);
    const first = queue.flush();
    const second = queue.run(() => Promise.resolve("the Next button's save"));
    await vi.advanceTimersByTimeAsync(0);
    expect(save).toHaveBeenCalledTimes(1);
    expect(queue.running).toBe(2);

    let idle = false;
    void queue.idle().then(() => (idle = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(idle).toBe(false);

    finish[0]?.(true);
    expect(await first).toBe(true);
    expect(await second).toBe("the Next button's save");
    await vi.advanceTimersByTimeAsync(0);
    expect(idle).toBe(true);
    expect(queue.running).toBe(0);
  });

  it("keeps going after a save that throws", async () => {
    const queue = new SaveQueue(() => Promise.reject(new Error("offline")));
    await expect(queue.flush()).rejects.toThrow("offline");
    expect(await queue.run(() => Promise.resolve(1))).toBe(1);
    expect(queue.running).toBe(0);
  });
});
