// End-to-end, keyboard only: a campaign is created from the demo iMIS query, scheduled and
// paused with key presses alone (Tab, arrows, Enter, Space, Escape) sent to whatever has
// focus, as a person without a mouse works. Focus is asserted at each step, and is never
// left on the page itself after an action.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { assertAccessible, violations } from "./axe-run.mjs";
import { launch } from "./webdriver.mjs";

const KEY = { tab: "\uE004", enter: "\uE007", escape: "\uE00C", space: " ", shift: "\uE008", down: "\uE015", right: "\uE014" };

/** Presses keys on whatever has focus (WebDriver key actions, no element targeted). */
async function press(s, ...keys) {
  const actions = [];
  for (const k of keys) actions.push({ type: "keyDown", value: k }, { type: "keyUp", value: k });
  await s.cmd("POST", "/actions", { actions: [{ type: "key", id: "keyboard", actions }] });
}

/** Types text, a key press per character, into whatever has focus. */
async function typeText(s, text) {
  await press(s, ...[...text]);
}

/** What has focus, described for assertions and failure messages. */
async function focused(s) {
  return s.exec(`
    const a = document.activeElement;
    if (!a || a === document.body) return { body: true };
    return {
      tag: a.tagName.toLowerCase(),
      id: a.id || null,
      testid: a.getAttribute("data-testid"),
      role: a.getAttribute("role"),
      path: a.getAttribute("data-path"),
      text: (a.getAttribute("aria-label") || a.textContent || a.value || "").trim().replace(/\\s+/g, " ").slice(0, 80),
    };`);
}

/** Presses Tab until `match` holds for the focused element (it must be reachable by Tab). */
async function tabTo(s, what, match, most = 40) {
  const seen = [];
  for (let i = 0; i < most; i++) {
    await press(s, KEY.tab);
    const f = await focused(s);
    assert.ok(!f.body, `Tab left focus on the page itself while looking for ${what}`);
    if (match(f)) return f;
    seen.push(f.testid ?? f.id ?? f.text);
  }
  assert.fail(`${what} is not reachable with Tab; focus went through: ${seen.join(" → ")}`);
}

async function waitFocus(s, what, match, timeout = 15000) {
  await s.waitUntil(`focus on ${what}`, async () => match(await focused(s)), timeout);
}

describe("Keyboard only: create, schedule and pause a campaign", () => {
  let app;

  before(async () => {
    app = await launch();
  });

  after(async () => {
    await app?.stop();
  });

  test("the whole journey with key presses alone", async () => {
    const s = app.session;
    await s.waitFor('[data-testid="campaigns-empty"]');

    // The first Tab stop skips to the content.
    await press(s, KEY.tab);
    assert.equal((await focused(s)).testid, "skip-link");
    // (The focus states in README's Accessibility section are these screenshots.)
    await s.screenshot("focus-1-skip-link");
    await press(s, KEY.enter);
    await waitFocus(s, "the list's heading", (f) => f.tag === "h1" && f.text === "Campaigns");

    // The sidebar's New campaign link opens the wizard on its first field.
    await tabTo(s, "New campaign in the sidebar", (f) => f.testid === "nav-new-campaign");
    await press(s, KEY.enter);
    await waitFocus(s, "the campaign's name", (f) => f.testid === "wizard-name");
    await typeText(s, "Keyboard dues");
    await press(s, KEY.enter); // submits the step
    await s.waitFor('[data-testid="query-browser"]');
    await waitFocus(s, "the audience step's first field", (f) => !f.body && f.tag !== "h1");

    // The demo iMIS query, found with the arrow keys in the query browser.
    await tabTo(s, "the query browser", (f) => f.role === "option");
    const openEntry = async (entryPath) => {
      await s.waitFor(`[data-testid="query-entry"][data-path="${entryPath}"]`);
      await waitFocus(s, "an entry of the query browser", (f) => f.role === "option");
      for (let i = 0; i < 30 && (await focused(s)).path !== entryPath; i++) await press(s, KEY.down);
      assert.equal((await focused(s)).path, entryPath, "found with the arrow keys");
    };
    await openEntry("$/Herald Demo");
    await s.screenshot("focus-2-query-browser");
    await press(s, KEY.enter);
    await openEntry("$/Herald Demo/Members by type");
    await press(s, KEY.enter);
    await s.waitFor('[data-testid="query-param-MemberType"]');
    await tabTo(s, "Run query", (f) => f.testid === "query-run");
    await press(s, KEY.enter);
    await s.waitFor('[data-testid="query-fetch-info"]', { predicate: async (e) => /fetched/i.test(await e.text()), timeout: 30000 });
    assert.ok(!(await focused(s)).body, "focus stays on something after Run query");

    // Next, by keyboard, to the message.
    await tabTo(s, "Next", (f) => f.testid === "wizard-next");
    await press(s, KEY.enter);
    await waitFocus(s, "the message editor", (f) => f.testid === "message-template");
    await typeText(s, "Hi, your dues are due on Friday.");
    await s.waitFor('[data-testid="message-preview"]', { predicate: async (e) => /dues are due/.test(await e.text()) });
    await s.screenshot("focus-3-message-editor");
    for (const step of ["iMIS contact data", "Schedule", "Summary"]) {
      await tabTo(s, `Next: ${step}`, (f) => f.testid === "wizard-next");
      await press(s, KEY.enter);
      await s.waitUntil(`the ${step} step`, async () => !(await focused(s)).body && (await focused(s)).testid !== "wizard-next");
    }

    // Scheduled from the Summary: the campaign opens with focus on its heading.
    await s.waitFor('[data-testid="summary-schedule"]', { predicate: async (e) => (await e.prop("disabled")) === false, timeout: 30000 });
    await tabTo(s, "Save and schedule", (f) => f.testid === "summary-schedule");
    await press(s, KEY.enter);
    await s.waitFor('[data-testid="page-campaign"]');
    await waitFocus(s, "the campaign's heading", (f) => f.tag === "h1" && f.text === "Keyboard dues");

    // Paused from its dashboard.
    await tabTo(s, "Pause", (f) => f.testid === "action-pause");
    await s.screenshot("focus-4-pause-button");
    await press(s, KEY.enter);
    await s.waitFor('[data-testid="detail-status"]', { predicate: async (e) => /paused/i.test(await e.text()), timeout: 20000 });
    // Pause gave way to Resume: focus went to the campaign's heading, not to the window.
    await waitFocus(s, "the campaign's heading after Pause", (f) => f.tag === "h1" && f.text === "Keyboard dues");
    await s.screenshot("50-keyboard-paused");
    await assertAccessible(s, "a paused campaign", await violations(s));
  });
});
