// A small W3C WebDriver client (fetch only) and the harness that starts Herald under
// tauri-driver with its own data folder. No dependencies beyond Node 20.

import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

export const repoRoot = path.resolve(import.meta.dirname, "../..");
export const artifacts = path.join(repoRoot, "artifacts", "e2e");

class Session {
  constructor(base, id) {
    this.base = base;
    this.id = id;
  }

  async cmd(method, route, body) {
    const res = await fetch(`${this.base}/session/${this.id}${route}`, {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await res.json();
    if (!res.ok) {
      const err = new Error(`WebDriver ${method} ${route}: ${json.value?.error}: ${json.value?.message}`);
      err.webdriver = json.value?.error;
      throw err;
    }
    return json.value;
  }

  async find(css) {
    const v = await this.cmd("POST", "/element", { using: "css selector", value: css });
    return new Element(this, v[ELEMENT]);
  }

  async findAll(css) {
    const v = await this.cmd("POST", "/elements", { using: "css selector", value: css });
    return v.map((e) => new Element(this, e[ELEMENT]));
  }

  /** Waits until `css` matches (and, if given, `predicate(element)` holds). */
  async waitFor(css, { timeout = 20000, predicate } = {}) {
    const deadline = Date.now() + timeout;
    let last;
    while (Date.now() < deadline) {
      try {
        const el = await this.find(css);
        if (!predicate || (await predicate(el))) return el;
      } catch (e) {
        last = e;
      }
      await sleep(100);
    }
    throw new Error(`timed out waiting for ${css}${last ? ` (${last.message})` : ""}${await this.scene()}`);
  }

  /**
   * For a failure message: what the window shows (its text, shortened) and a screenshot
   * of it in the artifacts. Never throws: the window may be the thing that broke.
   */
  async scene() {
    const parts = [];
    try {
      const file = await this.screenshot(`failed-${Date.now()}`);
      parts.push(`screenshot: ${path.relative(repoRoot, file)}`);
    } catch (e) {
      parts.push(`no screenshot (${e.message})`);
    }
    try {
      const text = String(await this.exec("return document.body.innerText;"));
      parts.push(`the window says: ${text.replace(/\s+/g, " ").slice(0, 1500)}`);
    } catch (e) {
      parts.push(`the window's text could not be read (${e.message})`);
    }
    return `\n${parts.join("\n")}`;
  }

  async waitUntil(what, fn, timeout = 20000) {
    const deadline = Date.now() + timeout;
    while (Date.now() < deadline) {
      if (await fn()) return;
      await sleep(100);
    }
    throw new Error(`timed out waiting until ${what}${await this.scene()}`);
  }

  async exec(script, args = []) {
    return this.cmd("POST", "/execute/sync", { script, args });
  }

  /** Runs `script` in the page; it finishes by calling its last argument with the result. */
  async execAsync(script, args = []) {
    return this.cmd("POST", "/execute/async", { script, args });
  }

  async setTimeouts(timeouts) {
    return this.cmd("POST", "/timeouts", timeouts);
  }

  async screenshot(name) {
    const b64 = await this.cmd("GET", "/screenshot");
    mkdirSync(artifacts, { recursive: true });
    const file = path.join(artifacts, `${name}.png`);
    writeFileSync(file, Buffer.from(b64, "base64"));
    return file;
  }

  async close() {
    try {
      await fetch(`${this.base}/session/${this.id}`, { method: "DELETE" });
    } catch {
      /* the app may already be gone */
    }
  }
}

class Element {
  constructor(session, id) {
    this.s = session;
    this.id = id;
  }
  /**
   * Clicks it as a person would: once it has stopped moving. WebDriver aims at where the
   * element is when the command arrives, so a click while the page is still growing (a
   * preview appearing above the button) lands where the button was.
   */
  async click() {
    await this.steady();
    return this.s.cmd("POST", `/element/${this.id}/click`, {});
  }
  /** Waits (at most 3 s; never throws) until its place in the page is the same twice running. */
  async steady() {
    const place = () =>
      this.s
        .exec(
          "const r = arguments[0].getBoundingClientRect();" +
            "return [r.left + scrollX, r.top + scrollY, r.width, r.height].join(',');",
          [{ [ELEMENT]: this.id }],
        )
        .catch(() => null);
    const deadline = Date.now() + 3000;
    let last = await place();
    while (Date.now() < deadline) {
      await sleep(120);
      const now = await place();
      if (now === null || now === last) return;
      last = now;
    }
  }
  clear() {
    return this.s.cmd("POST", `/element/${this.id}/clear`, {});
  }
  type(text) {
    return this.s.cmd("POST", `/element/${this.id}/value`, { text });
  }
  text() {
    return this.s.cmd("GET", `/element/${this.id}/text`);
  }
  attr(name) {
    return this.s.cmd("GET", `/element/${this.id}/attribute/${name}`);
  }
  prop(name) {
    return this.s.cmd("GET", `/element/${this.id}/property/${name}`);
  }
  scrollIntoView() {
    return this.s.exec("arguments[0].scrollIntoView({block: 'center'});", [{ [ELEMENT]: this.id }]);
  }
  displayed() {
    return this.s.cmd("GET", `/element/${this.id}/displayed`);
  }
}

/** herald-cli, the same build as the app under test. */
export const CLI = process.env.HERALD_CLI ?? path.join(repoRoot, "target", "debug", "herald-cli");

/** herald-cli against the data folder `dataDir`; its JSON answer, parsed. */
export function heraldCli(dataDir, ...args) {
  return JSON.parse(execFileSync(CLI, ["--data-dir", dataDir, ...args], { encoding: "utf8" }));
}

/**
 * A TEST campaign to the demo directory's "All members" query, write-back off, made by
 * herald-cli in `dataDir` from a file named after it; scheduled (to send now, or at
 * `at`, an ISO time) when `schedule` is set. Its id.
 */
export function demoCampaign(dataDir, { name, template = "Hi ${FirstName}, see you on Friday.", schedule = false, at = null }) {
  const file = path.join(dataDir, `${name.replace(/\W+/g, "-")}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      name,
      mode: "test",
      template,
      audience: { query: "$/Herald Demo/All members", id_column: "ID", phone_column: "Mobile" },
      write_back: "none",
      ...(at ? { schedule: at } : {}),
    }),
  );
  const { id } = heraldCli(dataDir, "campaign", "create", "--file", file);
  if (schedule) heraldCli(dataDir, "campaign", "schedule", String(id));
  return id;
}

/** PIDs of Herald processes whose HERALD_DATA_DIR is `dir` (Linux /proc). */
export function heraldProcesses(dir) {
  const pids = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (!cmd.split("\0")[0].endsWith("/herald")) continue;
      const env = readFileSync(`/proc/${entry}/environ`, "utf8").split("\0");
      if (env.includes(`HERALD_DATA_DIR=${dir}`)) pids.push(Number(entry));
    } catch {
      /* gone, or not ours to read */
    }
  }
  return pids;
}

/** `pid` and every process under it (Linux /proc): Herald and its WebKit helpers. */
export function processTree(pid) {
  const children = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The parent is the 2nd field after the ")" that closes the command name.
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch {
      /* gone */
    }
  }
  const all = [];
  const queue = [pid];
  while (queue.length > 0) {
    const p = queue.shift();
    all.push(p);
    queue.push(...(children.get(p) ?? []));
  }
  return all;
}

/** Resident memory of processes, in MiB: the plain sum of RSS (counts shared libraries once
 *  per process) and of PSS (shares them out), with each process's PSS by name, and of that
 *  the anonymous part (what the process allocated, not its libraries and files; null where
 *  the kernel does not say). */
export function memoryOf(pids) {
  let rss = 0;
  let pss = 0;
  let read = 0;
  const parts = {};
  const anon = {};
  for (const pid of pids) {
    let status, rollup, name;
    try {
      status = readFileSync(`/proc/${pid}/status`, "utf8");
      rollup = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
      name = readFileSync(`/proc/${pid}/comm`, "utf8").trim();
    } catch (e) {
      // A process that has just exited is gone; anything else would make the sum a lie.
      if (e.code === "ENOENT" || e.code === "ESRCH") continue;
      throw new Error(`cannot read the memory of process ${String(pid)}: ${e.message}`);
    }
    const r = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    const p = Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
    rss += r;
    pss += p;
    read += 1;
    parts[name] = (parts[name] ?? 0) + Math.round(p / 1024);
    const a = /^Pss_Anon:\s+(\d+)/m.exec(rollup)?.[1];
    anon[name] = a === undefined || anon[name] === null ? null : (anon[name] ?? 0) + Math.round(Number(a) / 1024);
  }
  return {
    rssMiB: Math.round(rss / 1024),
    pssMiB: Math.round(pss / 1024),
    pssByProcess: parts,
    anonPssByProcess: anon,
    processes: read,
  };
}

/** Sends `sig` to each of `pids`, those already gone skipped. */
function signal(pids, sig) {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {
      /* already gone */
    }
  }
}

/** Resolves once `child` has exited (at most 5 s). */
function exited(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", resolve);
    setTimeout(resolve, 5000);
  });
}

/** Stops every Herald started on the data folder `dir`: asked first, then killed. */
async function stopHerald(dir) {
  for (const sig of ["SIGTERM", "SIGKILL"]) {
    const left = heraldProcesses(dir);
    if (left.length === 0) break;
    signal(left, sig);
    await sleep(1500);
  }
}

/** Starts tauri-driver and a Herald session on a fresh data folder. */
export async function launch({ dataDir, sendingWindow = false, env = {} } = {}) {
  const app = process.env.HERALD_APP ?? path.join(repoRoot, "target", "debug", "herald");
  const driverBin = process.env.TAURI_DRIVER ?? "tauri-driver";
  const dir = dataDir ?? mkdtempSync(path.join(tmpdir(), "herald-e2e-"));
  if (!sendingWindow && !dataDir) {
    // The journeys run at whatever hour CI runs them; the sending window has its own test.
    execFileSync(CLI, ["--data-dir", dir, "settings", "set", "window.enabled", "off"], { stdio: "ignore" });
  }
  const log = path.join(dir, "tauri-driver.log");
  // tauri-driver answers as soon as it listens (its /status fails until WebKitWebDriver is
  // up), so wait for any answer, then retry creating the session on a loaded machine. A
  // driver that never answers (seen once in a while, its log empty) is replaced once, on
  // other ports.
  const start = async (deadline) => {
    const port = 4444 + Math.floor(Math.random() * 1000);
    const driver = spawn(driverBin, ["--port", String(port), "--native-port", String(port + 1000)], {
      env: {
        ...process.env,
        HERALD_DATA_DIR: dir,
        NO_AT_BRIDGE: "1",
        // TEST mode's simulated statuses arrive in seconds, not minutes, and are polled often.
        HERALD_SIMULATOR_TIME_SCALE: process.env.HERALD_SIMULATOR_TIME_SCALE ?? "0.05",
        HERALD_ENGINE_POLL_MS: process.env.HERALD_ENGINE_POLL_MS ?? "300",
        ...env,
      },
      // Not the runner's own stdout: a process left behind must never keep the runner waiting.
      stdio: ["ignore", openSync(log, "a"), openSync(log, "a")],
    });
    const base = `http://127.0.0.1:${port}`;
    let json;
    for (;;) {
      try {
        const res = await fetch(`${base}/session`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            capabilities: { alwaysMatch: { browserName: "wry", "tauri:options": { application: app } } },
          }),
        });
        json = await res.json().catch(() => ({}));
        if (res.ok && json.value?.sessionId) return { driver, base, sessionId: json.value.sessionId };
      } catch {
        /* not listening yet */
      }
      if (driver.exitCode !== null || Date.now() > deadline) {
        // The driver and what it started (WebKitWebDriver, perhaps a Herald), for good.
        signal(processTree(driver.pid).reverse(), "SIGKILL");
        await exited(driver);
        const said = readFileSync(log, "utf8").trim().split("\n").slice(-5).join(" | ");
        return { error: `${JSON.stringify(json?.value ?? "no answer")} on port ${port}; tauri-driver said: ${said || "nothing"}` };
      }
      await sleep(250);
    }
  };
  let started = await start(Date.now() + 45000);
  if (started.error) {
    const first = started.error;
    // A Herald the first driver may have started would take the second one's place
    // (one Herald per person): it goes first.
    await stopHerald(dir);
    started = await start(Date.now() + 45000);
    if (started.error) throw new Error(`could not start Herald under WebDriver: ${first}; then ${started.error}`);
    console.error(`# tauri-driver did not answer (${first}); the second one did`);
  }
  const { driver, base, sessionId } = started;
  const session = new Session(base, sessionId);
  const stop = async () => {
    await session.close();
    // SIGTERM (not SIGKILL) so tauri-driver also stops WebKitWebDriver.
    driver.kill("SIGTERM");
    await exited(driver);
    // Whatever the driver did, no Herald started on this data folder outlives the test.
    await stopHerald(dir);
  };
  return { session, dataDir: dir, stop };
}

/**
 * Starts one of the fake servers (`herald-fake-imis`, `herald-fake-twilio`) built in
 * target/debug on a free port; resolves to its base URL and a stop function.
 */
export async function startFake(name, args = []) {
  const child = spawn(path.join(repoRoot, "target", "debug", name), ["--port", "0", ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start`)), 20000);
    child.stdout.on("data", (chunk) => {
      const m = /listening on (http:\/\/\S+)/.exec(String(chunk));
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once("exit", (code) => reject(new Error(`${name} exited (${code})`)));
  });
  return { url, stop: () => child.kill() };
}

/** Runs xdotool on the test's X display and returns what it printed ("" when it failed). */
function xdotool(...args) {
  try {
    return execFileSync("xdotool", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "";
  }
}

/**
 * Answers the system Save dialog titled `title` the way a person does: waits for it, types
 * the full path `file` in its name field and presses Enter. (Herald opens the GTK dialog
 * through the Tauri dialog plugin; nothing in Herald knows it is being tested.)
 */
export async function answerSaveDialog(title, file, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  let win = "";
  while (!(win = xdotool("search", "--onlyvisible", "--name", `^${title}$`).split("\n")[0])) {
    if (Date.now() > deadline) throw new Error(`no "${title}" dialog appeared`);
    await sleep(200);
  }
  await sleep(500); // the dialog lays itself out and selects the suggested name
  xdotool("windowfocus", "--sync", win);
  xdotool("key", "--clearmodifiers", "ctrl+a");
  xdotool("type", "--delay", "15", file);
  await sleep(300);
  xdotool("key", "Return");
}

/**
 * A desktop notification server on the test's session bus (tests/e2e/notifications): what
 * Herald shows is collected in `shown`, and `click(id)` clicks one as a person would.
 */
export async function startNotificationServer() {
  const dir = path.join(repoRoot, "tests", "e2e", "notifications");
  const child = spawn("python3", [path.join(dir, "fake_notifications.py")], {
    env: { ...process.env, PYTHONPATH: path.join(dir, "pydeps") },
    stdio: ["pipe", "pipe", "inherit"],
  });
  const shown = [];
  let ready;
  const started = new Promise((resolve, reject) => {
    ready = resolve;
    child.once("exit", (code) => reject(new Error(`the notification server exited (${code})`)));
    setTimeout(() => reject(new Error("the notification server did not start")), 20000);
  });
  let buffered = "";
  child.stdout.on("data", (chunk) => {
    buffered += String(chunk);
    let nl;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      const line = JSON.parse(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
      if (line.ready) ready();
      else shown.push(line);
    }
  });
  await started;
  return {
    shown,
    click: (id) => child.stdin.write(`click ${id}\n`),
    stop: () => child.kill(),
  };
}
