import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { guardLeaving, router, startRouter } from "./router.svelte";
import type { Route } from "./routes";

/** Changes the hash as a link would, and waits for the router to hear of it. */
function go(hash: string) {
  window.location.hash = hash;
  window.dispatchEvent(new HashChangeEvent("hashchange"));
}

/** A guard whose answer the test gives, with the routes it was asked about. */
function heldGuard() {
  const asked: Route[] = [];
  const answers: ((ok: boolean) => void)[] = [];
  const check = (to: Route) => {
    asked.push(to);
    return new Promise<boolean>((resolve) => answers.push(resolve));
  };
  return { asked, answers, check };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

let stop: () => void = () => undefined;
let release: () => void = () => undefined;

beforeEach(() => {
  window.location.hash = "#/campaigns/7/edit";
  stop = startRouter();
});

afterEach(() => {
  release();
  stop();
  window.location.hash = "";
});

describe("router", () => {
  it("follows the hash when no page holds it back", () => {
    go("#/settings");
    expect(router.route).toEqual({ page: "settings" });
  });

  it("keeps the page, and its URL, until its guard says it may be left", async () => {
    const guard = heldGuard();
    release = guardLeaving(guard.check);
    go("#/campaigns");
    expect(guard.asked).toEqual([{ page: "campaigns" }]);
    expect(router.route).toEqual({ page: "edit", id: 7 });
    expect(window.location.hash).toBe("#/campaigns/7/edit");

    guard.answers[0]?.(true);
    await flush();
    expect(router.route).toEqual({ page: "campaigns" });
    expect(window.location.hash).toBe("#/campaigns");
  });

  it("stays for good when the guard says no", async () => {
    const guard = heldGuard();
    release = guardLeaving(guard.check);
    go("#/settings");
    guard.answers[0]?.(false);
    await flush();
    expect(router.route).toEqual({ page: "edit", id: 7 });
    expect(window.location.hash).toBe("#/campaigns/7/edit");
  });

  it("goes where it was last asked to, and not at all once the guard is released", async () => {
    const guard = heldGuard();
    release = guardLeaving(guard.check);
    go("#/settings");
    go("#/campaigns/9/edit");
    guard.answers[1]?.(true);
    guard.answers[0]?.(true);
    await flush();
    expect(router.route).toEqual({ page: "edit", id: 9 });

    release();
    go("#/new");
    expect(router.route).toEqual({ page: "new" });
    expect(guard.asked).toHaveLength(2);
  });
});
