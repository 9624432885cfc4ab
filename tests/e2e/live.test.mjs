// End-to-end: a staffer's first LIVE send, in the real window, against the fake iMIS and the
// fake Twilio over HTTP. Settings take effect without a restart; the Summary shows the final
// check and the pre-flight; a test text reaches "my phone" once and is never written back;
// the confirmation's Cancel sends nothing and typing the count sends; typed work is saved
// when the staffer leaves at once.

import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { assertAccessible, violations } from "./axe-run.mjs";
import { CLI, heraldCli, launch, repoRoot, startFake, startNotificationServer } from "./webdriver.mjs";

const ACCOUNT_SID = "AC00000000000000000000000000000001";
const AUTH_TOKEN = "fake-auth-token-0001";
const MY_PHONE = "+12015550199";

/** The app's log lines (the desktop notifications it raised are logged as it raises them). */
function appLog(dataDir) {
  const logs = path.join(dataDir, "logs");
  return readdirSync(logs)
    .filter((f) => f.startsWith("herald."))
    .flatMap((f) => readFileSync(path.join(logs, f), "utf8").split("\n"));
}

/** The texts the fake Twilio holds, newest first, as Twilio's own list returns them. */
async function twilioMessages(twilio, to) {
  const query = to ? `?To=${encodeURIComponent(to)}&PageSize=1000` : "?PageSize=1000";
  const res = await fetch(`${twilio.url}/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json${query}`, {
    headers: { authorization: `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString("base64")}` },
  });
  assert.ok(res.ok, `the fake Twilio answered ${res.status}`);
  return (await res.json()).messages;
}

describe("Going LIVE safely", () => {
  let app;
  let imis;
  let twilio;

  before(async () => {
    imis = await startFake("herald-fake-imis", ["--dataset", "standard"]);
    twilio = await startFake("herald-fake-twilio", ["--status-step-ms", "200"]);
    app = await launch();
  });

  after(async () => {
    await app?.stop();
    imis?.stop();
    twilio?.stop();
  });

  test("connecting iMIS takes effect at once: the demo banner goes and LIVE can be chosen", async () => {
    const s = app.session;
    await s.waitFor('[data-testid="demo-banner"]');
    await (await s.find('[data-testid="nav-new-campaign"]')).click();
    const live = await s.waitFor('[data-testid="wizard-mode-live"]');
    assert.equal(await live.prop("disabled"), true, "LIVE is off in the demo workspace");
    // Connected from outside the window (herald-cli on the same data folder): no restart.
    heraldCli(app.dataDir, "settings", "set", "imis.base_url", imis.url);
    heraldCli(app.dataDir, "settings", "set", "imis.username", "herald");
    execFileSync(CLI, ["--data-dir", app.dataDir, "secrets", "set", "imis.password"], { input: "herald-demo\n" });
    await s.waitUntil("the demo banner goes", async () => (await s.findAll('[data-testid="demo-banner"]')).length === 0, 15000);
    await s.waitUntil("LIVE can be chosen", async () => (await (await s.find('[data-testid="wizard-mode-live"]')).prop("disabled")) === false);
    await s.screenshot("30-live-enabled-without-restart");
  });

  test("a LIVE send: test text, final check, Cancel sends nothing, typing the count sends", async () => {
    const s = app.session;
    for (const [k, v] of [
      ["twilio.base_url", twilio.url],
      ["twilio.account_sid", ACCOUNT_SID],
      ["twilio.from", "+15005550006"],
      ["twilio.rate_per_second", "50"],
      ["campaign.confirm_typed_above", "3"],
      ["campaign.settle_minutes", "0"],
    ]) {
      heraldCli(app.dataDir, "settings", "set", k, v);
    }
    execFileSync(CLI, ["--data-dir", app.dataDir, "secrets", "set", "twilio.auth_token"], { input: `${AUTH_TOKEN}\n` });

    const name = await s.waitFor('[data-testid="wizard-name"]');
    await name.type("First real send");
    const live = await s.find('[data-testid="wizard-mode-live"]');
    await live.click();
    await s.waitUntil("LIVE is chosen", async () => (await live.prop("checked")) === true);
    await (await s.find('[data-testid="wizard-next"]')).click();
    await (await s.waitFor('[data-testid="audience-source-csv"]')).click();
    await (await s.waitFor('[data-testid="audience-file"]')).type(path.join(repoRoot, "tests", "e2e", "fixtures", "members.csv"));
    await s.waitFor('[data-testid="audience-count"]', { predicate: async (e) => /\b8\b/.test(await e.text()) });
    await (await s.find('[data-testid="wizard-next"]')).click();

    const editor = await s.waitFor('[data-testid="message-template"]');
    await s.exec(
      "const t = arguments[0]; t.value = arguments[1]; t.dispatchEvent(new Event('input', { bubbles: true }));",
      [{ "element-6066-11e4-a52e-4f735466cecf": editor.id }, "Hi ${FirstName}, your renewal is due."],
    );
    // A test text to my phone, rendered for the first recipient.
    const to = await s.waitFor('[data-testid="test-text-to"]');
    await to.type(MY_PHONE);
    await (await s.find('[data-testid="test-text-send"]')).click();
    await s.waitFor('[data-testid="test-text-result"]', { predicate: async (e) => /Sent to/.test(await e.text()), timeout: 30000 });
    const mine = await twilioMessages(twilio, MY_PHONE);
    assert.equal(mine.length, 1, "exactly one test text");
    assert.equal(mine[0].body, "Hi Ann, your renewal is due.");
    await s.screenshot("31-live-test-text-sent");

    await (await s.find('[data-testid="wizard-next"]')).click(); // iMIS contact data: Activities
    await s.waitFor('[data-testid^="write-back"]');
    await (await s.find('[data-testid="wizard-next"]')).click(); // schedule: now
    await s.waitFor('[data-testid="schedule-now"]');
    await (await s.find('[data-testid="wizard-next"]')).click();

    // The final check: the message as Ann gets it, the pre-flight all passed.
    const check = await s.waitFor('[data-testid="summary-final-check"]');
    await s.waitUntil("the rendered message is shown", async () => (await check.text()).includes("Hi Ann, your renewal is due."));
    await s.waitUntil("every pre-flight check passed", async () => {
      const rows = await s.findAll('[data-testid="preflight-check"]');
      if (rows.length < 2) return false;
      for (const row of rows) if ((await row.attr("data-ok")) !== "true") return false;
      return true;
    }, 30000);
    const schedule = await s.waitFor('[data-testid="summary-schedule"]', {
      predicate: async (e) => /Send 4 real texts/.test(await e.text()) && !(await e.prop("disabled")),
      timeout: 30000,
    });
    await schedule.scrollIntoView();
    await s.screenshot("32-live-final-check");

    // Cancel in the confirmation sends nothing.
    await schedule.click();
    await s.waitFor('[data-testid="live-confirm-dialog"]');
    await s.screenshot("33-live-confirmation");
    await assertAccessible(s, "the LIVE confirmation dialog", await violations(s));
    await (await s.find('[data-testid="live-confirm-cancel"]')).click();
    await s.waitUntil("the dialog closes", async () => (await s.findAll('[data-testid="live-confirm-dialog"]')).length === 0);
    const created = heraldCli(app.dataDir, "campaign", "list").find((c) => c.name === "First real send");
    assert.equal(heraldCli(app.dataDir, "campaign", "show", String(created.id)).status, "draft");
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await twilioMessages(twilio)).length, 1, "only the test text reached Twilio");

    // Typing the count sends.
    await schedule.click();
    await s.waitFor('[data-testid="live-confirm-dialog"]');
    const send = await s.find('[data-testid="live-confirm-send"]');
    assert.equal(await send.prop("disabled"), true, "4 is above the threshold of 3: the count must be typed");
    await (await s.find('[data-testid="live-confirm-count"]')).type("4");
    await s.waitUntil("the send button is enabled", async () => (await send.prop("disabled")) === false);
    await send.click();
    await s.waitFor('[data-testid="page-campaign"]', { timeout: 30000 });
    await s.waitUntil("the four texts reach Twilio", async () => (await twilioMessages(twilio)).length === 5, 60000);
    assert.equal((await twilioMessages(twilio, MY_PHONE)).length, 1, "the test text was not sent again");
    await s.waitUntil(
      "the four are recorded in iMIS, the test text is not",
      async () => {
        const w = heraldCli(app.dataDir, "writeback", "status", String(created.id));
        return w.done + w.pending + w.in_flight === 4;
      },
      30000,
    );
    const events = heraldCli(app.dataDir, "campaign", "events", String(created.id)).map((e) => e.kind);
    assert.ok(events.includes("test_text"), `the test text is in the event log: ${events.join(", ")}`);
    await s.screenshot("34-live-sending");
  });

  test("replies: STOP is honoured, a reply that asks to stop is confirmed, and the next campaign leaves both out", async () => {
    const s = app.session;
    const dir = app.dataDir;
    // Two members of "First real send" text back: Ann a STOP, Cara in words Twilio does not block.
    for (const [from, body] of [
      ["+12015550123", "Stop"],
      ["+12015550144", "please remove me from this list"],
    ]) {
      const res = await fetch(`${twilio.url}/_fake/inbound`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ from, to: "+15005550006", body }),
      });
      assert.ok(res.ok, `the fake Twilio took the reply (${res.status})`);
    }
    await (await s.find('[data-testid="nav-replies"]')).click();
    await s.waitFor('[data-testid="page-replies"]');
    await (await s.waitFor('[data-testid="replies-check"]')).click();
    await s.waitUntil("both replies are listed", async () => (await s.findAll('[data-testid="reply-row"]')).length === 2, 30000);
    await s.screenshot("36-replies-page");

    const created = heraldCli(dir, "campaign", "list").find((c) => c.name === "First real send");
    await s.exec(`window.location.hash = "#/campaigns/${created.id}";`);
    const panel = await s.waitFor('[data-testid="replies-panel"]', { timeout: 20000 });
    await s.waitUntil("the dashboard's Replies panel names them", async () => /2 replies, 1 opted out/.test(await panel.text()), 20000);
    await panel.scrollIntoView();
    await (await s.waitFor('[data-testid="reply-confirm"]')).click();
    await s.waitUntil("the confirmation takes", async () => (await s.findAll('[data-testid="reply-confirm"]')).length === 0, 20000);
    await s.screenshot("37-replies-panel-confirmed");

    const list = heraldCli(dir, "optouts", "list");
    assert.deepEqual(
      list.map((o) => [o.phone_e164, o.source]).sort(),
      [
        ["+12015550123", "replied_stop"],
        ["+12015550144", "confirmed_reply"],
      ],
    );
    // The next campaign's preparation leaves them out: Ann, Ben (who shares Ann's number) and Cara.
    const preview = heraldCli(
      dir,
      "preview",
      "--csv",
      path.join(repoRoot, "tests", "e2e", "fixtures", "members.csv"),
      "--id-column",
      "ID",
      "--phone-column",
      "Mobile",
      "--template",
      "Hi ${FirstName}",
    );
    assert.equal(preview.summary.opted_out, 3, JSON.stringify(preview.summary));
    // The TEXTUNSUB for Ann is queued for iMIS (and written by the running app).
    await s.waitUntil(
      "Ann's opt-out is recorded in iMIS",
      async () => {
        const w = heraldCli(dir, "writeback", "status", String(created.id));
        return w.done + w.pending + w.in_flight >= 6;
      },
      30000,
    );
  });

  test("a campaign that pauses by itself raises a desktop notification with the reason; clicking it opens the campaign", async () => {
    const s = app.session;
    const notifications = await startNotificationServer();
    // Twilio starts refusing Herald's credentials: the engine pauses the campaign itself.
    const fault = await fetch(`${twilio.url}/_fake/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ method: "POST", path: "/2010-04-01/Accounts/", fault: { kind: "status", status: 401, code: 20003 }, times: 1000 }),
    });
    assert.ok(fault.ok);
    const dir = app.dataDir;
    writeFileSync(path.join(dir, "paused.csv"), "ID,FirstName,Mobile\n2001,Ada,+12015550111\n2002,Bo,+12015550122\n");
    writeFileSync(
      path.join(dir, "paused.json"),
      JSON.stringify({
        name: "Pauses by itself",
        mode: "live",
        write_back: "none",
        template: "Hi ${FirstName}",
        audience: { csv: "paused.csv", id_column: "ID", phone_column: "Mobile" },
      }),
    );
    const { id } = heraldCli(dir, "campaign", "create", "--file", path.join(dir, "paused.json"));
    heraldCli(dir, "campaign", "schedule", String(id), "--yes");
    await s.waitUntil(
      "the campaign pauses by itself",
      async () => heraldCli(dir, "campaign", "show", String(id)).status === "paused",
      60000,
    );
    await s.waitUntil(
      "a desktop notification is raised, once",
      async () => appLog(dir).filter((l) => l.includes("desktop notification") && l.includes("paused by itself")).length === 1,
      20000,
    );
    await fetch(`${twilio.url}/_fake/faults`, { method: "DELETE" });
    // The desktop shows it with the reason, and offers the click that opens the campaign.
    await s.waitUntil("the notification reaches the desktop", async () => notifications.shown.length > 0, 20000);
    const shown = notifications.shown.filter((n) => n.summary === "'Pauses by itself' paused by itself");
    assert.equal(shown.length, 1, `one notification about the pause: ${JSON.stringify(notifications.shown)}`);
    assert.ok(shown[0].actions.includes("default"), "a click on it is reported to Herald");
    // Staff are elsewhere in the app when they click it.
    await (await s.find('[data-testid="nav-campaigns"]')).click();
    await s.waitUntil("the campaign list shows", async () => (await s.exec("return window.location.hash;")) !== `#/campaigns/${id}`);
    notifications.click(shown[0].id);
    await s.waitUntil(
      "clicking the notification opens the campaign",
      async () => (await s.exec("return window.location.hash;")) === `#/campaigns/${id}`,
      20000,
    );
    await s.waitFor('[data-testid="page-campaign"]');
    await s.screenshot("35-notification-opened-campaign");
    notifications.stop();
  });

  test("what was typed is saved when the staffer leaves at once", async () => {
    const s = app.session;
    await (await s.find('[data-testid="nav-new-campaign"]')).click();
    const name = await s.waitFor('[data-testid="wizard-name"]', { predicate: async (e) => (await e.prop("value")) === "" });
    await name.type("Left in a hurry");
    await (await s.find('[data-testid="wizard-next"]')).click();
    await (await s.waitFor('[data-testid="audience-source-csv"]')).click();
    await (await s.waitFor('[data-testid="audience-file"]')).type(path.join(repoRoot, "tests", "e2e", "fixtures", "members.csv"));
    await s.waitFor('[data-testid="audience-count"]', { predicate: async (e) => /\b8\b/.test(await e.text()) });
    await (await s.find('[data-testid="wizard-next"]')).click();
    const editor = await s.waitFor('[data-testid="message-template"]');
    await editor.type("Hello ${FirstName}, see you Friday");
    // At once, before the autosave's pause: the sidebar's Campaigns.
    await (await s.find('[data-testid="nav-campaigns"]')).click();
    await s.waitFor('[data-testid="page-campaigns"]', { timeout: 20000 });
    const saved = heraldCli(app.dataDir, "campaign", "list").find((c) => c.name === "Left in a hurry");
    assert.ok(saved, "the draft exists");
    assert.equal(heraldCli(app.dataDir, "campaign", "show", String(saved.id)).template, "Hello ${FirstName}, see you Friday");
  });
});
