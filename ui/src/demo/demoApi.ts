// The in-memory demo backend: the same `Api` as the desktop app, with realistic sample data,
// so the UI can be viewed and screenshotted in a plain browser. Never used inside Tauri.
//
// Scenarios for screenshots, from the page's query string (before the #):
//   ?demo=fresh    no keys saved yet (the first-run screen)
//   ?demo=running  a run is in progress when the page opens
//   ?demo=empty    a project with no posts and no runs is selected
//   ?demo=quota    the next run stops part-way at Google's daily limit (once)

import type { Api, Unlisten } from "../api";
import type {
  CostDayRow,
  CostQuery,
  Forecast,
  ImportReport,
  KeyStatus,
  LimitSettings,
  Limits,
  Opportunity,
  PriceRow,
  Project,
  ProjectSettings,
  ProjectSummary,
  RunEvent,
  RunListing,
  RunSettings,
  RunSummary,
  SecretName,
  Tier,
  QueueView,
  StatusChange,
} from "../apiTypes";
import type { AppError } from "../lib/errors";
import { formatInt, formatUsd, isoDay, plural } from "../lib/format";
import { newProjectSettings } from "../lib/project";
import {
  buildHistory,
  buildOpportunities,
  demoLogLines,
  demoPlan,
  DEMO_PRICES,
  draftsFor,
  isoLocal,
  SAMPLE_PROJECT,
  SECOND_PROJECT,
  type LedgerRow,
} from "./demoData";
import { DEMO_POSTS } from "./samplePosts";

/** The browser preview's copy of the engine's queue views (crates/finder/src/review.rs). */
function demoInView(o: Opportunity, view: QueueView | null): boolean {
  switch (view) {
    case null:
    case "all":
      return true;
    case "to_review":
      return o.status === "pending";
    case "approved":
      return (o.status === "pending" || o.status === "exported") && o.drafts.some((d) => d.review === "approved");
    case "rejected":
      return o.drafts.some((d) => d.review === "rejected");
    default:
      return o.status === view;
  }
}

const PRESETS: Record<string, Record<"free" | "tier1", Limits>> = {
  "gemini-2.5-pro": { free: { rpm: 5, tpm: 250_000, rpd: 100 }, tier1: { rpm: 150, tpm: 2_000_000, rpd: 10_000 } },
  "gemini-2.5-flash": { free: { rpm: 10, tpm: 250_000, rpd: 250 }, tier1: { rpm: 1_000, tpm: 1_000_000, rpd: 10_000 } },
  "gemini-2.5-flash-lite": { free: { rpm: 15, tpm: 250_000, rpd: 1_000 }, tier1: { rpm: 4_000, tpm: 4_000_000, rpd: null } },
  "gemini-2.0-flash": { free: { rpm: 15, tpm: 1_000_000, rpd: 200 }, tier1: { rpm: 2_000, tpm: 4_000_000, rpd: null } },
};

function fail(code: string, message: string): AppError {
  return { code, message };
}

function wait(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

interface LiveDemoRun {
  id: number;
  projectId: number;
  settings: RunSettings;
  total: number;
  done: number;
  failed: number;
  requests: number;
  retries: number;
  costPicos: number;
  startedAt: number;
  elapsedBefore: number;
  timer: ReturnType<typeof setInterval> | null;
  budgetPicos: number | null;
}

/** Why a demo run stopped on purpose, for its summary. */
interface DemoStop {
  error: string;
  resumeAt: number | null;
}

/** Midnight Pacific time (as Google resets daily limits), as unix seconds: 08:00 UTC, standard time. */
function nextPacificMidnight(nowSeconds: number): number {
  const offset = 8 * 3600;
  return Math.floor((nowSeconds - offset) / 86400 + 1) * 86400 + offset;
}

/** `scenario` defaults to the page's `?demo=` (tests pass it directly). */
export function createDemoApi(scenarioOverride?: string): Api {
  const scenario = scenarioOverride ?? new URLSearchParams(typeof window === "undefined" ? "" : window.location.search).get("demo") ?? "";
  const now = () => Math.floor(Date.now() / 1000);
  const start = now();

  const keys = new Map<SecretName, string>();
  if (scenario !== "fresh") keys.set("gemini", "AIzaSyDemoDemoDemoDemoDemoDemo7Qxa");

  let limits: LimitSettings = {
    tier: "free",
    model: "gemini-2.5-flash",
    limits: PRESETS["gemini-2.5-flash"]!.free,
    monthly_budget_picos: 5_000_000_000_000,
    custom: null,
    gemini_base_url: "https://generativelanguage.googleapis.com",
    gemini_server_host: "generativelanguage.googleapis.com",
    gemini_server_needs_confirmation: false,
    gemini_server_problem: null,
  };

  let nextProjectId = 1;
  const projects = new Map<number, Project>();
  const addProject = (settings: ProjectSettings, createdAgo: number) => {
    const id = nextProjectId++;
    projects.set(id, { id, settings: clone(settings), created_at: start - createdAgo, updated_at: start - createdAgo / 2 });
    return id;
  };
  addProject(SAMPLE_PROJECT, 30 * 86400);
  addProject(SECOND_PROJECT, 9 * 86400);

  const history = buildHistory(start, [
    { id: 1, name: SAMPLE_PROJECT.name },
    { id: 2, name: SECOND_PROJECT.name },
  ]);
  const runs: RunListing[] = history.runs;
  const ledger: LedgerRow[] = history.ledger;
  let nextRunId = Math.max(0, ...runs.map((r) => r.run_id)) + 1;
  const runSettings = new Map<number, RunSettings>();
  /** Each run's budget (pico-dollars), kept for resume. */
  const runBudgets = new Map<number, number | null>();
  /** Why a run stopped at its budget or at the daily limit. */
  const stops = new Map<number, DemoStop>();
  /** ?demo=quota: the daily limit is hit once. */
  let quotaPending = scenario === "quota";
  /** Monthly budget alerts already sent, by "YYYY-MM:percent". */
  const alerted = new Set<string>();

  const lastSampleRun = runs.find((r) => r.project === SAMPLE_PROJECT.name && r.status === "finished")?.run_id ?? null;
  const opportunities = new Map<number, Opportunity[]>();
  opportunities.set(1, buildOpportunities(1, SAMPLE_PROJECT, start, lastSampleRun));
  opportunities.set(2, []);
  // A few posts already handled, so the status filters have something to show.
  for (const [i, o] of (opportunities.get(1) ?? []).entries()) {
    if (i % 9 === 4) o.status = "posted";
    else if (i % 11 === 6) o.status = "skipped";
  }

  let prices: PriceRow[] = clone(DEMO_PRICES);
  const listeners = new Set<(e: RunEvent) => void>();
  const emit = (e: RunEvent) => listeners.forEach((l) => l(clone(e)));
  const live = new Map<number, LiveDemoRun>();

  const project = (id: number): Project => {
    const p = projects.get(id);
    if (!p) throw fail("project_not_found", `No project has id ${id}.`);
    return p;
  };

  const defaults = (projectId: number): RunSettings => ({
    hours_back: 6,
    min_followers: 1000,
    min_likes: 0,
    max_candidates: 150,
    labels: ["green", "yellow"],
    gate: true,
    batch_size: 5,
    per_request: 1,
    model: project(projectId).settings.generation.model || limits.model,
    limits: limits.limits,
    max_attempts: 4,
    embeddings: true,
    mode: "standard",
  });

  const forecast = (projectId: number, s: RunSettings): Forecast => {
    const plan = demoPlan(project(projectId).settings, s);
    const perRequest = Math.max(1, s.per_request);
    const notes: string[] = [];
    // Google's daily limit: what is left today after the day's runs.
    const today = isoLocal(now());
    const usedToday = ledger.filter((l) => l.day === today).reduce((n, l) => n + l.calls, 0);
    const left = s.limits.rpd == null ? null : Math.max(0, s.limits.rpd - usedToday);
    let posts = plan.send;
    if (left != null && Math.ceil(posts / perRequest) > left) {
      posts = Math.min(posts, left * perRequest);
      notes.push(
        `Google allows ${plural(left, "more request", "more requests")} today, so this run does ${plural(posts, "post")} now; the other ${formatInt(plan.send - posts)} can go after the daily limit resets.`,
      );
    }
    const requests = Math.ceil(posts / perRequest);
    const price = prices.filter((p) => p.model === s.model).at(-1) ?? prices[1]!;
    const input = requests * 1450 + posts * 180;
    const output = posts * 260;
    // The 2.5 Flash and Pro models think before they answer; thinking is billed as output.
    const thinking = /2\.5-(flash|pro)(?!-lite)/.test(s.model) ? posts * 120 : 0;
    // The relevance check (embeddings) before writing: a tiny cost per post.
    const planning = s.embeddings && posts > 0 ? Math.round(plan.send * 1_500_000) : 0;
    const cost = Math.round(input * Number(price.input_usd_per_mtok) * 1e6 + (output + thinking) * Number(price.output_usd_per_mtok) * 1e6) + planning;
    const perMinute = Math.max(1, s.limits.rpm);
    const duration = Math.max(requests / perMinute, requests / Math.max(1, s.batch_size) / 30) * 60;
    return {
      posts,
      gated_out: plan.held,
      deduped: Math.round(plan.send * 0.04),
      requests,
      input_tokens: input,
      output_tokens: output,
      cost_picos: cost,
      duration_s: duration,
      thinking_tokens: thinking,
      planning_cost_picos: planning,
      per_request: perRequest,
      requests_left_today: left,
      notes,
      // Batch mode: the whole plan at half price (the daily allowance does not apply).
      batch_posts: plan.send,
      batch_cost_picos: Math.round((cost * plan.send) / Math.max(1, posts) / 2),
    };
  };

  const summaryOf = (r: LiveDemoRun, status: string): RunSummary => ({
    run_id: r.id,
    status,
    candidates: r.total,
    gated_out: Math.round(r.total * 0.15),
    deduped: Math.round(r.total * 0.04),
    succeeded: r.done,
    failed: r.failed,
    suggestions: r.done * project(r.projectId).settings.reply_types.length,
    requests: r.requests,
    retries: r.retries,
    input_tokens: r.requests * 1630,
    output_tokens: r.done * 260,
    thinking_tokens: 0,
    cost_picos: r.costPicos,
    elapsed_s: r.elapsedBefore + (Date.now() - r.startedAt) / 1000,
    error: stops.get(r.id)?.error ?? null,
    resume_at: stops.get(r.id)?.resumeAt ?? null,
  });

  const listing = (r: LiveDemoRun, status: string): RunListing => ({
    run_id: r.id,
    project: project(r.projectId).settings.name,
    status,
    created_at: runs.find((x) => x.run_id === r.id)?.created_at ?? now(),
    posts: r.total,
    done: r.done,
    failed: r.failed,
    cost_picos: r.costPicos,
  });

  const putListing = (l: RunListing) => {
    const i = runs.findIndex((x) => x.run_id === l.run_id);
    if (i >= 0) runs[i] = l;
    else runs.unshift(l);
  };

  type EndStatus = "finished" | "cancelled" | "failed" | "budget_reached" | "waiting_for_quota";
  const finish = (r: LiveDemoRun, status: EndStatus, stop: DemoStop | null = null) => {
    if (r.timer) clearInterval(r.timer);
    r.timer = null;
    live.delete(r.id);
    if (stop) stops.set(r.id, stop);
    else stops.delete(r.id);
    const summary = summaryOf(r, status);
    putListing(listing(r, status));
    const p = project(r.projectId);
    const day = isoLocal(now());
    ledger.push({
      day,
      project_id: p.id,
      project: p.settings.name,
      model: r.settings.model,
      calls: r.requests,
      cost_picos: r.costPicos,
      run_id: r.id,
      posts: r.done,
    });
    // Fresh drafts for the run's posts.
    const list = opportunities.get(r.projectId) ?? [];
    for (const o of list) {
      if (o.drafts.length === 0 && o.label !== "red" && r.settings.labels.includes(o.label)) {
        const post = DEMO_POSTS.find((x) => x.id === o.tweet_id);
        if (post) {
          o.drafts = draftsFor(post, o.topic, p.settings.reply_types, r.id);
          o.run_id = r.id;
        }
      }
    }
    emit({ kind: "finished", ...summary });
  };

  /** The monthly budget alert at 80% and 100%, once each per month. */
  const checkMonthlyBudget = (r: LiveDemoRun, before: number) => {
    const cap = limits.monthly_budget_picos;
    if (cap == null || cap <= 0) return;
    const month = isoLocal(now()).slice(0, 7);
    const spent = ledger.filter((l) => l.day.startsWith(month)).reduce((n, l) => n + l.cost_picos, 0);
    for (const pct of [100, 80]) {
      const line = (cap * pct) / 100;
      const key = `${month}:${pct}`;
      if (spent + before < line && spent + r.costPicos >= line && !alerted.has(key)) {
        alerted.add(key);
        const sentence =
          pct === 100
            ? `The monthly budget is used up (${formatUsd(spent + r.costPicos)} of ${formatUsd(cap)}).`
            : `80% of the monthly budget is used (${formatUsd(spent + r.costPicos)} of ${formatUsd(cap)}).`;
        emit({ kind: "budget_alert", run_id: r.id, sentence, monthly: true });
        break;
      }
    }
  };

  const tick = (r: LiveDemoRun) => {
    const step = Math.max(1, Math.min(r.settings.batch_size * r.settings.per_request, Math.ceil(r.total / 40)));
    const remaining = r.total - r.done - r.failed;
    const n = Math.min(step, remaining);
    const perPost = r.settings.model.includes("lite") ? 22e6 : 81e6;
    // Like the engine, the budget is checked before requests are sent: a step that would cross it stops the run.
    if (r.budgetPicos != null && n > 0 && r.costPicos + n * perPost * 1.1 > r.budgetPicos) {
      const sentence = `Budget reached: ${formatUsd(r.costPicos)} of ${formatUsd(r.budgetPicos)} (this run's budget). Raise it to go on.`;
      emit({ kind: "budget_reached", run_id: r.id, cost_picos: r.costPicos, cap_picos: r.budgetPicos, sentence });
      finish(r, "budget_reached", { error: sentence, resumeAt: null });
      return;
    }
    // ?demo=quota: Google's daily limit runs out part-way through the first run.
    if (quotaPending && r.done + r.failed >= r.total * 0.4) {
      quotaPending = false;
      const resetsAt = nextPacificMidnight(now());
      const sentence = `Google's daily limit for ${r.settings.model} is used up. The other ${plural(remaining, "post")} wait in line until it resets.`;
      emit({ kind: "daily_quota", run_id: r.id, resets_at: resetsAt, sentence });
      finish(r, "waiting_for_quota", { error: sentence, resumeAt: resetsAt });
      return;
    }
    const failedNow = r.done > 30 && r.failed < 2 && Math.random() < 0.03 ? 1 : 0;
    r.done += n - failedNow;
    r.failed += failedNow;
    r.requests += Math.ceil(n / Math.max(1, r.settings.per_request)) + failedNow;
    r.retries += Math.random() < 0.08 ? 1 : 0;
    const before = r.costPicos;
    r.costPicos += Math.round(n * perPost * (0.9 + Math.random() * 0.2));
    checkMonthlyBudget(r, before);
    const elapsed = r.elapsedBefore + (Date.now() - r.startedAt) / 1000;
    const rate = (r.done + r.failed) / Math.max(1, elapsed);
    const left = r.total - r.done - r.failed;
    emit({
      kind: "progress",
      run_id: r.id,
      total: r.total,
      done: r.done,
      failed: r.failed,
      requests: r.requests,
      retries: r.retries,
      requests_per_minute: Math.min(r.settings.limits.rpm, (r.requests / Math.max(1, elapsed)) * 60),
      cost_picos: r.costPicos,
      eta_s: rate > 0 ? left / rate : null,
    });
    if (left <= 0) finish(r, "finished");
  };

  const launch = (r: LiveDemoRun, alreadyDone: number) => {
    live.set(r.id, r);
    putListing(listing(r, "running"));
    setTimeout(() => {
      emit({ kind: "started", run_id: r.id, total: r.total, already_done: alreadyDone });
      r.timer = setInterval(() => tick(r), 250);
    }, 50);
  };

  if (scenario === "running") {
    const settings = defaults(1);
    const id = nextRunId++;
    runSettings.set(id, settings);
    runs.unshift({ run_id: id, project: SAMPLE_PROJECT.name, status: "running", created_at: start - 90, posts: 426, done: 0, failed: 0, cost_picos: 0 });
    const r: LiveDemoRun = {
      id,
      projectId: 1,
      settings,
      total: 426,
      done: 212,
      failed: 1,
      requests: 214,
      retries: 3,
      costPicos: 17_100_000_000,
      startedAt: Date.now(),
      elapsedBefore: 85,
      timer: null,
      budgetPicos: null,
    };
    live.set(id, r);
    // Slow ticks, so a screenshot catches it part-way.
    setTimeout(() => {
      emit({ kind: "started", run_id: id, total: r.total, already_done: r.done });
      tick(r);
      r.timer = setInterval(() => tick(r), 4000);
    }, 30);
  }

  const inRange = (day: string, q: CostQuery) => (q.since == null || day >= q.since) && (q.until == null || day <= q.until);
  const ledgerFor = (q: CostQuery) => ledger.filter((l) => inRange(l.day, q) && (q.project_id == null || l.project_id === q.project_id));

  const keyStatus = (secret: SecretName): KeyStatus => {
    const v = keys.get(secret);
    return { secret, set: v != null, last4: v ? v.slice(-4) : null };
  };

  const a: Api = {
    kind: "demo",

    async appInfo() {
      return {
        version: "0.1.0 (browser preview)",
        data_dir: "~/.local/share/app.commentfinder",
        database_path: "~/.local/share/app.commentfinder/comment-finder.db",
        log_dir: "~/.local/share/app.commentfinder/logs",
        imports_dir: "~/.local/share/app.commentfinder/imports",
        exports_dir: "~/.local/share/app.commentfinder/exports",
      };
    },

    async keyStatus() {
      return (["gemini", "apify", "x-bearer"] as SecretName[]).map(keyStatus);
    },
    async setKey(secret, value) {
      const v = value.trim();
      if (!v) throw fail("invalid_input", "Paste a key first.");
      if (secret === "gemini") {
        await wait(700);
        if (!/^AIza[0-9A-Za-z_-]{20,}$/.test(v)) throw fail("invalid_key", "the API key is not valid");
      } else await wait(200);
      keys.set(secret, v);
      return keyStatus(secret);
    },
    async deleteKey(secret) {
      await wait(100);
      keys.delete(secret);
      return keyStatus(secret);
    },

    async checkKey() {
      await wait(500);
      if (!keys.has("gemini")) throw fail("key_missing", "No Gemini API key is set.");
      return { models: ["gemini-2.5-pro", "gemini-2.5-flash", "gemini-2.5-flash-lite", "gemini-2.0-flash"] };
    },
    async setGeminiBaseUrl(url) {
      const address = url?.trim() || "https://generativelanguage.googleapis.com";
      let host: string;
      try {
        host = new URL(address).host;
      } catch {
        throw { code: "unsafe_server_address", message: `The Gemini server address "${address}" is refused: it is not a web address.` };
      }
      limits = { ...limits, gemini_base_url: address, gemini_server_host: host, gemini_server_needs_confirmation: url != null && keys.has("gemini") };
      return clone(limits);
    },
    async confirmGeminiServer() {
      limits = { ...limits, gemini_server_needs_confirmation: false };
      return clone(limits);
    },
    async limitSettings() {
      return clone(limits);
    },
    async setTier(tier: Tier, model: string, custom: Limits | null) {
      await wait(120);
      const preset = PRESETS[model] ?? PRESETS["gemini-2.5-flash"]!;
      const l = tier === "custom" ? custom : preset[tier];
      if (!l || !(l.rpm > 0)) throw fail("invalid_input", "Requests per minute must be at least 1.");
      limits = { ...limits, tier, model, limits: clone(l) };
      return clone(limits);
    },
    async setMonthlyBudget(picos) {
      limits = { ...limits, monthly_budget_picos: picos };
      return clone(limits);
    },
    async models() {
      return prices.map((p) => p.model).filter((m, i, all) => !m.includes("embedding") && all.indexOf(m) === i);
    },

    async listProjects() {
      await wait(60);
      return [...projects.values()].map((p): ProjectSummary => ({
        id: p.id,
        name: p.settings.name,
        topics: p.settings.topics.length,
        posts: (opportunities.get(p.id)?.length ?? 0) + (p.id === 1 ? 23 : 0),
        updated_at: p.updated_at,
      }));
    },
    async defaultProjectSettings(name) {
      return newProjectSettings(name);
    },
    async topicsInUse(projectId) {
      return [...new Set((opportunities.get(projectId) ?? []).map((o) => o.topic).filter((t): t is string => t != null))].sort();
    },
    async revealDataFolder() {
      throw fail("demo_only", "Showing folders needs the desktop app.");
    },
    async revealLogFolder() {
      throw fail("demo_only", "Showing folders needs the desktop app.");
    },
    async getProject(id) {
      await wait(60);
      return clone(project(id));
    },
    async createProject(settings) {
      await wait(150);
      const name = settings.name.trim();
      if (!name) throw fail("invalid_project", "A project needs a name.");
      if ([...projects.values()].some((p) => p.settings.name.toLowerCase() === name.toLowerCase()))
        throw fail("project_exists", `A project called "${name}" already exists. Pick another name.`);
      const id = addProject({ ...settings, name }, 0);
      opportunities.set(id, []);
      return clone(project(id));
    },
    async updateProject(id, settings) {
      await wait(150);
      const p = project(id);
      if (settings.thresholds.yellow > settings.thresholds.green)
        throw fail("invalid_project", `thresholds.yellow (${settings.thresholds.yellow}) must not be above thresholds.green (${settings.thresholds.green})`);
      p.settings = clone(settings);
      p.updated_at = now();
      return clone(p);
    },
    async deleteProject(id) {
      await wait(120);
      project(id);
      projects.delete(id);
      opportunities.delete(id);
    },
    async importProjectFile(path) {
      await wait(200);
      const base =
        path
          .split(/[\\/]/)
          .pop()
          ?.replace(/\.(toml|ya?ml)$/i, "") || "Imported project";
      return a.createProject({ ...clone(SECOND_PROJECT), name: base.replace(/[-_]+/g, " ") });
    },
    async exportProjectFile(_id, path) {
      await wait(120);
      return path;
    },
    async suggestTopicExamples(_projectId, label) {
      await wait(900);
      const l = label || "this topic";
      return [
        `We tried three different approaches to ${l} this quarter and only one survived contact with real customers.`,
        `Unpopular opinion: most advice about ${l} is written by people who have never had to hit a number with it.`,
        `How are you measuring ${l} right now? Our dashboard says one thing and the pipeline says another.`,
      ];
    },

    async importPosts(projectId, source): Promise<ImportReport> {
      project(projectId);
      await wait(600);
      if (source.kind === "bytes") {
        const text = new TextDecoder().decode(source.bytes);
        let items: unknown[] = [];
        try {
          const parsed: unknown = JSON.parse(text);
          items = Array.isArray(parsed) ? parsed : [parsed];
        } catch {
          const lines = text.split("\n").filter((l) => l.trim());
          if (lines.length === 0) throw fail("not_a_tweet_export", "The file is empty.");
          items = lines;
        }
        const skipped = items
          .map((it, i) => ({ it, i }))
          .filter(({ it }) => typeof it !== "object" || it === null || (it as { noResults?: boolean }).noResults)
          .map(({ i }) => ({ place: `item ${i + 1}`, id: null, reason: "not a post (an empty search result)" }));
        return { format: "apify_json", added: Math.max(0, items.length - skipped.length), updated: 0, skipped, stopped_early: null };
      }
      return {
        format: "apify_json",
        added: 187,
        updated: 15,
        skipped: [
          { place: "item 4", id: null, reason: "not a post (an empty search result)" },
          { place: "item 58", id: "1861234567890123456", reason: "a demo post from the scraper (mock_tweet)" },
          { place: "item 203", id: "1861234567890199999", reason: "the text is longer than 25,000 characters" },
        ],
        stopped_early: null,
      };
    },

    async defaultRunSettings(projectId) {
      return defaults(projectId);
    },
    async forecastRun(projectId, settings) {
      await wait(350);
      return forecast(projectId, settings);
    },
    async startRun(projectId, settings, budgetPicos) {
      if (!keys.has("gemini")) throw fail("key_missing", "No Gemini API key is set.");
      if (live.size > 0) throw fail("run_in_progress", "A run is already going.");
      await wait(200);
      const f = forecast(projectId, settings);
      if (f.posts === 0) throw fail("invalid_input", "No posts match these filters.");
      const id = nextRunId++;
      runSettings.set(id, settings);
      runBudgets.set(id, budgetPicos);
      const r: LiveDemoRun = {
        id,
        projectId,
        settings,
        total: f.posts,
        done: 0,
        failed: 0,
        requests: 0,
        retries: 0,
        costPicos: 0,
        startedAt: Date.now(),
        elapsedBefore: 0,
        timer: null,
        budgetPicos,
      };
      runs.unshift({
        run_id: id,
        project: project(projectId).settings.name,
        status: "running",
        created_at: now(),
        posts: f.posts,
        done: 0,
        failed: 0,
        cost_picos: 0,
      });
      launch(r, 0);
      return id;
    },
    async cancelRun(runId) {
      const r = live.get(runId);
      if (!r) return;
      await wait(300);
      finish(r, "cancelled");
    },
    async checkBatchNow() {
      await wait(50);
    },
    async pickUpBatchRuns() {
      await wait(10);
    },
    async resumeRun(runId, budgetPicos) {
      if (live.size > 0) throw fail("run_in_progress", "A run is already going.");
      const l = runs.find((x) => x.run_id === runId);
      if (!l) throw fail("run_not_found", `No run ${runId}.`);
      if (budgetPicos != null && budgetPicos <= l.cost_picos)
        throw fail("invalid_input", `The new budget must be more than the ${formatUsd(l.cost_picos)} this run has already spent.`);
      if (budgetPicos != null) runBudgets.set(runId, budgetPicos);
      stops.delete(runId);
      const projectId = [...projects.values()].find((p) => p.settings.name === l.project)?.id ?? 1;
      const r: LiveDemoRun = {
        id: runId,
        projectId,
        settings: runSettings.get(runId) ?? defaults(projectId),
        total: l.posts,
        done: l.done,
        failed: l.failed,
        requests: l.done + l.failed,
        retries: 0,
        costPicos: l.cost_picos,
        startedAt: Date.now(),
        elapsedBefore: 60,
        timer: null,
        budgetPicos: runBudgets.get(runId) ?? null,
      };
      launch(r, l.done + l.failed);
      return runId;
    },
    async listRuns(projectId) {
      await wait(60);
      const name = projectId == null ? null : project(projectId).settings.name;
      return clone(runs.filter((r) => name == null || r.project === name));
    },
    async runSummary(runId) {
      const r = live.get(runId);
      if (r) return summaryOf(r, "running");
      const l = runs.find((x) => x.run_id === runId);
      if (!l) throw fail("run_not_found", `No run ${runId}.`);
      return {
        run_id: l.run_id,
        status: l.status,
        candidates: l.posts,
        gated_out: 0,
        deduped: 0,
        succeeded: l.done,
        failed: l.failed,
        suggestions: l.done * 5,
        requests: l.done + l.failed,
        retries: 0,
        input_tokens: 0,
        output_tokens: 0,
        thinking_tokens: 0,
        cost_picos: l.cost_picos,
        elapsed_s: l.posts * 0.4,
        error: stops.get(runId)?.error ?? null,
        resume_at: stops.get(runId)?.resumeAt ?? null,
      };
    },
    async onRunEvent(handler): Promise<Unlisten> {
      listeners.add(handler);
      return () => listeners.delete(handler);
    },

    async listOpportunities(q) {
      await wait(80);
      const needle = q.search.trim().toLowerCase();
      let items = (opportunities.get(q.project_id) ?? []).filter(
        (o) =>
          (q.labels.length === 0 || q.labels.includes(o.label)) &&
          (q.status == null || o.status === q.status) &&
          demoInView(o, q.view ?? null) &&
          (q.topic == null || o.topic === q.topic) &&
          (q.run_id == null || o.run_id === q.run_id) &&
          (!q.with_drafts || o.drafts.length > 0) &&
          (!needle || o.text.toLowerCase().includes(needle) || o.handle.toLowerCase().includes(needle)),
      );
      const key = (o: Opportunity) => {
        switch (q.sort) {
          case "views":
            return o.views;
          case "balanced":
            return o.total * Math.sqrt(o.views);
          case "newest":
            return o.posted_at;
          default:
            return o.total;
        }
      };
      items = [...items].sort((x, y) => key(y) - key(x));
      return { items: clone(items.slice(0, q.limit)), total: items.length };
    },
    async setPostStatus(projectId, tweetIds, status) {
      await wait(80);
      const previous: StatusChange["previous"] = [];
      for (const o of opportunities.get(projectId) ?? []) {
        if (tweetIds.includes(o.tweet_id) && o.status !== status) {
          previous.push([o.tweet_id, o.status]);
          o.status = status;
        }
      }
      return { project_id: projectId, changed: previous.length, previous };
    },
    async undoPostStatus(change) {
      await wait(60);
      let n = 0;
      for (const o of opportunities.get(change.project_id) ?? []) {
        const was = change.previous.find(([id]) => id === o.tweet_id);
        if (was) {
          o.status = was[1];
          n++;
        }
      }
      return n;
    },
    async setDraftReview(draftId, review) {
      await wait(60);
      for (const list of opportunities.values())
        for (const o of list)
          for (const d of o.drafts)
            if (d.id === draftId) {
              // One approved reply per post: approving another puts the previous back to draft.
              if (review === "approved") o.drafts.forEach((x) => x.review === "approved" && (x.review = "draft"));
              d.review = review;
              return;
            }
      throw fail("invalid_input", "This reply no longer exists.");
    },
    async editDraft(draftId, text) {
      await wait(60);
      for (const list of opportunities.values())
        for (const o of list)
          for (const d of o.drafts)
            if (d.id === draftId) {
              d.edited_text = text.trim() === d.text.trim() ? null : text;
              return;
            }
      throw fail("invalid_input", "This reply no longer exists.");
    },

    async costsByDay(q, by) {
      await wait(80);
      const groups = new Map<string, CostDayRow>();
      for (const l of ledgerFor(q)) {
        const group = by === "model" ? l.model : l.project;
        const k = `${l.day}|${group}`;
        const row = groups.get(k) ?? { day: l.day, group, calls: 0, cost_picos: 0 };
        row.calls += l.calls;
        row.cost_picos += l.cost_picos;
        groups.set(k, row);
      }
      return [...groups.values()];
    },
    async costOverview(q) {
      await wait(80);
      const monthStart = isoDay(new Date(new Date().getFullYear(), new Date().getMonth(), 1));
      const rows = ledgerFor(q);
      return {
        month_to_date_picos: ledger.filter((l) => l.day >= monthStart).reduce((s, l) => s + l.cost_picos, 0),
        monthly_budget_picos: limits.monthly_budget_picos,
        range_total_picos: rows.reduce((s, l) => s + l.cost_picos, 0),
        range_calls: rows.reduce((s, l) => s + l.calls, 0),
        range_posts_answered: rows.reduce((s, l) => s + l.posts, 0),
        avg_picos_per_post: (() => {
          const posts = rows.reduce((s, l) => s + l.posts, 0);
          return posts > 0 ? Math.trunc(rows.reduce((s, l) => s + l.cost_picos, 0) / posts) : null;
        })(),
      };
    },
    async costPerRun(q) {
      await wait(80);
      const byRun = new Map<number, { cost: number; calls: number }>();
      for (const l of ledgerFor(q)) {
        if (l.run_id == null) continue;
        const x = byRun.get(l.run_id) ?? { cost: 0, calls: 0 };
        x.cost += l.cost_picos;
        x.calls += l.calls;
        byRun.set(l.run_id, x);
      }
      return runs
        .filter((r) => byRun.has(r.run_id))
        .map((r) => {
          const x = byRun.get(r.run_id)!;
          return {
            run_id: r.run_id,
            project: r.project,
            status: r.status,
            created_at: r.created_at,
            model: runSettings.get(r.run_id)?.model ?? "gemini-2.5-flash",
            succeeded: r.done,
            failed: r.failed,
            calls: x.calls,
            cost_picos: x.cost,
            avg_picos_per_post: r.done > 0 ? Math.trunc(x.cost / r.done) : null,
            elapsed_s: r.posts * 0.4,
          };
        });
    },
    async averagePerPost(q) {
      await wait(80);
      const days = new Map<string, { posts: number; cost: number }>();
      for (const l of ledgerFor(q)) {
        if (l.model.includes("embedding")) continue;
        const d = days.get(l.day) ?? { posts: 0, cost: 0 };
        d.posts += l.posts;
        d.cost += l.cost_picos;
        days.set(l.day, d);
      }
      return [...days.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([day, d]) => ({ day, posts: d.posts, cost_picos: d.cost, avg_picos_per_post: d.posts > 0 ? Math.trunc(d.cost / d.posts) : null }));
    },
    async exportCostsCsv(q, path) {
      await wait(300);
      return { path, rows: ledgerFor(q).length, marked_exported: 0 };
    },
    async exportOpportunitiesCsv(o) {
      await wait(500);
      const list = (opportunities.get(o.project_id) ?? []).filter(
        (x) => (o.labels.length === 0 || o.labels.includes(x.label)) && (o.status == null || x.status === o.status),
      );
      const rows = o.limit == null ? list.length : Math.min(o.limit, list.length);
      let marked = 0;
      if (o.status === "pending")
        for (const x of list.slice(0, rows)) {
          x.status = "exported";
          marked++;
        }
      return { path: o.path, rows, marked_exported: marked };
    },

    async listPrices() {
      return clone(prices);
    },
    async setPrice(p) {
      await wait(120);
      const cached = p.cached_usd_per_mtok?.trim() ? p.cached_usd_per_mtok.trim() : p.input_usd_per_mtok.trim();
      for (const v of [p.input_usd_per_mtok, p.output_usd_per_mtok, cached])
        if (!/^\d+(\.\d+)?$/.test(v.trim())) throw fail("invalid_input", `"${v}" is not a price in dollars, like 0.30.`);
      const row: PriceRow = { ...p, cached_usd_per_mtok: cached, source: "edited", effective_from: now() };
      prices = [...prices.filter((x) => x.model !== p.model), row];
      return row;
    },
    async logTail(lines) {
      await wait(80);
      return { path: "~/.local/share/app.commentfinder/logs/comment-finder.log", lines: demoLogLines(now()).slice(-lines) };
    },
  };
  return a;
}
