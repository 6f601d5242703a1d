// End-to-end: the real app in its real webview (WebKitGTK), driven through tauri-driver and
// WebKitWebDriver, against the project's fake Gemini server, on a throwaway database and a
// throwaway keychain service. Run by `make e2e` (and `make test`) under Xvfb with a private
// Secret Service (scripts/with-keyring.sh):
//
//   enter a key → create a project → import the sample file → run to 100% → review and copy a
//   reply → export a CSV → the Costs chart shows the run's cost; a screenshot of every screen
//   goes to e2e/screenshots/, and the start-up time and memory to e2e/screenshots/metrics.json.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, execFileSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { Session, arg, sleep } from "./webdriver.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..");
// Cargo's output folder, wherever CARGO_TARGET_DIR puts it.
const targetDir = process.env.CARGO_TARGET_DIR ? path.resolve(root, process.env.CARGO_TARGET_DIR) : path.join(root, "target");
const APP = process.env.APP_BINARY ?? path.join(targetDir, "debug/comment-finder-app");
const FAKE = process.env.FAKE_GEMINI_BINARY ?? path.join(targetDir, "debug/fake-gemini");
// The fake Apify + X API server (crates/fake-sources), for finding posts.
const FAKE_SOURCES = process.env.FAKE_SOURCES_BINARY ?? path.join(targetDir, "debug/fake-sources");
const APIFY_TOKEN = "e2e-apify-token-0001";
const SHOTS = path.join(here, "screenshots");
const KEY = "e2e-fake-gemini-key-7f3a";
const PROJECT = "E2E Growth";
const CSV_COLUMNS =
  "rank,priority_score,project,tweet_id,url,author,followers,views,tweet_text,posted_at,score_total,label,topic,why," +
  "suggested_response,suggested_type,alternative_1,alt_1_type,alternative_2,alt_2_type,alternative_3,alt_3_type,alternative_4,alt_4_type";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "comment-finder-e2e-"));
// Links the app opens: the app hands them to the desktop's opener (`xdg-open`, found on PATH,
// as on any Linux desktop); the test puts a stand-in first on PATH that writes each link to a
// file instead of starting a browser. The app's code path is the one users get.
const OPENED = path.join(tmp, "opened-urls.txt");
const FAKE_BIN = path.join(tmp, "bin");
fs.mkdirSync(FAKE_BIN, { recursive: true });
fs.writeFileSync(path.join(FAKE_BIN, "xdg-open"), `#!/bin/sh\nprintf '%s\\n' "$1" >> '${OPENED}'\n`, { mode: 0o755 });
const children = [];
const metrics = {};
let wd;
let driverPid;

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function start(command, args, env) {
  // Its own process group, so cleanup also reaches what it starts (WebKitWebDriver, the app).
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"], detached: true });
  children.push(child);
  const log = fs.createWriteStream(path.join(tmp, `${path.basename(command)}.log`));
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  return child;
}

async function waitForHttp(url, timeout = 20000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      const r = await fetch(url);
      if (r.status < 500) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeout} ms`);
    await sleep(100);
  }
}

/** The sample posts with their times moved so the newest is minutes old (as the app does for
 * its own sample project), so scores and the run's "hours back" filter behave as on the day
 * the file was written. */
function freshSampleFile() {
  const posts = JSON.parse(fs.readFileSync(path.join(root, "sample/posts.json"), "utf8"));
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  const parse = (s) => {
    const [, mon, day, time, , year] = s.split(" ");
    const [h, m, sec] = time.split(":").map(Number);
    return Date.UTC(Number(year), months.indexOf(mon), Number(day), h, m, sec);
  };
  const format = (ms) => {
    const d = new Date(ms);
    const p = (n) => String(n).padStart(2, "0");
    return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000 ${d.getUTCFullYear()}`;
  };
  const reference = Date.UTC(2026, 10, 28, 12, 0, 0); // sample::REFERENCE_TIME
  const shift = Date.now() - reference;
  for (const post of posts) {
    if (post && typeof post.createdAt === "string") post.createdAt = format(parse(post.createdAt) + shift);
  }
  // The app's own imports folder (beside its database): the app reads typed paths only
  // there, since the test cannot drive the system's file window.
  const file = path.join(tmp, "data", "imports", "posts.json");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(posts));
  return file;
}

/** A screenshot of the X display (the app's window fills it). WebKitWebDriver's own screenshot
 * command can hang on pages with running animations, so ImageMagick's `import` takes it. */
async function shot(name) {
  await sleep(250); // let the last click's rendering land
  execFileSync("import", ["-window", "root", path.join(SHOTS, `${name}.png`)], { timeout: 20000 });
}

async function nav(screen) {
  await wd.clickOn(`[data-testid="nav-${screen}"]`);
}

/** Processes started (directly or not) by tauri-driver, with their memory. */
function appProcesses() {
  const parents = new Map();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parents.set(Number(entry), ppid);
    } catch {
      // gone
    }
  }
  const isDescendant = (pid) => {
    for (let p = parents.get(pid); p; p = parents.get(p)) if (p === driverPid) return true;
    return false;
  };
  const out = [];
  for (const pid of parents.keys()) {
    if (!isDescendant(pid)) continue;
    let comm;
    try {
      comm = fs.readFileSync(`/proc/${pid}/comm`, "utf8").trim();
    } catch {
      continue;
    }
    if (comm === "WebKitWebDriver") continue; // the test's driver, not the app
    const rollup = fs.readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
    const kb = (name) => Number((rollup.match(new RegExp(`^${name}:\\s+(\\d+)`, "m")) ?? [0, 0])[1]);
    out.push({ pid, comm, rss_mb: kb("Rss") / 1024, pss_mb: kb("Pss") / 1024 });
  }
  return out;
}

function memory() {
  const procs = appProcesses();
  const sum = (k) => Math.round(procs.reduce((a, p) => a + p[k], 0) * 10) / 10;
  return { processes: procs.map((p) => `${p.comm}:${Math.round(p.pss_mb)}MB`), pss_mb: sum("pss_mb"), rss_mb: sum("rss_mb") };
}

/** Runs a step; on failure keeps a screenshot of what the window showed. */
function step(name, body) {
  return it(name, async () => {
    try {
      await body();
    } catch (e) {
      try {
        await shot(`failed-${name.replace(/\W+/g, "-")}`);
      } catch {
        // no display
      }
      throw e;
    }
  });
}

describe("Comment Finder desktop app", { timeout: 300000 }, () => {
  let fakeUrl;
  let sourcesUrl;
  let postsFile;

  before(async () => {
    for (const [what, file] of [
      ["app", APP],
      ["fake Gemini server", FAKE],
      ["fake Apify and X server", FAKE_SOURCES],
    ]) {
      assert.ok(fs.existsSync(file), `The ${what} is not built (${file}); run \`make e2e\`.`);
    }
    fs.mkdirSync(SHOTS, { recursive: true });
    for (const old of fs.readdirSync(SHOTS)) if (old.endsWith(".png")) fs.rmSync(path.join(SHOTS, old));
    postsFile = freshSampleFile();

    const fakePort = await freePort();
    start(FAKE, ["--port", String(fakePort), "--key", KEY, "--latency-ms", "1200", "--jitter-ms", "400", "--seed", "7"]);
    fakeUrl = `http://127.0.0.1:${fakePort}`;
    await waitForHttp(`${fakeUrl}/v1beta/models?key=${KEY}`);
    // Actor runs of 20 simulated seconds take one real second.
    const sourcesPort = await freePort();
    start(FAKE_SOURCES, ["--port", String(sourcesPort), "--apify-token", APIFY_TOKEN, "--time-scale", "20"]);
    sourcesUrl = `http://127.0.0.1:${sourcesPort}`;
    await waitForHttp(`${sourcesUrl}/_fake/stats`);

    const port = await freePort();
    const nativePort = await freePort();
    const driver = start("tauri-driver", ["--port", String(port), "--native-port", String(nativePort)], {
      COMMENT_FINDER_DB: path.join(tmp, "data/comment-finder.db"),
      COMMENT_FINDER_LOG_DIR: path.join(tmp, "logs"),
      COMMENT_FINDER_KEYCHAIN_SERVICE: `app.commentfinder.e2e.${process.pid}`,
      GEMINI_BASE_URL: fakeUrl,
      GEMINI_API_KEY: "",
      // Batch jobs are checked every half second (every few seconds, growing, by default).
      COMMENT_FINDER_BATCH_POLL_MS: "500",
      APIFY_BASE_URL: sourcesUrl,
      X_API_BASE_URL: sourcesUrl,
      APIFY_TOKEN: "",
      X_BEARER_TOKEN: "",
      PATH: `${FAKE_BIN}:${process.env.PATH}`,
    });
    driverPid = driver.pid;
    await waitForHttp(`http://127.0.0.1:${port}/status`);

    const t0 = performance.now();
    wd = await Session.create(`http://127.0.0.1:${port}`, {
      "tauri:options": { application: APP },
      "wdio:enforceWebDriverClassic": true,
    });
    await wd.waitFor('[data-testid="first-run"]', { timeout: 30000 });
    metrics.cold_start_to_first_screen_ms = Math.round(performance.now() - t0);
  });

  after(async () => {
    try {
      if (wd) await wd.close();
    } catch {
      // the app may already be gone
    }
    // Whole process groups: an app left behind would hold the test runner's output open and
    // keep it waiting forever.
    const signalGroup = (child, signal) => {
      try {
        process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    };
    for (const child of children.reverse()) signalGroup(child, "SIGTERM");
    await sleep(500);
    for (const child of children) signalGroup(child, "SIGKILL");
    spawnSync("pkill", ["-KILL", "-f", APP]);
    const logs = path.join(tmp, "logs");
    if (fs.existsSync(logs)) {
      const text = fs.readdirSync(logs).map((f) => fs.readFileSync(path.join(logs, f), "utf8")).join("");
      const loaded = text.match(/page loaded window="main" ms=(\d+)/);
      if (loaded) metrics.app_reported_page_load_ms = Number(loaded[1]);
    }
    fs.writeFileSync(path.join(SHOTS, "metrics.json"), JSON.stringify(metrics, null, 2) + "\n");
    console.log("E2E metrics:", JSON.stringify(metrics));
    if (process.env.E2E_KEEP_TMP) console.log("E2E files kept in", tmp);
    else fs.rmSync(tmp, { recursive: true, force: true });
  });

  step("opens on the first-run screen quickly and lightly", async () => {
    await sleep(2500); // let the window settle, then measure it idle
    metrics.idle_memory = memory();
    await shot("01-first-run");
    assert.ok(metrics.cold_start_to_first_screen_ms < 15000, `start-up took ${metrics.cold_start_to_first_screen_ms} ms`);
  });

  step("checks and saves the Gemini key, and sets the limits", async () => {
    await wd.fill('[data-testid="key-input-gemini"]', KEY);
    await wd.clickOn('[data-testid="key-save-gemini"]');
    const { text } = await wd.waitForText('[data-testid="key-status-gemini"]', /7f3a/, { timeout: 20000 });
    assert.doesNotMatch(text, /e2e-fake/, "the key is never shown back in full");
    // Custom limits, so the run is quick against the (unlimited) fake server.
    await wd.clickOn('[data-testid="tier-custom"]');
    await wd.fill('[data-testid="limit-rpm"]', "600");
    await wd.clickOn('[data-testid="tier-save"]');
    await sleep(500);
    await shot("02-first-run-done");
    await wd.clickOn('[data-testid="first-run-done"]');
    await wd.waitFor('[data-testid="review-item"]', { timeout: 20000 });
    await shot("03-opportunities-sample");
  });

  step("creates a project", async () => {
    await nav("projects");
    await wd.waitFor('[data-testid="project-list"]');
    await shot("04-projects");
    await wd.clickOn('[data-testid="project-new"]');
    await wd.fill('[data-testid="project-name-input"]', PROJECT);
    await wd.clickOn('[data-testid="topic-add"]');
    await wd.fill('[data-testid="topic-label-0"]', "product-led growth");
    const [description, examples] = await wd.findAll('[data-testid="topic-0"] textarea');
    await wd.type(
      description,
      "Product-led growth for SaaS: free trials, onboarding, activation, time to value, free-to-paid conversion, pricing pages.",
    );
    await wd.type(examples, "We replaced the onboarding tour with a sample project and retention improved.");
    await shot("05-project-editor");
    await wd.clickOn('[data-testid="project-save"]');
    // Saved: the project is listed and chosen in the picker.
    await wd.waitFor('[data-testid="project-picker"]', {
      timeout: 15000,
      what: `"${PROJECT}" in the project picker`,
      check: async (s) =>
        (await s.execute(`return [...document.querySelectorAll('[data-testid="project-picker"] option')].some(o => o.textContent === ${JSON.stringify(PROJECT)})`)) === true,
    });
    await wd.execute(
      `const s = document.querySelector('[data-testid="project-picker"]');
       const o = [...s.options].find(o => o.textContent === ${JSON.stringify(PROJECT)});
       if (s.value !== o.value) {
         const set = Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, "value").set;
         set.call(s, o.value);
         s.dispatchEvent(new Event("change", { bubbles: true }));
       }`,
    );
  });

  step("imports the sample posts", async () => {
    await nav("import");
    await shot("06-import");
    const fold = await wd.waitFor('[data-testid="import-path-fold"]');
    await wd.execute("arguments[0].open = true", [arg(fold)]);
    await wd.fill('[data-testid="import-path-input"]', postsFile);
    await wd.clickOn('[data-testid="import-path-submit"]');
    await wd.waitFor('[data-testid="import-result"]', { timeout: 30000 });
    const added = Number((await wd.readText('[data-testid="import-added"]')).replace(/\D/g, "") || 0);
    const updated = Number((await wd.readText('[data-testid="import-updated"]')).replace(/\D/g, "") || 0);
    assert.ok(added + updated >= 150, `imported ${added} + ${updated} posts`);
    await shot("07-import-done");
  });

  step("runs and watches progress reach 100%", async () => {
    await nav("run");
    await wd.fill('[data-testid="run-hours"]', "48");
    await wd.fill('[data-testid="run-min-followers"]', "0");
    const { text: forecast } = await wd.waitForText('[data-testid="run-forecast-text"]', /\d/, { timeout: 20000 });
    metrics.forecast = forecast.replace(/\s+/g, " ").slice(0, 300);
    await shot("08-run-forecast");
    await wd.clickOn('[data-testid="run-start"]');
    try {
      await wd.clickOn('[data-testid="confirm-yes"]', { timeout: 1500 });
    } catch {
      // no confirmation asked
    }
    // Live progress (events, not polling): catch it part-way, then at 100%.
    let midway = false;
    const deadline = Date.now() + 120000;
    for (;;) {
      let text = "";
      try {
        const els = await wd.findAll('[data-testid="run-percent"]');
        text = els.length ? await wd.text(els[0]) : "";
      } catch {
        // re-rendered between finding and reading it: read again
      }
      const pct = Number((text.match(/(\d+)\s*%/) ?? [])[1]);
      if (!midway && pct > 0 && pct < 100) {
        midway = true;
        execFileSync("import", ["-window", "root", path.join(SHOTS, "09-run-progress.png")], { timeout: 20000 });
      }
      if (pct === 100) break;
      if (Date.now() > deadline) throw new Error(`the run did not reach 100% (last: "${text}")`);
      await sleep(150);
    }
    metrics.run_seen_midway = midway;
    const { text: summary } = await wd.waitForText('[data-testid="run-summary"]', /succeeded/, { timeout: 30000 });
    assert.match(summary, /[1-9]\d* succeeded, 0 failed/);
    metrics.run_summary = summary.replace(/\s+/g, " ");
    // Fewer posts than estimated: the screen says why (the engine's sentence).
    const estimated = Number((metrics.forecast.match(/(\d+) posts? will/) ?? [])[1]);
    const done = Number((summary.match(/(\d+) succeeded/) ?? [])[1]);
    if (estimated > done) {
      const { text: note } = await wd.waitForText('[data-testid="run-forecast-note"]', /estimate counted/);
      metrics.forecast_note = note.replace(/\s+/g, " ");
    }
    await shot("10-run-finished");
  });

  step("reviews a post and copies a reply", async () => {
    // "Review the replies" opens the queue on this run's posts.
    await wd.clickOn('[data-testid="run-review"]');
    // A post the run wrote replies for ("· 2 drafts" in the list).
    const item = await wd.waitFor('[data-testid="review-item"]', {
      timeout: 20000,
      what: "a post with reply drafts",
      check: async (s, el) => /\d+ drafts?\b/.test(await s.text(el)),
    });
    await wd.click(item);
    const copy = await wd.waitFor('[data-testid="draft-copy-first"]', { timeout: 20000 });
    const draft = await wd.readText('[data-testid="draft-first"] [data-testid="draft-text"]');
    assert.ok(draft.length > 5, "a reply draft is shown");
    await wd.click(copy);
    await wd.waitForText('[data-testid="toasts"]', /copied/i, { timeout: 10000 });
    const clip = clipboard();
    if (clip !== null) assert.equal(clip.trim(), draft.trim(), "the clipboard holds the reply");
    metrics.clipboard_checked = clip !== null;
    await shot("11-opportunities-review");
  });

  step("exports a CSV with the known columns", async () => {
    await nav("export");
    await shot("12-export");
    // The app's own exports folder: typed paths elsewhere are refused (see the end).
    const out = path.join(tmp, "data", "exports", "today.csv");
    fs.mkdirSync(path.dirname(out), { recursive: true });
    const fold = await wd.waitFor('[data-testid="export-path-fold"]');
    await wd.execute("arguments[0].open = true", [arg(fold)]);
    await wd.fill('[data-testid="export-path-input"]', out);
    await wd.clickOn('[data-testid="export-path-submit"]');
    await wd.waitFor('[data-testid="export-result"]', { timeout: 20000 });
    assert.ok(fs.existsSync(out), `${out} exists`);
    const [header, ...rows] = fs.readFileSync(out, "utf8").split("\r\n").filter(Boolean);
    assert.equal(header, CSV_COLUMNS);
    assert.ok(rows.length > 0, "the CSV has rows");
    await shot("13-export-done");
  });

  step("shows the run's cost on the Costs chart", async () => {
    await nav("costs");
    await wd.waitFor('[data-testid="costs-chart"]', { timeout: 20000 });
    const { text } = await wd.waitForText('[data-testid="costs-chart-total"]', /\$\s*0\.0*[1-9]/, { timeout: 20000 });
    metrics.costs_chart_total = text;
    await sleep(800); // chart animation
    await shot("14-costs");
  });

  step("shows settings with the key status and the logs", async () => {
    await nav("settings");
    await wd.waitForText('[data-testid="key-status-gemini"]', /7f3a/);
    await wd.waitForText('[data-testid="logs"]', /run ended|starting/, { timeout: 15000 });
    await shot("15-settings");
    metrics.memory_after_run = memory();
  });

  step("stops a run at its budget; raised, it goes on until Google's daily limit stops it", async () => {
    await nav("run");
    // The first run's result is still on screen: leave it for a new run's form.
    await wd.clickOn('[data-testid="run-another"]');
    await wd.fill('[data-testid="run-hours"]', "48");
    await wd.fill('[data-testid="run-min-followers"]', "0");
    // Red posts were left out of the first run, so this one has work to do.
    await wd.clickOn('[data-testid="run-label-red"]');
    await wd.clickOn('[data-testid="run-budget-on"]');
    // Less than one packed request can cost at worst: the engine refuses to send it.
    await wd.fill('[data-testid="run-budget"]', "0.0005");
    await wd.waitForText('[data-testid="run-forecast-text"]', /\d/, { timeout: 20000 });
    await wd.clickOn('[data-testid="run-start"]');
    try {
      await wd.clickOn('[data-testid="confirm-yes"]', { timeout: 1500 });
    } catch {
      // no confirmation asked
    }
    const { text: stopped } = await wd.waitForText('[data-testid="budget-reached-sentence"]', /Budget reached: \$/, {
      timeout: 60000,
    });
    metrics.budget_stop = stopped.replace(/\s+/g, " ");
    await shot("16-run-budget-reached");
    // Google's daily allowance runs out just as the budget is raised: the next answer is a
    // per-day 429, as Google sends it.
    const scripted = await fetch(`${fakeUrl}/_fake/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ faults: ["429-daily"] }),
    });
    assert.equal(scripted.status, 200);
    await wd.fill('[data-testid="raise-budget-input"]', "5");
    await wd.clickOn('[data-testid="raise-budget-resume"]');
    const { text } = await wd.waitForText('[data-testid="daily-quota-sentence"]', /daily allowance/, { timeout: 90000 });
    metrics.daily_quota = text.replace(/\s+/g, " ");
    await wd.waitForText('[data-testid="daily-quota-resets"]', /\d{1,2}:\d{2}/);
    // Once the requests in flight have landed, the app offers to go on when the quota resets.
    await wd.waitFor('[data-testid="resume-when-reset"]', { timeout: 60000 });
    await shot("17-run-daily-limit");
  });

  step("warns when this month's spend passes 80% of the monthly budget", async () => {
    // A monthly budget this month's spend already fills beyond 80%: the next request warns.
    await nav("settings");
    await wd.fill('[data-testid="budget-input"]', "0.025");
    await wd.clickOn('[data-testid="budget-save"]');
    await sleep(500);
    await nav("run");
    await wd.clickOn('[data-testid="resume-now"]');
    const { text } = await wd.waitForText('[data-testid="budget-alert-banner"]', /monthly budget/, { timeout: 60000 });
    metrics.budget_alert = text.replace(/\s+/g, " ").slice(0, 200);
    await shot("18-monthly-budget-alert");
  });

  step("sends a run at half price through Google's Batch API and sees it finish", async () => {
    // Let the previous run end, and take the monthly budget off so it does not stop this one.
    await nav("run");
    const deadline = Date.now() + 90000;
    while ((await wd.findAll('[data-testid="run-live"]')).length > 0) {
      if (Date.now() > deadline) throw new Error("the previous run did not end");
      await sleep(500);
    }
    await nav("settings");
    await wd.fill('[data-testid="budget-input"]', "5");
    await wd.clickOn('[data-testid="budget-save"]');
    await wd.waitForText('[data-testid="toasts"]', /Budget set to \$5/, { timeout: 10000 });
    await nav("run");
    // The previous run's result may still be on screen: leave it for a new run's form.
    const another = await wd.findAll('[data-testid="run-another"]');
    if (another.length > 0) await wd.click(another[0]);
    await wd.fill('[data-testid="run-hours"]', "48");
    await wd.fill('[data-testid="run-min-followers"]', "0");
    // The red posts the budget step left are still to do.
    const red = await wd.waitFor('[data-testid="run-label-red"]');
    if (!(await wd.execute("return arguments[0].checked || !!arguments[0].querySelector('input:checked');", [arg(red)])))
      await wd.click(red);
    // Both prices side by side before choosing. (Google's daily allowance for sending now is
    // used up by the step before; the Batch API's is not, so the half-price run can still go.)
    const { text: choice } = await wd.waitForText('[data-testid="run-mode"]', /Cheaper, slower.*\$/s, { timeout: 20000 });
    metrics.batch_choice = choice.replace(/\s+/g, " ");
    await wd.clickOn('[data-testid="run-mode-batch"]');
    await wd.waitForText('[data-testid="run-start"]', /half price/);
    await shot("30-run-mode-choice");
    // The estimate may still be re-rendering from the mode change: click again until the run
    // card replaces the form (a started run hides the Start button).
    for (let attempt = 1; ; attempt++) {
      await wd.clickOn('[data-testid="run-start"]');
      try {
        await wd.waitFor('[data-testid="run-live"], [data-testid="run-batch"], [data-testid="run-finished"]', { timeout: 5000 });
        break;
      } catch (e) {
        if (attempt >= 3 || (await wd.findAll('[data-testid="run-start-error"]')).length > 0) throw e;
      }
    }
    const { text: waiting } = await wd.waitForText('[data-testid="run-batch-status"]', /Google/, { timeout: 60000 });
    metrics.batch_waiting = waiting.replace(/\s+/g, " ");
    await shot("31-run-batch-waiting");
    const { text: summary } = await wd.waitForText('[data-testid="run-summary"]', /half price/, { timeout: 90000 });
    assert.match(summary, /[1-9]\d* succeeded, 0 failed/);
    metrics.batch_summary = summary.replace(/\s+/g, " ");
    await wd.waitForText('[data-testid="run-batch-state"]', /Half price/, { timeout: 20000 });
    await shot("32-run-batch-finished");
  });

  // ---- hardening: files the window may have the app read ----
  step("refuses to import a typed path outside the app's own folders", async () => {
    const outside = path.join(tmp, "outside.json");
    fs.copyFileSync(postsFile, outside);
    await nav("import");
    const fold = await wd.waitFor('[data-testid="import-path-fold"]');
    await wd.execute("arguments[0].open = true", [arg(fold)]);
    await wd.fill('[data-testid="import-path-input"]', outside);
    await wd.clickOn('[data-testid="import-path-submit"]');
    const { text } = await wd.waitForText('[data-testid="import-error"]', /file window/, { timeout: 20000 });
    metrics.path_refused = text.replace(/\s+/g, " ").slice(0, 200);
  });

  step("a second launch hands over to the running window and exits", async () => {
    const t0 = performance.now();
    const second = spawnSync(APP, [], {
      env: {
        ...process.env,
        COMMENT_FINDER_DB: path.join(tmp, "data/comment-finder.db"),
        COMMENT_FINDER_LOG_DIR: path.join(tmp, "logs"),
        COMMENT_FINDER_KEYCHAIN_SERVICE: `app.commentfinder.e2e.${process.pid}`,
      },
      timeout: 30000,
      encoding: "utf8",
    });
    metrics.second_launch_exit_ms = Math.round(performance.now() - t0);
    assert.equal(second.error, undefined, "the second launch exits by itself");
    assert.equal(second.status, 0, second.stderr);
    // The first window is still there and working, and heard about the second launch.
    await nav("settings");
    await wd.waitFor('[data-testid="data-folder"]');
    const logs = fs.readdirSync(path.join(tmp, "logs")).map((f) => fs.readFileSync(path.join(tmp, "logs", f), "utf8")).join("");
    assert.match(logs, /a second launch: showing the running window/);
  });

  // ---- Find posts (issue 9): search the fake Apify from the Find posts screen ----

  step("finds posts on Apify from the Find posts screen and shows a term analysis", async () => {
    try {
      await wd.clickOn('[data-testid="budget-alert-dismiss"]', { timeout: 1500 });
    } catch {
      // no budget banner left from the steps before
    }
    await nav("settings");
    // The steps before left a tiny monthly budget; posts cost money too, so raise it.
    await wd.fill('[data-testid="budget-input"]', "10");
    await wd.clickOn('[data-testid="budget-save"]');
    await sleep(500);
    await wd.fill('[data-testid="key-input-apify"]', APIFY_TOKEN);
    await wd.clickOn('[data-testid="key-save-apify"]');
    await wd.waitForText('[data-testid="key-status-apify"]', /0001/, { timeout: 20000 });
    await nav("find");
    await wd.fill('[data-testid="find-terms"]', "onboarding, zebra crossings");
    await wd.fill('[data-testid="find-count"]', "120");
    await wd.fill('[data-testid="find-save-name"]', "Onboarding watch");
    // 2 terms × 120 posts at $0.40 per 1,000, estimated by the engine before anything is spent.
    await wd.waitForText('[data-testid="find-estimate"]', /at most \$0\.0960/, { timeout: 20000 });
    await shot("19-find-posts");
    const t0 = performance.now();
    await wd.clickOn('[data-testid="find-start"]');
    const { text } = await wd.waitForText('[data-testid="find-result"]', /new posts? added/, { timeout: 90000 });
    metrics.find_search_ms = Math.round(performance.now() - t0);
    metrics.find_result = text.replace(/\s+/g, " ").slice(0, 200);
    const { text: added } = await wd.waitForText('[data-testid="find-result-added"]', /\d/);
    assert.equal(Number(added.replace(/\D/g, "")), 240, "both terms brought 120 new posts");
    await wd.waitFor('[data-testid="find-analysis-chart"]', { timeout: 20000 });
    const { text: verdicts } = await wd.waitForText('[data-testid="find-analysis-table"]', /Poor/);
    metrics.find_term_analysis = verdicts.replace(/\s+/g, " ").slice(0, 300);
    await wd.waitFor('[data-testid="find-saved-row"]');
    await wd.execute('document.querySelector(\'[data-testid="find-result"]\').scrollIntoView({ block: "start" })');
    await sleep(800); // chart animation
    await shot("20-find-term-analysis");
  });

  step("the posts found are in the review queue", async () => {
    await nav("review");
    await wd.fill('[data-testid="review-search"]', "zebra");
    await sleep(1000); // the list follows the search box after a short pause
    await wd.clickOn('[data-testid="review-item"]', { timeout: 20000 });
    await wd.waitForText('[data-testid="post-text"]', /zebra crossings/i, { timeout: 20000 });
    await shot("21-find-review-queue");
  });

  step("a saved search fetches only the posts published since, with one click", async () => {
    // An hour of new posts appears on the fake.
    const advanced = await fetch(`${sourcesUrl}/_fake/advance?seconds=3600`, { method: "POST" });
    assert.equal(advanced.status, 200);
    await nav("find");
    await wd.clickOn('[data-testid="find-new"]');
    await wd.waitForText('[data-testid="find-result"]', /new posts? added/, { timeout: 90000 });
    const { text: added } = await wd.waitForText('[data-testid="find-result-added"]', /\d/);
    const n = Number(added.replace(/\D/g, ""));
    assert.ok(n > 0 && n < 120, `only the newer posts arrive (got ${n})`);
    metrics.find_new_posts_added = n;
  });

  step("Costs shows what the posts cost beside the AI's", async () => {
    await nav("costs");
    // The data provider is a series of its own, beside the Gemini models.
    let series = "";
    await wd.waitFor('[data-testid="costs-chart-data"]', {
      timeout: 20000,
      what: "the costs chart with the Apify series",
      check: async (session, el) => {
        series = (await session.attribute(el, "data-series")) ?? "";
        return series.includes("apify-tweet-scraper");
      },
    });
    assert.match(series, /gemini/, `series: ${series}`);
    metrics.find_costs_series = series;
    await sleep(800); // chart animation
    await shot("22-find-costs-side-by-side");
  });

  // ---- The marketer's day (issue 10): reply via X's reply box, undo, export keeps the
  // queue, sample drafts, dark mode, a small window ----

  /** Presses a key the way a person does (WebDriver actions); the queue listens on the window. */
  async function pressKey(key) {
    await wd.cmd("POST", "/actions", {
      actions: [{ type: "key", id: "keyboard", actions: [{ type: "keyDown", value: key }, { type: "keyUp", value: key }] }],
    });
    await wd.cmd("DELETE", "/actions").catch(() => undefined);
  }

  const openedUrls = () => (fs.existsSync(OPENED) ? fs.readFileSync(OPENED, "utf8").split("\n").filter(Boolean) : []);
  const currentTweetId = () => wd.execute(`return document.querySelector('[data-testid="review-item"][aria-current="true"]')?.dataset.tweetId ?? null`);
  const listedIds = () => wd.execute(`return [...document.querySelectorAll('[data-testid="review-item"]')].map(e => e.dataset.tweetId)`);

  async function chooseProject(name) {
    await wd.execute(
      `const s = document.querySelector('[data-testid="project-picker"]');
       const o = [...s.options].find(o => o.textContent === ${JSON.stringify(name)});
       if (s.value !== o.value) {
         const set = Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, "value").set;
         set.call(s, o.value);
         s.dispatchEvent(new Event("change", { bubbles: true }));
       }`,
    );
  }

  /** Selects the first listed post that has reply drafts. */
  async function selectPostWithDrafts() {
    const item = await wd.waitFor('[data-testid="review-item"]', {
      timeout: 20000,
      what: "a post with reply drafts",
      check: async (s, el) => /\d+ drafts?\b/.test(await s.text(el)),
    });
    await wd.click(item);
    await wd.waitFor('[data-testid="draft-reply-first"]');
  }

  /** The first draft's actions are inside the window and no notice covers them. */
  async function draftActionsVisible() {
    return wd.execute(`
      const b = document.querySelector('[data-testid="draft-reply-first"]');
      if (!b) return "no Reply on X button";
      const r = b.closest('[data-testid="draft-first"]').querySelector('.row.tight:last-child').getBoundingClientRect();
      if (r.bottom > window.innerHeight || r.right > window.innerWidth || r.top < 0) return "off screen: " + JSON.stringify(r) + " in " + window.innerWidth + "x" + window.innerHeight;
      for (const t of document.querySelectorAll('[data-testid="toasts"] > *')) {
        const q = t.getBoundingClientRect();
        if (q.left < r.right && q.right > r.left && q.top < r.bottom && q.bottom > r.top) return "covered by a notice";
      }
      return "ok";`);
  }

  step("shows the sample project's sample drafts, written for its best posts", async () => {
    // The run resumed above may still be going: let it end so the queue holds still.
    const until = Date.now() + 120000;
    while ((await wd.findAll('[data-testid="nav-run-percent"]')).length > 0 && Date.now() < until) await sleep(500);
    for (const dismiss of await wd.findAll('[data-testid="budget-alert-dismiss"]')) await wd.click(dismiss).catch(() => undefined);
    await nav("review");
    await chooseProject("Sample: B2B SaaS growth");
    await wd.waitFor('[data-testid="review-item"]', { timeout: 20000 });
    // The best post is selected and has drafts marked as samples (no key or run needed).
    const { text } = await wd.waitForText('[data-testid="draft-first"]', /Sample draft/, { timeout: 20000 });
    assert.match(text, /Reply on X/);
    await shot("40-review-sample-drafts");
  });

  step("replies via X's reply box: the link has the post id and the draft, then posted moves on", async () => {
    await chooseProject(PROJECT);
    await wd.waitFor('[data-testid="review-item"]', { timeout: 20000 });
    const item = await wd.waitFor('[data-testid="review-item"]', {
      timeout: 20000,
      what: "a post with reply drafts",
      check: async (s, el) => /\d+ drafts?\b/.test(await s.text(el)),
    });
    await wd.click(item);
    const id = await currentTweetId();
    assert.match(id, /^\d+$/);
    const ids = await listedIds();
    const next = ids[ids.indexOf(id) + 1];
    const draft = await wd.readText('[data-testid="draft-first"] [data-testid="draft-text"]');
    const before = openedUrls().length;
    await wd.clickOn('[data-testid="draft-reply-first"]');
    const deadline = Date.now() + 15000;
    while (openedUrls().length === before) {
      if (Date.now() > deadline) throw new Error("no link was opened");
      await sleep(100);
    }
    const url = new URL(openedUrls().at(-1));
    assert.equal(`${url.origin}${url.pathname}`, "https://x.com/intent/post");
    assert.equal(url.searchParams.get("in_reply_to"), id);
    assert.equal(url.searchParams.get("text").trim(), draft.trim());
    metrics.reply_link_checked = true;
    // Back in the app: one key confirms it was posted, and the next post is selected.
    await wd.waitFor('[data-testid="reply-confirm"]');
    await shot("41-review-reply-confirm");
    await pressKey("p");
    await wd.waitFor('[data-testid="review-item"]', {
      what: "the next post selected",
      check: async () => (await currentTweetId()) === next && !(await listedIds()).includes(id),
    });
    await wd.waitForText('[data-testid="toasts"]', /posted/i);
    // Undo brings it back to the queue.
    await wd.clickOn('[data-testid="toast-undo"]');
    await wd.waitFor('[data-testid="review-item"]', {
      what: "the posted post back in the queue",
      check: async () => (await listedIds()).includes(id) && (await currentTweetId()) === id,
    });
  });

  step("undoes a skip with one key", async () => {
    const id = await currentTweetId();
    await wd.clickOn('[data-testid="post-skip"]');
    await wd.waitFor('[data-testid="review-item"]', { what: "the skipped post gone", check: async () => !(await listedIds()).includes(id) });
    await pressKey("u");
    await wd.waitFor('[data-testid="review-item"]', {
      what: "the skipped post back",
      check: async () => (await listedIds()).includes(id) && (await currentTweetId()) === id,
    });
  });

  step("exports without changing the queue unless asked", async () => {
    const countBefore = await wd.readText('[data-testid="review-count"]');
    const idsBefore = await listedIds();
    await nav("export");
    const { text: sentence } = await wd.waitForText('[data-testid="export-mark-sentence"]', /changes nothing/);
    assert.match(sentence, /stays in your review queue/);
    // The app's own exports folder: typed paths elsewhere are refused.
    const out = path.join(tmp, "data", "exports", "client.csv");
    fs.mkdirSync(path.dirname(out), { recursive: true });
    const fold = await wd.waitFor('[data-testid="export-path-fold"]');
    await wd.execute("arguments[0].open = true", [arg(fold)]);
    await wd.fill('[data-testid="export-path-input"]', out);
    await wd.clickOn('[data-testid="export-path-submit"]');
    const { text } = await wd.waitForText('[data-testid="export-result"]', /client\.csv/, { timeout: 20000 });
    assert.match(text, /Nothing in your queue changed/);
    await shot("42-export-keeps-queue");
    await nav("review");
    await wd.waitForText('[data-testid="review-count"]', new RegExp(countBefore.replace(/[^\w ]/g, ".")));
    assert.deepEqual(await listedIds(), idsBefore);
  });

  step("keeps the drafts and their actions in view at 1280×800 and 1024×700", async () => {
    await selectPostWithDrafts();
    assert.equal(await draftActionsVisible(), "ok");
    await wd.cmd("POST", "/window/rect", { width: 1024, height: 700 });
    await sleep(700);
    const size = await wd.execute("return [window.innerWidth, window.innerHeight]");
    metrics.small_window = size.join("x");
    assert.equal(await draftActionsVisible(), "ok");
    // The filters stay on one row, inside the window.
    const bar = await wd.execute(`const b = document.querySelector('.filter-bar'); return [b.scrollWidth, b.clientWidth, b.getBoundingClientRect().right, window.innerWidth]`);
    assert.ok(bar[0] <= bar[1] + 1 && bar[2] <= bar[3], `the filter row overflows: ${bar}`);
    // A confirmation notice appears without covering them.
    await wd.clickOn('[data-testid="draft-copy-first"]');
    await wd.waitForText('[data-testid="toasts"]', /copied/i);
    assert.equal(await draftActionsVisible(), "ok");
    await shot("43-review-1024x700");
    await wd.cmd("POST", "/window/rect", { width: 1280, height: 800 });
    await sleep(500);
  });

  step("switches to dark mode in Settings", async () => {
    try {
      await nav("settings");
      await wd.clickOn('[data-testid="theme-dark"]');
      const dark = await wd.execute(`return [document.documentElement.dataset.theme, getComputedStyle(document.body).backgroundColor]`);
      assert.equal(dark[0], "dark");
      const [r, g, b] = dark[1].match(/\d+/g).map(Number);
      assert.ok(r + g + b < 150, `dark background, got ${dark[1]}`);
      await shot("44-settings-dark");
      await nav("review");
      await selectPostWithDrafts();
      await shot("45-review-dark");
      await nav("export");
      await wd.waitFor('[data-testid="export-mark-sentence"]');
      await shot("46-export-dark");
      await nav("costs");
      await wd.waitFor('[data-testid="costs-chart"]', { timeout: 20000 });
      await sleep(800); // chart animation
      await shot("47-costs-dark");
      await nav("settings");
      await wd.clickOn('[data-testid="theme-system"]');
      assert.equal(await wd.execute("return String(document.documentElement.dataset.theme)"), "undefined");
    } finally {
      // The choice lives in the webview's storage, which outlives this test's temporary files.
      await wd.execute('localStorage.removeItem("comment-finder.theme")').catch(() => undefined);
    }
  });
});

/** What the X clipboard holds, when xclip is installed (else null). */
function clipboard() {
  try {
    return execFileSync("xclip", ["-selection", "clipboard", "-o"], { encoding: "utf8", timeout: 3000 });
  } catch {
    return null;
  }
}
