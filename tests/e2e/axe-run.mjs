// axe-core (pinned in tests/e2e/axe, never in the app's bundle) run in the real window
// through WebDriver, against WCAG 2.2 AA; shared by the suites that check a screen.

import { readFileSync } from "node:fs";
import assert from "node:assert/strict";
import path from "node:path";
import { repoRoot } from "./webdriver.mjs";

const AXE_SOURCE = readFileSync(path.join(repoRoot, "tests/e2e/axe/node_modules/axe-core/axe.min.js"), "utf8");
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

/** axe's violations on the screen as it is now, each with up to five elements. */
export async function violations(s) {
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
export async function assertAccessible(s, screen, list) {
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

