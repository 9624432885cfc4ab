// End-to-end accessibility: axe-core (pinned in tests/e2e/axe, never in the app's bundle)
// is injected into the real window through WebDriver and run against WCAG 2.2 AA on each
// screen and state this suite reaches. Any violation fails with its rule, the elements and
// how to fix them.

import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { artifacts, launch, repoRoot } from "./webdriver.mjs";

const AXE_SOURCE = readFileSync(path.join(repoRoot, "tests/e2e/axe/node_modules/axe-core/axe.min.js"), "utf8");
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

/** axe's violations on the screen as it is now, each with up to five elements. */
async function violations(s) {
  // Injected once per page load; the app is one page, so once per launch.
  await s.exec(`if (!window.axe) { ${AXE_SOURCE}\n }; return typeof window.axe;`);
  const json = await s.execAsync(
    `const done = arguments[arguments.length - 1];
     // Colours are judged at rest: transitions and entrance animations finish first
     // (a dialog fading in is not low contrast); endless ones (spinners) are not awaited.
     const settling = document.getAnimations().filter((a) => a.effect?.getTiming().iterations !== Infinity);
     Promise.all(settling.map((a) => a.finished.catch(() => undefined)))
       .then(() => window.axe.run(document, { runOnly: { type: "tag", values: arguments[0] }, resultTypes: ["violations"] })
       .then((r) => done(JSON.stringify(r.violations.map((v) => ({
         rule: v.id,
         impact: v.impact,
         help: v.help,
         url: v.helpUrl,
         nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target.join(" "), fix: n.failureSummary })),
       }))))))
       .catch((e) => done(JSON.stringify({ error: String(e) })));`,
    [TAGS],
  );
  const parsed = JSON.parse(json);
  if (!Array.isArray(parsed)) throw new Error(`axe did not run: ${parsed.error}`);
  return parsed;
}

/** Fails with every violation in words: the rule, why, where and how to fix it. */
async function assertAccessible(s, screen, list) {
  if (list.length === 0) return;
  await s.screenshot(`a11y-${screen.replace(/\W+/g, "-")}`);
  const words = list
    .map(
      (v) =>
        `- ${v.rule} (${v.impact}): ${v.help} ${v.url}\n` +
        v.nodes.map((n) => `    at ${n.target}\n      ${n.fix.replace(/\n/g, "\n      ")}`).join("\n"),
    )
    .join("\n");
  assert.fail(`${screen}: ${list.length} WCAG 2.2 AA violation(s) found by axe\n${words}`);
}

const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

for (const theme of ["light", "dark"]) {
  describe(`Accessibility (axe, WCAG 2.2 AA) in the real window, ${theme} theme`, () => {
    let app;
    const report = [];

    before(async () => {
      // WebKitGTK takes prefers-color-scheme from the GTK theme.
      app = await launch({ env: theme === "dark" ? { GTK_THEME: "Adwaita:dark" } : {} });
    });

    after(async () => {
      writeFileSync(path.join(artifacts, `a11y-${theme}.json`), JSON.stringify(report, null, 2));
      await app?.stop();
    });

    /** Checks one screen; every result also goes to artifacts/e2e/a11y-<theme>.json. */
    async function check(screen) {
      const found = await violations(app.session);
      report.push({ screen, violations: found });
      await assertAccessible(app.session, `${screen} (${theme})`, found);
    }

    test("the window is in the theme under test", async () => {
      const s = app.session;
      await s.waitFor('[data-testid="page-campaigns"]');
      const dark = await s.exec("return matchMedia('(prefers-color-scheme: dark)').matches;");
      assert.equal(dark, theme === "dark");
    });

    test("the campaign list, empty", async () => {
      await app.session.waitFor('[data-testid="campaigns-empty"]');
      await check("campaign list, empty");
    });

    test("Settings, with a validation error shown", async () => {
      const s = app.session;
      await (await s.find('[data-testid="nav-settings"]')).click();
      await s.waitFor('[data-testid="page-settings"]');
      await check("settings");
      const rate = await s.waitFor('[data-testid="setting-twilio.rate_per_second"]');
      await rate.scrollIntoView();
      await rate.clear();
      await rate.type("abc\uE007");
      await s.waitFor('[data-testid="field-error"]');
      await check("settings, with an error");
      await rate.clear();
      await rate.type("5\uE007");
    });

    test("every wizard step, errors and the summary included", async () => {
      const s = app.session;
      await (await s.find('[data-testid="nav-new-campaign"]')).click();
      await s.waitFor('[data-testid="wizard-name"]');
      await check("wizard: name");
      await (await s.find('[data-testid="wizard-next"]')).click();
      await s.waitFor('[data-testid="field-error"]');
      await check("wizard: name, with an error");
      await (await s.find('[data-testid="wizard-name"]')).type("Accessible dues");
      await (await s.find('[data-testid="wizard-next"]')).click();

      await s.waitFor('[data-testid="audience-source-csv"]');
      await check("wizard: audience, the iMIS query browser");
      await (await s.find('[data-testid="audience-source-csv"]')).click();
      const file = await s.waitFor('[data-testid="audience-file"]');
      await file.type(path.join(repoRoot, "tests", "e2e", "fixtures", "members.csv"));
      await s.waitFor('[data-testid="audience-count"]', { predicate: async (e) => /\b8\b/.test(await e.text()) });
      await check("wizard: audience from a CSV file");
      await (await s.find('[data-testid="wizard-next"]')).click();

      const editor = await s.waitFor('[data-testid="message-template"]');
      await s.exec(
        "const t = arguments[0]; t.value = arguments[1]; t.dispatchEvent(new Event('input', { bubbles: true }));",
        [{ [ELEMENT]: editor.id }, "Hi ${FirstName}, your dues are due on Friday."],
      );
      await s.waitFor('[data-testid="message-preview"]', { predicate: async (e) => /dues are due/.test(await e.text()) });
      await check("wizard: message");
      await (await s.find('[data-testid="wizard-next"]')).click();
      await s.waitFor('[data-testid^="write-back"]');
      await check("wizard: iMIS contact data");
      await (await s.find('[data-testid="wizard-next"]')).click();
      await s.waitFor('[data-testid="schedule-now"]');
      await check("wizard: schedule");
      await (await s.find('[data-testid="wizard-next"]')).click();
      await s.waitFor('[data-testid="summary"]');
      await s.waitFor('[data-testid="summary-schedule"]', { predicate: async (e) => (await e.prop("disabled")) === false });
      await check("wizard: summary");
    });

    test("the dashboard of a TEST campaign, sending and then completed, with its grid filtered", async () => {
      const s = app.session;
      await (await s.find('[data-testid="summary-schedule"]')).click();
      await s.waitFor('[data-testid="page-campaign"]');
      await s.waitFor('[data-testid="grid-row"]', { timeout: 30000 });
      await check("dashboard");
      await s.waitFor('[data-testid="detail-status"]', {
        timeout: 60000,
        predicate: async (e) => /completed/i.test(await e.text()),
      });
      await s.waitFor('[data-testid="grid-row"]');
      await check("dashboard, completed");
      // The grid by keyboard: down one row, Enter opens the message's details.
      const grid = await s.find('[data-testid="grid-table"]');
      await grid.type("\uE015\uE007"); // ArrowDown, Enter
      await s.waitFor('[data-testid="message-details"]');
      await check("a message's details dialog");
      await (await s.find('[data-testid="message-details-dialog"] button')).type("\uE00C"); // Escape
      await s.waitUntil("the details dialog closes", async () => (await s.findAll('[data-testid="message-details"]')).length === 0);
      await (await s.find('[data-testid="open-report"]')).click();
      await s.waitFor('[data-testid="report-view"]');
      await check("the campaign's report");
      await (await s.find('[data-testid="report-back"]')).click();
      await s.waitFor('[data-testid="grid-row"]');
      const search = await s.waitFor('[data-testid="grid-search"]');
      await search.type("zz-nobody");
      await s.waitFor('[data-testid="grid-empty"]', { timeout: 10000 });
      await check("dashboard, grid filtered to nothing");
    });

    test("the campaign list with a campaign", async () => {
      const s = app.session;
      await (await s.find('[data-testid="nav-campaigns"]')).click();
      await s.waitFor('[data-testid="campaign-row"]');
      await check("campaign list");
    });

    test("Replies and opt-outs: each tab, and the add dialog", async () => {
      const s = app.session;
      await (await s.find('[data-testid="nav-replies"]')).click();
      await s.waitFor('[data-testid="page-replies"]');
      await check("replies");
      await (await s.find('#replies-tab-tab-optouts')).click();
      await s.waitFor('[data-testid="optouts-add"]');
      await check("opt-out list");
      await (await s.find('#replies-tab-tab-history')).click();
      await s.waitFor('[data-testid="history-empty"], [data-testid="history-table"]');
      await check("changes to the opt-out list");
      await (await s.find('#replies-tab-tab-optouts')).click();
      await (await s.waitFor('[data-testid="optouts-add"]')).click();
      await s.waitFor('[data-testid="optout-number"]');
      await (await s.find('[data-testid="optout-add-confirm"]')).click();
      await s.waitFor('[data-testid="field-error"]');
      await check("add-a-number dialog, with an error");
    });
  });
}

describe("System preferences in the real window: animations off, high contrast", () => {
  // WebKitGTK takes prefers-reduced-motion from gtk-enable-animations and prefers-contrast
  // from the HighContrast theme.
  let app;

  before(async () => {
    // GTK's own settings, as a person sets them: animations off, the HighContrast theme.
    const config = mkdtempSync(path.join(tmpdir(), "herald-gtk-"));
    mkdirSync(path.join(config, "gtk-3.0"));
    writeFileSync(path.join(config, "gtk-3.0", "settings.ini"), "[Settings]\ngtk-enable-animations=0\n");
    app = await launch({ env: { XDG_CONFIG_HOME: config, GTK_THEME: "HighContrast" } });
  });

  after(async () => {
    await app?.stop();
  });

  test("the window follows them, and stays accessible", async () => {
    const s = app.session;
    await s.waitFor('[data-testid="page-campaigns"]');
    const media = await s.exec(
      `return { motion: matchMedia("(prefers-reduced-motion: reduce)").matches,
                contrast: matchMedia("(prefers-contrast: more)").matches };`,
    );
    assert.deepEqual(media, { motion: true, contrast: true }, "GTK's settings reach the page as media features");
    // More contrast: secondary text is nearly as dark as body text.
    const muted = await s.exec(`return getComputedStyle(document.documentElement).getPropertyValue("--text-muted").trim();`);
    assert.equal(muted, "#30364a");
    // Nothing moves: a transition or animation lasts 1 ms at most.
    const longest = await s.exec(
      `let most = 0;
       for (const el of document.querySelectorAll("*")) {
         const cs = getComputedStyle(el);
         for (const d of [cs.transitionDuration, cs.animationDuration].join(",").split(",")) {
           most = Math.max(most, parseFloat(d) * (d.trim().endsWith("ms") ? 1 : 1000) || 0);
         }
       }
       return most;`,
    );
    assert.ok(longest <= 1, `the longest transition or animation lasts ${longest} ms`);
    assert.deepEqual(await violations(s), []);
  });
});
