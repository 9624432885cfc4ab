// End-to-end: the sending window in the real window. The summary says where the members
// are (time zones) and when the campaign finishes in local time; a campaign whose window
// is closed for everyone says what it waits for instead of looking stuck, and sends
// nothing until then.

import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { heraldCli, launch } from "./webdriver.mjs";

const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

describe("Sending window", () => {
  let app;

  before(async () => {
    app = await launch({ sendingWindow: true });
  });

  after(async () => {
    await app?.stop();
  });

  test("the summary shows the zones and a local finish; a closed window is waited for, not sent in", async () => {
    const s = app.session;
    const dir = app.dataDir;
    // Open only on the weekday three days from now (UTC): whatever the zone, today is
    // not that day anywhere, so the window is closed for every member now.
    const openDay = DAYS[(new Date().getUTCDay() + 3) % 7];
    heraldCli(dir, "settings", "set", "window.days", openDay);
    heraldCli(dir, "settings", "set", "window.fallback_zone", "America/Chicago");
    const csv = path.join(dir, "zones.csv");
    writeFileSync(
      csv,
      [
        "ID,FirstName,Mobile",
        "1,Nia,+1 212 555 0142",
        "2,Neil,+1 212 555 0143",
        "3,Lou,+1 213 555 0144",
        "4,Hana,+1 808 555 0145",
        "5,Liam,+44 7400 123456",
      ].join("\n") + "\n",
    );

    await (await s.waitFor('[data-testid="nav-new-campaign"]')).click();
    await (await s.waitFor('[data-testid="wizard-name"]')).type("Across the zones");
    await (await s.find('[data-testid="wizard-next"]')).click();
    await (await s.waitFor('[data-testid="audience-source-csv"]')).click();
    await (await s.waitFor('[data-testid="audience-file"]')).type(csv);
    await s.waitFor('[data-testid="audience-count"]', { predicate: async (e) => /\b5\b/.test(await e.text()) });
    await (await s.find('[data-testid="wizard-next"]')).click();
    const editor = await s.waitFor('[data-testid="message-template"]');
    await s.exec(
      "const t = arguments[0]; t.value = arguments[1]; t.dispatchEvent(new Event('input', { bubbles: true }));",
      [{ "element-6066-11e4-a52e-4f735466cecf": editor.id }, "Hi ${FirstName}, the annual meeting is on Friday."],
    );
    // As a person would, click Next once the step has shown its preview (the page grows
    // when it does, and a click during that lands where the button was).
    await s.waitFor('[data-testid="message-preview"]', { predicate: async (e) => /annual meeting/.test(await e.text()) });
    await (await s.find('[data-testid="wizard-next"]')).click(); // iMIS contact data
    await s.waitFor('[data-testid^="write-back"]');
    await (await s.find('[data-testid="wizard-next"]')).click(); // schedule
    await s.waitFor('[data-testid="schedule-now"]');
    const day = await s.waitFor(`[data-testid="window-day-${openDay}"]`);
    assert.equal(await day.prop("checked"), true, "the Settings' window is the campaign's default");
    await s.screenshot("40-window-schedule-step");
    await (await s.find('[data-testid="wizard-next"]')).click();

    const zones = await s.waitFor('[data-testid="summary-zones"]', {
      predicate: async (e) => (await e.text()).includes("America/New_York"),
      timeout: 30000,
    });
    const zoneText = await zones.text();
    for (const z of ["America/New_York", "America/Los_Angeles", "Pacific/Honolulu", "Europe/London"]) {
      assert.ok(zoneText.includes(z), `${z} is among the zones: ${zoneText}`);
    }
    // Table cells are read without separators: "America/New_York2America/Los_Angeles1…".
    assert.match(zoneText, /America\/New_York\D*2(?!\d)/, "two members in New York");
    const windowWords = await (await s.find('[data-testid="summary-window"]')).text();
    assert.match(windowWords, /9:00|09:00/, `the window in words: ${windowWords}`);
    const localZone = execFileSync("date", ["+%Z"], { encoding: "utf8" }).trim();
    const summaryText = await (await s.find('[data-testid="page-wizard"]')).text();
    assert.ok(summaryText.includes(localZone) || /UTC|GMT/.test(summaryText), `the finish names its zone (${localZone})`);
    await s.screenshot("41-window-summary");

    const schedule = await s.waitFor('[data-testid="summary-schedule"]', { predicate: async (e) => !(await e.prop("disabled")) });
    await schedule.scrollIntoView();
    await schedule.click();
    const created = heraldCli(dir, "campaign", "list").find((c) => c.name === "Across the zones");
    await s.waitUntil(
      "the campaign page opens",
      async () => (await s.exec("return window.location.hash;")) === `#/campaigns/${created.id}`,
      20000,
    );
    const waiting = await s.waitFor('[data-testid="window-waiting"]', {
      predicate: async (e) => /Waiting for 9:00 in /.test(await e.text()),
      timeout: 30000,
    });
    assert.match(await waiting.text(), /messages?\)/);
    await s.screenshot("42-window-waiting-dashboard");
    // Nothing leaves while every window is closed.
    await new Promise((r) => setTimeout(r, 3000));
    const shown = heraldCli(dir, "campaign", "show", String(created.id));
    assert.equal(shown.counts.preparing, 5, `nothing was sent: ${JSON.stringify(shown.counts)}`);
    const messages = heraldCli(dir, "campaign", "messages", String(created.id));
    assert.deepEqual(
      messages.map((m) => m.time_zone).sort(),
      [
        "America/Los_Angeles",
        "America/New_York",
        "America/New_York",
        "Europe/Guernsey&Europe/Isle_of_Man&Europe/Jersey&Europe/London",
        "Pacific/Honolulu",
      ],
      "each message carries its member's zone",
    );
    const events = heraldCli(dir, "campaign", "events", String(created.id)).map((e) => e.kind);
    assert.ok(events.includes("window_wait"), `the wait is in the event log: ${events.join(", ")}`);
  });
});
