// The desktop backend: the `Api` the screens use, over the bindings tauri-specta generates
// from the shell (`../bindings.ts`; never edit that file by hand).
//
// The adapter is thin on purpose. It
// - unwraps tauri-specta's `{status, data | error}` results, so failures reject with one
//   normalised AppError `{code, message}` (lib/errors.ts) and never with a raw string;
// - turns the `number | null` specta writes for every Rust f64 (NaN and infinities serialise
//   as null) back into plain numbers with a sensible fallback;
// - sends files as paths only: the shell streams them from disk (a file's bytes never cross
//   IPC), and reads only files picked in its file window, dropped on the window, or in the
//   app's own folders.

import type { Api, Unlisten } from "../api";
import type {
  Draft,
  BatchStatus,
  Forecast,
  KeyStatus,
  LimitSettings,
  Opportunity,
  OpportunityPage,
  ProjectSettings,
  RunEvent,
  RunProgress,
  RunSettings,
  RunSpend,
  RunSummary,
} from "../apiTypes";
import * as b from "../bindings";
import { normaliseError } from "../lib/errors";

type Result<T> = { status: "ok"; data: T } | { status: "error"; error: b.AppError };

/** The command's value, or a rejection with a normalised AppError. */
export async function unwrap<T>(call: Promise<Result<T>>): Promise<T> {
  let result: Result<T>;
  try {
    result = await call;
  } catch (e) {
    // Thrown (not returned) only for Errors raised in the webview, e.g. IPC unavailable.
    throw normaliseError(e);
  }
  if (result.status === "error") throw normaliseError(result.error);
  return result.data;
}

/** A Rust f64 as specta types it (null for NaN/±∞) as a plain number. */
export function num(value: number | null | undefined, fallback = 0): number {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

export function toKeyStatus(k: b.KeyStatus): KeyStatus {
  return { secret: k.secret, set: k.set, last4: k.last4, from_environment: k.from_environment };
}

export function toLimitSettings(l: b.LimitSettings): LimitSettings {
  return {
    tier: l.tier,
    model: l.model,
    limits: l.limits,
    custom: l.custom,
    monthly_budget_picos: l.monthly_budget_picos,
    gemini_base_url: l.gemini_base_url,
    gemini_server_host: l.gemini_server_host,
    gemini_server_needs_confirmation: l.gemini_server_needs_confirmation,
    gemini_server_problem: l.gemini_server_problem,
    learned: l.learned,
  };
}

export function toProjectSettings(s: b.ProjectSettings): ProjectSettings {
  return {
    ...s,
    weights: {
      velocity: num(s.weights.velocity),
      relevance: num(s.weights.relevance),
      openness: num(s.weights.openness),
      author: num(s.weights.author),
    },
    thresholds: {
      green: num(s.thresholds.green),
      yellow: num(s.thresholds.yellow),
    },
    generation: { model: s.generation.model, temperature: num(s.generation.temperature, 0.2) },
  };
}

function toProject(p: b.Project) {
  return { ...p, settings: toProjectSettings(p.settings) };
}

export function toRunSettings(s: b.RunSettings): RunSettings {
  return { ...s, hours_back: num(s.hours_back, 6) };
}

export function toForecast(f: b.Forecast): Forecast {
  return {
    ...f,
    duration_s: num(f.duration_s),
    thinking_tokens: f.thinking_tokens ?? 0,
    planning_cost_picos: f.planning_cost_picos ?? 0,
    requests_left_today: f.requests_left_today ?? null,
    notes: f.notes ?? [],
  };
}

function toProgress(p: b.RunProgress): RunProgress {
  return { ...p, requests_per_minute: num(p.requests_per_minute) };
}

function toBatch(s: b.BatchStatus): BatchStatus {
  return { ...s, next_check_s: s.next_check_s == null ? null : num(s.next_check_s) };
}

function toSummary(s: b.RunSummary): RunSummary {
  return { ...s, elapsed_s: num(s.elapsed_s), resume_at: s.resume_at ?? null, batch: s.batch ? toBatch(s.batch) : null };
}

/** One event from the shell, in the UI's shape. */
export function toRunEvent(e: b.RunEvent): RunEvent {
  switch (e.kind) {
    case "started":
      return { kind: "started", run_id: e.run_id, project_id: e.project_id, total: e.total, already_done: e.already_done };
    case "progress": {
      const { kind: _kind, ...p } = e;
      return { kind: "progress", ...toProgress(p) };
    }
    case "paused":
      return { kind: "paused", run_id: e.run_id, seconds: num(e.seconds) };
    case "budget_reached":
      return { kind: "budget_reached", run_id: e.run_id, cost_picos: e.cost_picos, cap_picos: e.cap_picos, sentence: e.sentence };
    case "budget_alert":
      return { kind: "budget_alert", run_id: e.run_id, sentence: e.sentence, monthly: e.monthly };
    case "daily_quota":
      return { kind: "daily_quota", run_id: e.run_id, resets_at: e.resets_at, sentence: e.sentence };
    case "batch":
      return { kind: "batch", run_id: e.run_id, status: toBatch(e.status) };
    case "finished": {
      const { kind: _kind, ...s } = e;
      return { kind: "finished", ...toSummary(s) };
    }
    case "failed":
      return { kind: "failed", run_id: e.run_id ?? null, code: e.code, message: e.message };
  }
}

function toDraft(d: b.Draft): Draft {
  return { ...d };
}

export function toOpportunity(o: b.Opportunity): Opportunity {
  return {
    ...o,
    total: num(o.total),
    velocity: num(o.velocity),
    relevance: num(o.relevance),
    openness: num(o.openness),
    author_score: num(o.author_score),
    drafts: o.drafts.map(toDraft),
  };
}

function toPage(p: b.OpportunityPage): OpportunityPage {
  return { items: p.items.map(toOpportunity), total: p.total };
}

function toRunSpend(r: b.RunSpend): RunSpend {
  return { ...r, elapsed_s: num(r.elapsed_s) };
}

const c = b.commands;

export const tauriApi: Api = {
  kind: "tauri",

  appInfo: () => unwrap(c.appInfo()),

  keyStatus: async () => (await unwrap(c.keyStatus())).map(toKeyStatus),
  setKey: async (secret, value) => toKeyStatus(await unwrap(c.setKey(secret, value))),
  deleteKey: async (secret) => toKeyStatus(await unwrap(c.deleteKey(secret))),
  checkKey: () => unwrap(c.checkKey()),

  limitSettings: async () => toLimitSettings(await unwrap(c.limitSettings())),
  setTier: async (tier, model, custom) => toLimitSettings(await unwrap(c.setLimits(tier, model, custom))),
  setMonthlyBudget: async (picos) => toLimitSettings(await unwrap(c.setMonthlyBudget(picos))),
  setGeminiBaseUrl: async (url) => toLimitSettings(await unwrap(c.setGeminiBaseUrl(url))),
  confirmGeminiServer: async () => toLimitSettings(await unwrap(c.confirmGeminiServer())),
  models: () => unwrap(c.models()),

  listProjects: () => unwrap(c.listProjects()),
  getProject: async (id) => toProject(await unwrap(c.getProject(id))),
  defaultProjectSettings: async (name) => toProjectSettings(await unwrap(c.defaultProjectSettings(name))),
  projectSettingsProblems: (settings) => unwrap(c.projectSettingsProblems(settings)),
  createProject: async (settings) => toProject(await unwrap(c.createProject(settings))),
  updateProject: async (id, settings) => toProject(await unwrap(c.updateProject(id, settings))),
  deleteProject: async (id) => {
    await unwrap(c.deleteProject(id));
  },
  importProjectFile: async (path) => toProject(await unwrap(c.importProjectFile(path, null))),
  exportProjectFile: (id, path) => unwrap(c.exportProjectFile(id, path)),
  suggestTopicExamples: (projectId, label, description) => unwrap(c.suggestTopicExamples(projectId, label, description)),

  importPosts: async (projectId, source) => {
    // The desktop window gets dropped files as paths (a native drop); bytes never cross IPC.
    if (source.kind !== "path") throw { code: "invalid_input", message: "Drop the file on the window, or use “Choose a file…”." };
    return unwrap(c.importPosts(projectId, { kind: "path", path: source.path }));
  },

  defaultRunSettings: async (projectId) => toRunSettings(await unwrap(c.defaultRunSettings(projectId))),
  forecastRun: async (projectId, settings, budgetPicos) => toForecast(await unwrap(c.forecastRun(projectId, settings, budgetPicos ?? null))),
  startRun: (projectId, settings, budgetPicos) => unwrap(c.startRun(projectId, settings, budgetPicos)),
  cancelRun: async (runId) => {
    await unwrap(c.cancelRun(runId));
  },
  resumeRun: (runId, budgetPicos, mode) => unwrap(c.resumeRun(runId, budgetPicos, mode ?? null)),
  checkBatchNow: async (runId) => {
    await unwrap(c.checkBatchNow(runId));
  },
  pickUpBatchRuns: async () => {
    await unwrap(c.pickUpBatchRuns());
  },
  listRuns: (projectId) => unwrap(c.listRuns(projectId)),
  runSummary: async (runId) => toSummary(await unwrap(c.runSummary(runId))),
  onRunEvent: async (handler): Promise<Unlisten> => {
    const unlisten = await b.events.runEvent.listen((e) => handler(toRunEvent(e.payload)));
    return unlisten;
  },

  listOpportunities: async (q) => toPage(await unwrap(c.listOpportunities({ ...q, offset: q.offset ?? 0 }))),
  setPostStatus: (projectId, tweetIds, status) => unwrap(c.setPostStatus(projectId, tweetIds, status)),
  undoPostStatus: (change) => unwrap(c.undoPostStatus(change)),
  setDraftReview: async (draftId, review) => {
    await unwrap(c.setDraftReview(draftId, review));
  },
  editDraft: async (draftId, text) => {
    await unwrap(c.editDraft(draftId, text));
  },
  scoreParts: (weights, o) => unwrap(c.scoreParts(weights, o.velocity, o.relevance, o.openness, o.author_score)),
  topicsInUse: (projectId) => unwrap(c.topicsInUse(projectId)),

  costsByDay: (q, by) => unwrap(c.costsByDay(q, by)),
  costOverview: (q) => unwrap(c.costOverview(q)),
  costPerRun: async (q) => (await unwrap(c.costsPerRun(q))).map(toRunSpend),
  averagePerPost: (q) => unwrap(c.averageCostPerPost(q)),
  exportCostsCsv: (q, path) => unwrap(c.exportCostsCsv(q, path)),

  exportOpportunitiesCsv: (options) => unwrap(c.exportOpportunitiesCsv(options)),

  moneyTexts: (picos) => unwrap(c.moneyTexts(picos)),
  readBudget: (text, spentPicos) => unwrap(c.readBudget(text, spentPicos)),
  suggestRaisedBudget: (capPicos, spentPicos) => unwrap(c.suggestRaisedBudget(capPicos, spentPicos)),

  listPrices: () => unwrap(c.listPrices()),
  setPrice: (price) => unwrap(c.setPrice(price)),
  logTail: (lines) => unwrap(c.logTail(lines)),
  revealDataFolder: async () => {
    await unwrap(c.revealDataFolder());
  },
  revealLogFolder: async () => {
    await unwrap(c.revealLogFolder());
  },
};
