// The dashboard of a 250,000-message campaign in the real window (`make bench-dashboard`):
// time from opening it to its first rows painted, frame times while scrolling fast, and the
// memory of Herald with its webview. Each figure comes with a baseline from the same run:
// the same dashboard for a 50-message campaign; for frames, a plain static list of 3,000 such
// rows scrolled the same way in the same web view (no JavaScript, nothing re-rendered: what
// the web view itself costs on this machine) and the idle page; for memory, the app showing
// its campaign list, and the 50-message dashboard both as opened and scrolled the same way
// (in a second start of the app, after the rest).
//
//   node tests/perf/dashboard.mjs   (under a display and D-Bus; the Makefile sets both up)
//
// Env: HERALD_APP (default target/release/herald), SEED (the seeder binary), MESSAGES
// (250000), RUNS (5). Figures also go to artifacts/perf/dashboard.json.

import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { heraldProcesses, launch, memoryOf, processTree, repoRoot } from "../e2e/webdriver.mjs";

const messages = Number(process.env.MESSAGES ?? 250000);
const runs = Number(process.env.RUNS ?? 5);
const seeder = process.env.SEED ?? path.join(repoRoot, "target", "release", "examples", "seed_campaign");
process.env.HERALD_APP ??= path.join(repoRoot, "target", "release", "herald");
const out = path.join(repoRoot, "artifacts", "perf");

const dataDir = mkdtempSync(path.join(tmpdir(), "herald-perf-"));
const seeded = JSON.parse(execFileSync(seeder, [dataDir, String(messages)], { encoding: "utf8" }));

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return {
    n: s.length,
    median: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    max: s[s.length - 1],
    over50: s.filter((x) => x > 50).length,
  };
};
const ms = (x) => `${x.toFixed(1)} ms`;

// In the page: open a campaign's dashboard by its address, as a click on the list does, and
// time it until a frame after the first real rows are in the document (so they were painted).
const OPEN = `
  const [hash, done] = arguments;
  let inDom = null;
  const t0 = performance.now();
  window.location.hash = hash;
  const check = () => {
    const row = document.querySelector('[data-testid="grid-row"]');
    if (row && inDom === null) inDom = performance.now() - t0;
    if (inDom !== null) {
      requestAnimationFrame(() => done({ inDom, painted: performance.now() - t0 }));
    } else if (performance.now() - t0 > 20000) {
      done({ error: "no rows after 20 s" });
    } else {
      requestAnimationFrame(check);
    }
  };
  requestAnimationFrame(check);
`;

// In the page: for `duration` ms, scroll the grid each frame (a fast fling down, or jumps to
// random places as when the scroll thumb is dragged) and record each frame's duration, the
// share of rows on screen still loading, and, after the last scroll, how long the rows take
// to fill in.
const SCROLL = `
  const [mode, duration, selector, done] = arguments;
  const grid = document.querySelector(selector);
  const max = grid.scrollHeight - grid.clientHeight;
  const frames = [];
  let loadingSeen = 0, rowsSeen = 0, last = null, pos = grid.scrollTop, seed = 7;
  const random = () => { seed = (seed * 16807) % 2147483647; return seed / 2147483647; };
  const t0 = performance.now();
  const step = (ts) => {
    if (last !== null) frames.push(ts - last);
    last = ts;
    loadingSeen += grid.querySelectorAll('[data-testid="grid-row-loading"]').length;
    rowsSeen += grid.querySelectorAll('[data-testid="grid-row"], [data-testid="grid-row-loading"]').length;
    if (ts - t0 < duration) {
      if (mode === "fling") { pos = (pos + 2400) % max; grid.scrollTop = pos; }
      else if (mode === "jump") grid.scrollTop = Math.floor(random() * max);
      requestAnimationFrame(step);
      return;
    }
    const stopped = performance.now();
    const settle = () => {
      if (grid.querySelectorAll('[data-testid="grid-row-loading"]').length === 0) {
        done({ frames, loadingShare: rowsSeen ? loadingSeen / rowsSeen : 0, settle: performance.now() - stopped, scrollMax: max });
      } else if (performance.now() - stopped > 10000) {
        done({ frames, loadingShare: rowsSeen ? loadingSeen / rowsSeen : 0, settle: null, scrollMax: max });
      } else requestAnimationFrame(settle);
    };
    requestAnimationFrame(settle);
  };
  requestAnimationFrame(step);
`;

// In the page: a static list over the grid, of the same size, rows and text, built once.
const STATIC_LIST = `
  const grid = document.querySelector('[data-testid="grid"]').getBoundingClientRect();
  const host = document.createElement("div");
  host.id = "perf-static-list";
  host.style.cssText = "position:fixed;overflow:auto;background:#fff;z-index:1000;font-size:13px;" +
    "left:" + grid.left + "px;top:" + grid.top + "px;width:" + grid.width + "px;height:" + grid.height + "px";
  const cell = (text) => { const c = document.createElement("span"); c.textContent = text; c.style.cssText = "flex:1;white-space:nowrap;overflow:hidden;text-overflow:ellipsis"; return c; };
  for (let i = 0; i < 3000; i++) {
    const row = document.createElement("div");
    row.style.cssText = "height:36px;display:flex;gap:12px;align-items:center;border-bottom:1px solid #e2e5ed;padding:0 12px";
    for (const t of [String(i + 1), "Siobhán Müller", String(100000 + i), "(201) •••-••" + String(i % 100).padStart(2, "0"),
                     "Delivered", "delivered", "—", "1", "Nov 26, 2:00 PM", "Nov 26, 2:00 PM", "Not needed"]) row.append(cell(t));
    host.append(row);
  }
  document.body.append(host);
`;

const results = { messages, runs, seeded };
const samplers = [];

/** Starts the app on the seeded data and waits for its campaign list; `memory()` reads it. */
async function start() {
  const app = await launch({ dataDir });
  await app.session.setTimeouts({ script: 60000 });
  await app.session.waitFor('[data-testid="campaign-row"]', { timeout: 60000 });
  await sleep(2000);
  const [pid] = heraldProcesses(dataDir);
  if (pid === undefined) {
    await app.stop();
    throw new Error(`no Herald process runs on ${dataDir}`);
  }
  const memory = () => {
    const m = memoryOf(processTree(pid));
    if (m.pssMiB <= 0 || !("WebKitWebProces" in m.pssByProcess)) {
      throw new Error(`the memory of Herald and its web view could not be read: ${JSON.stringify(m)}`);
    }
    return m;
  };
  return { app, memory };
}

/**
 * Keeps the highest reading of `memory` every 200 ms from `start`. A failed reading is kept
 * and thrown by stop(): thrown from the timer it would end the process before the app is
 * stopped.
 */
function peakSampler(memory, start) {
  let peak = start;
  let failure = null;
  const timer = setInterval(() => {
    try {
      const m = memory();
      if (m.pssMiB > peak.pssMiB) peak = m;
    } catch (e) {
      failure ??= e;
    }
  }, 200);
  samplers.push(timer);
  return {
    stop() {
      clearInterval(timer);
      if (failure) throw failure;
      return peak;
    },
  };
}

const GRID = '[data-testid="grid"]';
let { app, memory } = await start();
let s = app.session;
try {
  results.memoryList = memory();

  const toList = async () => {
    await s.exec('window.location.hash = "#/campaigns";');
    await s.waitFor('[data-testid="campaign-row"]');
    await sleep(500);
  };
  // A first, unmeasured opening of each, as a user's would follow the app's start.
  const open = { small: [], big: [] };
  for (let i = 0; i <= runs; i++) {
    for (const which of ["small", "big"]) {
      await toList();
      const r = await s.execAsync(OPEN, [`#/campaigns/${seeded[which]}`]);
      if (r.error) throw new Error(`${which}: ${r.error}`);
      if (i > 0) open[which].push(r);
      if (i === 0 && which === "small") {
        await sleep(2000);
        results.memorySmall = memory();
      }
    }
  }
  results.open = {
    small: stats(open.small.map((r) => r.painted)),
    big: stats(open.big.map((r) => r.painted)),
    bigInDom: stats(open.big.map((r) => r.inDom)),
  };
  await sleep(2000);
  results.memoryOpen = memory();
  await s.screenshot("perf-dashboard-250k");

  // Frame cadence of the same page, idle, then scrolling; the memory's peak in each way of
  // scrolling.
  const sampler = peakSampler(memory, memory());
  results.idle = await s.execAsync(SCROLL, ["idle", 3000, GRID]);
  results.fling = await s.execAsync(SCROLL, ["fling", 6000, GRID]);
  results.memoryFlingPeak = sampler.stop();
  await s.screenshot("perf-dashboard-fling");
  const jumpSampler = peakSampler(memory, memory());
  results.jump = await s.execAsync(SCROLL, ["jump", 6000, GRID]);
  results.memoryJumpPeak = jumpSampler.stop();
  results.memoryPeak = [results.memoryFlingPeak, results.memoryJumpPeak].reduce((a, b) => (b.pssMiB > a.pssMiB ? b : a));
  await sleep(3000);
  results.memoryAfter = memory();
  await s.exec(STATIC_LIST);
  await sleep(500);
  const staticSampler = peakSampler(memory, memory());
  results.staticFling = await s.execAsync(SCROLL, ["fling", 6000, "#perf-static-list"]);
  results.staticJump = await s.execAsync(SCROLL, ["jump", 6000, "#perf-static-list"]);
  results.staticPeak = staticSampler.stop();
  for (const k of ["idle", "fling", "jump", "staticFling", "staticJump"]) results[k].stats = stats(results[k].frames);
  for (const sampler of samplers) clearInterval(sampler);
  await app.stop();
  app = null;

  // Baseline: the 50-message dashboard scrolled the same way, in a fresh start of the app
  // (nothing the big grid left counts): what scrolling any grid costs in this web view.
  ({ app, memory } = await start());
  s = app.session;
  const r = await s.execAsync(OPEN, [`#/campaigns/${seeded.small}`]);
  if (r.error) throw new Error(`small, scrolled: ${r.error}`);
  await sleep(2000);
  results.memorySmallAgain = memory();
  const smallSampler = peakSampler(memory, results.memorySmallAgain);
  results.smallFling = await s.execAsync(SCROLL, ["fling", 6000, GRID]);
  results.smallJump = await s.execAsync(SCROLL, ["jump", 6000, GRID]);
  results.memorySmallScrolledPeak = smallSampler.stop();
} finally {
  for (const sampler of samplers) clearInterval(sampler);
  await app?.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

const o = results.open;
console.log(`dashboard of a ${messages.toLocaleString("en-US")}-message campaign (${process.env.HERALD_APP}), ${runs} runs each:`);
console.log(`  first rows painted: median ${ms(o.big.median)}, slowest ${ms(o.big.max)} (rows in the document at ${ms(o.bigInDom.median)}) — target under 500 ms`);
console.log(`  baseline, the same dashboard for 50 messages: median ${ms(o.small.median)}, slowest ${ms(o.small.max)} → ${(o.big.median / o.small.median).toFixed(2)}x the baseline`);
for (const [k, base, label] of [
  ["fling", "staticFling", "fast fling (2,400 px a frame, ~66 rows)"],
  ["jump", "staticJump", "jumps to random rows every frame (dragging the thumb)"],
]) {
  const f = results[k].stats;
  const b = results[base].stats;
  const settle = results[k].settle === null ? "not within 10 s" : ms(results[k].settle);
  console.log(
    `  ${label}: ${f.n} frames, median ${ms(f.median)}, p99 ${ms(f.p99)}, longest ${ms(f.max)}, ${f.over50} over 50 ms; ` +
      `rows still loading on screen ${(results[k].loadingShare * 100).toFixed(1)}% of the time; all rows filled ${settle} after the last scroll`,
  );
  console.log(
    `    baseline, a static list scrolled the same way: median ${ms(b.median)}, p99 ${ms(b.p99)}, longest ${ms(b.max)}, ${b.over50} over 50 ms` +
      ` → the grid's median ${(f.median / b.median).toFixed(2)}x, p99 ${(f.p99 / b.p99).toFixed(2)}x the static list's`,
  );
}
const idle = results.idle.stats;
console.log(`  the idle page's frames: median ${ms(idle.median)}, longest ${ms(idle.max)}`);
const m = results.memoryPeak;
console.log(
  `  memory, Herald and its web view at the peak: ${m.pssMiB} MiB PSS (${Object.entries(m.pssByProcess).map(([n, v]) => `${n} ${v}`).join(", ")}) — target at most 450 MiB;` +
    ` plain RSS sum ${m.rssMiB} MiB (counts the WebKit and GTK libraries once per process)`,
);
console.log(
  `  the peak by way of scrolling: ${results.memoryFlingPeak.pssMiB} MiB PSS in the fling, ${results.memoryJumpPeak.pssMiB} MiB in the jumps that follow it` +
    ` (the web view's allocated memory ${results.memoryFlingPeak.anonPssByProcess.WebKitWebProces} and ${results.memoryJumpPeak.anonPssByProcess.WebKitWebProces} MiB)`,
);
const mem = (x) => `RSS sum ${x.rssMiB} MiB, PSS ${x.pssMiB} MiB`;
console.log(
  `  memory by stage: the 50-message dashboard ${mem(results.memorySmall)}; the 250,000-message one open ${mem(results.memoryOpen)},` +
    ` 3 s after scrolling ${mem(results.memoryAfter)}`,
);
console.log(
  `  baseline, the static list of 3,000 rows added over it and scrolled the same way: +${results.staticPeak.pssMiB - results.memoryAfter.pssMiB} MiB PSS at its peak` +
    ` (the 250,000-message grid: +${m.pssMiB - results.memoryOpen.pssMiB} MiB from opening to its peak)`,
);
console.log(
  `  the grid's cost, the 250,000-message dashboard over the 50-message one (target at most +40 MiB): +${m.pssMiB - results.memorySmall.pssMiB} MiB at the peak,` +
    ` +${results.memoryOpen.pssMiB - results.memorySmall.pssMiB} MiB once open, +${results.memoryAfter.pssMiB - results.memorySmall.pssMiB} MiB 3 s after scrolling`,
);
{
  const [still, scrolled] = [results.memorySmallAgain.pssMiB, results.memorySmallScrolledPeak.pssMiB];
  console.log(
    `  baseline, the 50-message dashboard scrolled the same way (its ${results.smallFling.scrollMax} px, in a fresh start of the app): ${scrolled} MiB PSS at its peak,` +
      ` +${scrolled - still} MiB over itself unscrolled (${still} MiB) → the 250,000-message dashboard's peak is +${m.pssMiB - scrolled} MiB over it` +
      ` (what the web view spends scrolling any grid left out)`,
  );
}
// Where that cost is: per process, and of it what the process allocated (anonymous memory:
// the JavaScript heap, WebKit's painting buffers and tiles, SQLite's caches) rather than the
// libraries and files it maps.
const split = (x, name) => ({ pss: x.pssByProcess[name] ?? 0, anon: x.anonPssByProcess[name] });
console.log(
  `  where the grid's cost is at the peak, by process (allocated memory, the rest libraries and files): ` +
    Object.keys(m.pssByProcess)
      .map((name) => {
        const [now, base] = [split(m, name), split(results.memorySmall, name)];
        const anon = now.anon === null || base.anon === null ? "unknown" : `${now.anon - base.anon >= 0 ? "+" : ""}${now.anon - base.anon}`;
        return `${name} ${now.pss - base.pss >= 0 ? "+" : ""}${now.pss - base.pss} MiB (allocated ${anon})`;
      })
      .join(", "),
);
console.log(
  `  baseline, the app showing its campaign list: ${results.memoryList.pssMiB} MiB PSS (RSS sum ${results.memoryList.rssMiB} MiB)` +
    ` → the 250,000-message dashboard at its peak is ${(m.pssMiB / results.memoryList.pssMiB).toFixed(2)}x, +${m.pssMiB - results.memoryList.pssMiB} MiB`,
);
mkdirSync(out, { recursive: true });
writeFileSync(path.join(out, "dashboard.json"), JSON.stringify(results, null, 2));
