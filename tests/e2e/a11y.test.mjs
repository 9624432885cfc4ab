// End-to-end accessibility: axe-core (pinned in tests/e2e/axe, never in the app's bundle)
// is injected into the real window through WebDriver and run against WCAG 2.2 AA on each
// screen and state this suite reaches. Any violation fails with its rule, the elements and
// how to fix them.

import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { assertAccessible, violations } from "./axe-run.mjs";
import { artifacts, demoCampaign, heraldCli, launch, repoRoot } from "./webdriver.mjs";

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
      // A stored secret, and the dialog that deletes it.
      const secret = await s.waitFor('[data-testid="secret-smtp.password"]');
      await secret.scrollIntoView();
      await s.exec(
        "const t = arguments[0]; t.value = arguments[1]; t.dispatchEvent(new Event('input', { bubbles: true }));",
        [{ [ELEMENT]: secret.id }, "a11y-secret"],
      );
      await (await s.find('[data-testid="secret-save-smtp.password"]')).click();
      await s.waitFor('[data-testid="secret-state-smtp.password"]', { predicate: async (e) => /stored/i.test(await e.text()) });
      await (await s.waitFor('[data-testid="secret-delete-smtp.password"]')).click();
      await s.waitFor('[data-testid="confirm-delete-secret"]');
      await check("delete-a-secret dialog");
      await (await s.find('[data-testid="confirm-delete-secret"] button')).type("\uE00C"); // Escape
      await s.waitUntil("the dialog closes", async () => (await s.findAll('[data-testid="secret-confirm-delete-smtp.password"]')).length === 0);
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

    test("the cancel, retry and delete-a-draft dialogs", async () => {
      const s = app.session;
      const cli = (...args) => heraldCli(app.dataDir, ...args);
      cli("settings", "set", "twilio.rate_per_second", "60");
      const make = (name, at) => demoCampaign(app.dataDir, { name, schedule: true, at });
      const tomorrow = make("Board meeting reminder", new Date(Date.now() + 86_400_000).toISOString());
      const now = make("Everyone — see you Friday", null);
      // A draft, deleted from the list's row menu: its confirmation.
      const draftFile = path.join(app.dataDir, "draft.json");
      writeFileSync(draftFile, JSON.stringify({ name: "Draft to delete", mode: "test", template: "Hi", write_back: "none" }));
      cli("campaign", "create", "--file", draftFile);
      await s.exec('window.location.hash = "#/campaigns";');
      await s.waitUntil("the draft is listed", async () =>
        s.exec(`return [...document.querySelectorAll('[data-testid="campaign-row"]')].some((r) => r.textContent.includes("Draft to delete"));`),
      );
      await s.exec(
        `[...document.querySelectorAll('[data-testid="campaign-row"]')].find((r) => r.textContent.includes("Draft to delete")).querySelector('[data-testid="campaign-actions"]').click();`,
      );
      await (await s.waitFor('[data-testid="action-delete"]')).click();
      await s.waitFor('[data-testid="confirm-delete"]');
      await check("delete-a-draft dialog");
      await (await s.find('[data-testid="confirm-delete"] button')).type("\uE00C"); // Escape
      await s.waitUntil("the delete dialog closes", async () => (await s.findAll('[data-testid="confirm-delete"]')).length === 0);
      await s.exec(`window.location.hash = "#/campaigns/${tomorrow}";`);
      await (await s.waitFor('[data-testid="action-cancel"]', { timeout: 20000 })).click();
      await s.waitFor('[data-testid="confirm-cancel-dialog"]');
      await check("cancel dialog");
      await (await s.find('[data-testid="confirm-cancel-dialog"] button')).type("\uE00C"); // Escape
      await s.waitUntil("the cancel dialog closes", async () => (await s.findAll('[data-testid="confirm-cancel"]')).length === 0);
      await s.waitUntil("the campaign sent now completes", async () => cli("campaign", "show", String(now)).status === "completed", 90000);
      await s.exec(`window.location.hash = "#/campaigns/${now}";`);
      await (await s.waitFor('[data-testid="action-retry"]', { timeout: 20000 })).click();
      await s.waitFor('[data-testid="confirm-retry-dialog"]');
      await check("retry dialog");
      await (await s.find('[data-testid="confirm-retry-dialog"] button')).type("\uE00C");
      await s.waitUntil("the retry dialog closes", async () => (await s.findAll('[data-testid="confirm-retry"]')).length === 0);
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
      // A number on the list, and the dialog that takes it off.
      await (await s.find('[data-testid="optout-number"]')).type("(303) 555-0100");
      await (await s.find('[data-testid="optout-add-confirm"]')).click();
      await s.waitUntil("the number is listed", async () => (await (await s.waitFor('[data-testid="optouts-table"]')).text()).includes("+13035550100"));
      await check("opt-out list with a number");
      await s.exec(`document.querySelector('[data-testid="optouts-table"] td.actions button').click();`);
      await s.waitFor('[data-testid="optouts-remove-dialog"]');
      await check("remove-a-number dialog");
      await (await s.find('[data-testid="optouts-remove-dialog"] button')).type("\uE00C"); // Escape
      await s.waitUntil("the remove dialog closes", async () => (await s.findAll('[data-testid="optout-remove-confirm"]')).length === 0);
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

describe("Large text and the smallest window: nothing cut off, the editor at least 40 characters wide", () => {
  // WCAG 1.4.4 (text resized to 200 %) and the window's minimum size (900 × 600). Text is
  // enlarged as staff do it: Ctrl and + (page zoom, 20 % a step), here to 200 % on the
  // default window, which leaves 600 CSS pixels of width.
  let app;
  const cli = (...args) => heraldCli(app.dataDir, ...args);

  before(async () => {
    app = await launch();
  });

  after(async () => {
    await app?.stop();
  });

  /** Presses keys together (a chord), then lets them go. */
  async function chord(s, ...keys) {
    const actions = [...keys.map((k) => ({ type: "keyDown", value: k })), ...keys.reverse().map((k) => ({ type: "keyUp", value: k }))];
    await s.cmd("POST", "/actions", { actions: [{ type: "key", id: "keyboard", actions }] });
  }

  /** What does not fit on the screen as it is: named, so a failure says where. */
  async function layoutProblems(s) {
    return s.exec(`
      const vw = document.documentElement.clientWidth;
      const name = (el) => (el.getAttribute("data-testid") ?? el.tagName.toLowerCase()) + " “" + (el.innerText || el.value || el.getAttribute("aria-label") || "").trim().slice(0, 40) + "”";
      const problems = [];
      if (document.documentElement.scrollWidth > vw + 1) problems.push("the page scrolls sideways (" + document.documentElement.scrollWidth + " > " + vw + ")");
      for (const el of document.querySelectorAll("button, a, input, select, textarea, h1, h2, [role=tab], .badge")) {
        const r = el.getBoundingClientRect();
        // Data tables and the grid may scroll sideways in their own frame.
        if (r.width === 0 || el.closest("table, [role=grid], .table-frame, .visually-hidden")) continue;
        if (r.right > vw + 1) problems.push(name(el) + " runs off the window (right edge " + Math.round(r.right) + " > " + vw + ")");
        const cs = getComputedStyle(el);
        if (el.tagName === "BUTTON" && cs.overflow !== "visible" && el.scrollWidth > el.clientWidth + 1) problems.push(name(el) + " cuts its text");
        if (el.tagName === "BUTTON" && el.scrollHeight > el.clientHeight + 2 && cs.overflow !== "visible") problems.push(name(el) + " cuts its text vertically");
      }
      return problems;`);
  }

  /** The message editor's inner width in characters of its own font (CSS "ch": the width of 0). */
  async function editorChars(s) {
    return s.exec(`
      const t = document.querySelector('[data-testid="message-template"]');
      const cs = getComputedStyle(t);
      const ctx = document.createElement("canvas").getContext("2d");
      ctx.font = cs.font;
      const inner = t.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
      return Math.floor(inner / ctx.measureText("0").width);`);
  }

  /** The journey's screens, each checked: list, wizard steps (the editor measured), dashboard, replies, settings. */
  async function walk(s, label, draft, done) {
    // Buttons are pressed from the page: WebDriver's pointer does not allow for page zoom
    // (it clicks where the button would be at 100 %).
    const press = async (css) => {
      await s.waitFor(css, { predicate: async (e) => (await e.prop("disabled")) !== true });
      await s.exec("document.querySelector(arguments[0]).click();", [css]);
    };
    const check = async (screen) => {
      const problems = await layoutProblems(s);
      if (problems.length > 0) await s.screenshot(`layout-${label}-${screen.replace(/\W+/g, "-")}`);
      assert.deepEqual(problems, [], `${label}, ${screen}`);
    };
    await s.exec('window.location.hash = "#/campaigns";');
    await s.waitFor('[data-testid="campaign-row"]');
    await check("campaign list");
    await s.exec(`window.location.hash = "#/campaigns/${draft}/edit";`);
    await s.waitFor('[data-testid="wizard-name"]');
    await check("wizard: name");
    await press('[data-testid="wizard-next"]');
    await press('[data-testid="query-run"]');
    await s.waitFor('[data-testid="query-fetch-info"]', { predicate: async (e) => /fetched/i.test(await e.text()) });
    await check("wizard: audience");
    await press('[data-testid="wizard-next"]');
    await s.waitFor('[data-testid="message-template"]');
    await check("wizard: message");
    const chars = await editorChars(s);
    await s.screenshot(`layout-${label}-editor`);
    assert.ok(chars >= 40, `${label}: the editor is ${chars} characters wide`);
    for (let step = 4; step <= 6; step++) {
      await press('[data-testid="wizard-next"]');
      await s.waitUntil(`step ${step}`, async () => (await s.exec("return document.body.innerText;")).includes(`Step ${step} of 6`));
    }
    await s.waitFor('[data-testid="summary-schedule"]', { predicate: async (e) => (await e.prop("disabled")) === false });
    await check("wizard: summary");
    await s.exec(`window.location.hash = "#/campaigns/${done}";`);
    await s.waitFor('[data-testid="grid-row"]', { timeout: 30000 });
    await check("dashboard");
    await s.exec('window.location.hash = "#/replies";');
    await s.waitFor('[data-testid="page-replies"]');
    await check("replies");
    await s.exec('window.location.hash = "#/settings";');
    await s.waitFor('[data-testid="page-settings"]');
    await check("settings");
    return chars;
  }

  test("at 900 × 600, and with text at 200 %", async () => {
    const s = app.session;
    const make = (name) =>
      demoCampaign(app.dataDir, { name, template: "Hi ${FirstName}, the annual meeting is on Friday at the Convention Center, Hall B." });
    cli("settings", "set", "twilio.rate_per_second", "60");
    const done = make("Annual meeting — everyone");
    cli("campaign", "schedule", String(done));
    const draft = make("Annual meeting — the minutes");
    await s.waitUntil("the campaign completes", async () => cli("campaign", "show", String(done)).status === "completed", 90000);

    // The smallest window Herald allows.
    await s.cmd("POST", "/window/rect", { width: 900, height: 600 });
    await s.waitUntil("the window is 900 × 600", async () => (await s.exec("return window.innerWidth;")) <= 900);
    const small = await walk(s, "900x600", draft, done);

    // Back to the default size, text at 200 %: Ctrl and + five times (20 % a step).
    await s.cmd("POST", "/window/rect", { width: 1200, height: 780 });
    await s.waitUntil("the window is 1200 wide again", async () => (await s.exec("return window.innerWidth;")) >= 1190);
    await (await s.find('[data-testid="nav-campaigns"]')).click();
    for (let i = 0; i < 5; i++) await chord(s, "\uE009", "=");
    await s.waitUntil("the page is zoomed to 200 %", async () => Math.abs((await s.exec("return window.innerWidth;")) - 600) <= 8);
    const zoomed = await walk(s, "zoom200", draft, done);
    await chord(s, "\uE009", "0");
    writeFileSync(path.join(artifacts, "layout.json"), JSON.stringify({ editorCharacters: { "900x600": small, "200%": zoomed } }, null, 2));
  });
});
