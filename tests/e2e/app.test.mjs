// End-to-end: the real Herald binary in a real window (under Xvfb), driven over WebDriver.
// Run by `make test` (see the Makefile's e2e target); each test leaves a screenshot in
// artifacts/e2e/.

import { execFileSync } from "node:child_process";
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { launch, repoRoot } from "./webdriver.mjs";

const cli = process.env.HERALD_CLI ?? path.join(repoRoot, "target", "debug", "herald-cli");

/** herald-cli against the same data folder as the app under test. */
function heraldCli(dataDir, ...args) {
  const out = execFileSync(cli, ["--data-dir", dataDir, ...args], { encoding: "utf8" });
  return JSON.parse(out);
}

describe("Herald desktop app", () => {
  let app;

  before(async () => {
    app = await launch();
  });

  after(async () => {
    await app?.stop();
  });

  test("opens on the campaign list, empty on a fresh data folder", async () => {
    const s = app.session;
    await s.waitFor('[data-testid="page-campaigns"]');
    const title = await s.cmd("GET", "/title");
    assert.equal(title, "Herald");
    await s.waitFor('[data-testid="campaigns-empty"]');
    await s.waitFor('[data-testid="demo-banner"]');
    await s.screenshot("01-campaign-list-empty");
  });

  test("Settings opens, refuses a bad rate with a clear message, and saves a good one", async () => {
    const s = app.session;
    await (await s.find('[data-testid="nav-settings"]')).click();
    await s.waitFor('[data-testid="page-settings"]');
    const rate = await s.waitFor('[data-testid="setting-twilio.rate_per_second"]');
    await rate.scrollIntoView();
    await rate.clear();
    await rate.type("abc\uE007");
    const error = await s.waitFor('[data-testid="field-error"]', {
      predicate: async (e) => (await e.text()).includes("expected a number"),
    });
    assert.match(await error.text(), /segments per second/);
    await s.screenshot("02-settings-invalid-rate");
    assert.equal(heraldCli(app.dataDir, "settings", "get", "twilio.rate_per_second"), 1, "nothing was saved");

    await rate.clear();
    await rate.type("5\uE007");
    await s.waitUntil("the rate is saved", async () => {
      return heraldCli(app.dataDir, "settings", "get", "twilio.rate_per_second") === 5;
    });
    await s.screenshot("03-settings-saved");
  });

  test("a new campaign is saved as a draft and listed", async () => {
    const s = app.session;
    await (await s.find('[data-testid="nav-new-campaign"]')).click();
    await s.waitFor('[data-testid="page-wizard"]');
    const name = await s.find('[data-testid="wizard-name"]');
    await name.type("Spring renewals — café ☕");
    await (await s.find('[data-testid="wizard-save"]')).click();
    await s.waitUntil("the draft exists", async () => {
      return heraldCli(app.dataDir, "campaign", "list").some((c) => c.name === "Spring renewals — café ☕");
    });
    await s.screenshot("04-wizard-step1-saved");

    // A second draft with the same name is refused, under the field.
    await (await s.find('[data-testid="nav-new-campaign"]')).click();
    await s.waitFor('[data-testid="page-wizard"]');
    const again = await s.waitFor('[data-testid="wizard-name"]', {
      predicate: async (e) => (await e.prop("value")) === "",
    });
    await again.type("Spring renewals — café ☕");
    await (await s.find('[data-testid="wizard-save"]')).click();
    const err = await s.waitFor('[data-testid="field-error"]');
    assert.match(await err.text(), /already exists/);
    assert.equal(heraldCli(app.dataDir, "campaign", "list").length, 1);

    await (await s.find('[data-testid="nav-campaigns"]')).click();
    await s.waitFor('[data-testid="campaign-table"]');
    const rows = await s.findAll('[data-testid="campaign-row"]');
    assert.equal(rows.length, 1);
    assert.match(await rows[0].text(), /Spring renewals — café ☕/);
    await s.screenshot("05-campaign-list-one-draft");
  });
});
