// The screen-reader tree: what Orca (or any AT-SPI client) is given by the real window.
// WebKitGTK's web process speaks AT-SPI on the accessibility bus of the suite's D-Bus
// session; tests/e2e/atspi_tree.py reads it over that protocol. Asserted on the campaign
// list, the wizard and a dashboard: landmarks, one level-1 heading, a name on every control,
// the grid as a grid with its full row count and row indexes (also once rows are recycled),
// and polite live regions.

import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { artifacts, demoCampaign, heraldCli, launch, repoRoot } from "./webdriver.mjs";

const PYTHON = "/usr/bin/python3"; // Debian's, with python3-gi and gir1.2-atspi-2.0
const CONTROLS = new Set([
  "push button",
  "toggle button",
  "link",
  "entry",
  "password text",
  "combo box",
  "check box",
  "radio button",
  "list box",
  "page tab",
  "spin button",
  "slider",
  "menu item",
]);

/** The window's accessibility tree now, in document order. */
function tree(screen) {
  const out = JSON.parse(
    execFileSync(PYTHON, [path.join(repoRoot, "tests", "e2e", "atspi_tree.py")], { encoding: "utf8", timeout: 120000 }),
  );
  writeFileSync(path.join(artifacts, `atspi-${screen.replace(/\W+/g, "-")}.json`), JSON.stringify(out.nodes, null, 1));
  return out.nodes;
}

const showing = (n) => n.states.includes("showing");
const describeNode = (n) => `${n.role} <${n.attributes.tag ?? "?"}> “${n.name}” ${JSON.stringify(n.attributes)}`;

/** What every page must give a screen reader. */
function assertPage(screen, nodes, heading) {
  const landmarks = nodes.filter((n) => n.role === "landmark").map((n) => n.attributes["xml-roles"]);
  assert.ok(landmarks.includes("navigation"), `${screen}: a navigation landmark (${landmarks.join(", ")})`);
  assert.equal(landmarks.filter((l) => l === "main").length, 1, `${screen}: one main landmark`);
  const h1 = nodes.filter((n) => n.role === "heading" && n.attributes.level === "1" && showing(n));
  assert.deepEqual(
    h1.map((n) => n.name),
    [heading],
    `${screen}: one level-1 heading`,
  );
  const unnamed = nodes.filter((n) => CONTROLS.has(n.role) && showing(n) && n.name.trim() === "");
  assert.deepEqual(unnamed.map(describeNode), [], `${screen}: every control has a name`);
  // Live regions are polite: nothing on these screens interrupts the reader.
  const live = nodes.filter((n) => n.attributes.live);
  assert.ok(live.length > 0, `${screen}: live regions are exposed`);
  assert.deepEqual(
    live.filter((n) => n.attributes.live !== "polite").map(describeNode),
    [],
    `${screen}: live regions are polite`,
  );
  // The toasts' region is there before any toast, so that the first one is announced.
  assert.ok(
    live.some((n) => n.name === "Notifications" && n.attributes["xml-roles"] === "status"),
    `${screen}: the notifications region is a polite status region`,
  );
}

describe("The screen-reader tree (AT-SPI) of the real window", () => {
  let app;
  const cli = (...args) => heraldCli(app.dataDir, ...args);

  before(async () => {
    app = await launch();
  });

  after(async () => {
    await app?.stop();
  });

  test("the campaign list", async () => {
    await app.session.waitFor('[data-testid="campaigns-empty"]');
    const nodes = tree("campaign list");
    assertPage("campaign list", nodes, "Campaigns");
    const nav = nodes.find((n) => n.role === "landmark" && n.attributes["xml-roles"] === "navigation");
    assert.equal(nav.name, "Main", "the sidebar is named");
    const links = nodes.filter((n) => n.role === "link").map((n) => n.name);
    for (const name of ["Campaigns", "New campaign", "Replies and opt-outs", "Settings"]) assert.ok(links.includes(name), name);
    assert.equal(
      nodes.find((n) => n.role === "link" && n.name === "Campaigns").attributes.current,
      "page",
      "the current page is marked in the sidebar",
    );
  });

  test("the wizard: its steps, and a named field for each question", async () => {
    const s = app.session;
    await (await s.find('[data-testid="nav-new-campaign"]')).click();
    await s.waitFor('[data-testid="wizard-name"]');
    const nodes = tree("wizard");
    assertPage("wizard", nodes, "New campaign");
    const steps = nodes.find((n) => n.role === "landmark" && n.name === "Wizard steps");
    assert.ok(steps, "the steps are a named navigation landmark");
    const entries = nodes.filter((n) => n.role === "entry" && showing(n)).map((n) => n.name);
    assert.ok(entries.some((n) => /Campaign name/.test(n)), `the name field is labelled: ${entries.join(" | ")}`);
    const current = nodes.find((n) => n.role === "push button" && n.attributes.current === "step");
    assert.match(current?.name ?? "", /Step 1: Campaign information/, "the current step is marked");
    const modes = nodes.filter((n) => n.role === "radio button").map((n) => n.name);
    assert.ok(modes.some((m) => /^TEST/.test(m)) && modes.some((m) => /^LIVE/.test(m)), modes.join(" | "));
  });

  test("a dashboard: the grid is a grid with its full row count, row indexes follow the scroll", async () => {
    const s = app.session;
    cli("settings", "set", "twilio.rate_per_second", "60");
    const id = demoCampaign(app.dataDir, {
      name: "Everyone — the annual meeting",
      template: "Hi ${FirstName}, the annual meeting is on Friday.",
      schedule: true,
    });
    await s.waitUntil("the campaign completes", async () => cli("campaign", "show", String(id)).status === "completed", 90000);
    const total = cli("campaign", "show", String(id)).counts.total;
    await s.exec(`window.location.hash = "#/campaigns/${id}";`);
    await s.waitFor('[data-testid="grid-row"]', { timeout: 30000 });

    const rowsOf = (nodes) => {
      const grid = nodes.find((n) => n.attributes["xml-roles"] === "grid");
      assert.ok(grid, "the messages are exposed as a grid");
      const at = nodes.indexOf(grid);
      const rows = [];
      for (const n of nodes.slice(at + 1)) {
        if (n.depth <= grid.depth) break;
        if (n.role === "table row") rows.push(Number(n.attributes.rowindex));
      }
      return { grid, rows };
    };
    let nodes = tree("dashboard");
    assertPage("dashboard", nodes, "Everyone — the annual meeting");
    let { grid, rows } = rowsOf(nodes);
    assert.equal(grid.name, "Messages of Everyone — the annual meeting");
    assert.equal(Number(grid.attributes.rowcount), total + 1, "every message and the header row are counted");
    assert.equal(rows[0], 1, "the header is row 1");
    assert.deepEqual(rows.slice(1), rows.slice(1).map((_, i) => i + 2), "the first rows shown are 2, 3, …");
    // The progress is said in a polite live region (in words that change only now and then).
    const progress = nodes.find((n) => n.attributes.live === "polite" && /^(Completed|Sending|Paused)\b/.test(n.text ?? ""));
    assert.ok(progress, `a polite region says the progress: ${JSON.stringify(nodes.filter((n) => n.attributes.live).map((n) => n.text))}`);
    assert.equal(progress.text.trim(), "Completed: every text was sent.");

    // Scrolled to the end: the recycled rows now carry the last indexes.
    await s.exec(`const v = document.querySelector('[data-testid="grid"]'); v.scrollTop = v.scrollHeight;`);
    await s.waitUntil("the last rows are rendered", async () =>
      s.exec(`return [...document.querySelectorAll('[data-testid="grid-row"]')].some((r) => r.getAttribute("aria-rowindex") === "${total + 1}");`),
    );
    nodes = tree("dashboard scrolled");
    ({ grid, rows } = rowsOf(nodes));
    const body = rows.filter((r) => r > 1);
    assert.equal(body[body.length - 1], total + 1, "the last row is the last message");
    assert.deepEqual(body, body.map((_, i) => body[0] + i), "the rows shown are consecutive");
    assert.equal(Number(grid.attributes.rowcount), total + 1);
  });
});
