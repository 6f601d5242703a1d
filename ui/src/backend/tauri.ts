// The desktop backend: the `Api` the screens use, over the bindings tauri-specta generates
// from the shell (`../bindings.ts`; never edit that file by hand).
//
// The adapter only unwraps tauri-specta's `{status, data | error}` results, so failures reject
// with one normalised AppError `{code, message}` (lib/errors.ts) and never with a raw string.
// Values pass through as the engine sent them: their types are the engine's own, generated.
// Files cross as paths only: the shell streams them from disk (a file's bytes never cross
// IPC), and reads only files picked in its file window, dropped on the window, or in the
// app's own folders.

import type { Api, Unlisten } from "../api";
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

const c = b.commands;

export const tauriApi: Api = {
  kind: "tauri",

  appInfo: () => unwrap(c.appInfo()),

  keyStatus: () => unwrap(c.keyStatus()),
  setKey: (secret, value) => unwrap(c.setKey(secret, value)),
  deleteKey: (secret) => unwrap(c.deleteKey(secret)),
  checkKey: () => unwrap(c.checkKey()),

  limitSettings: () => unwrap(c.limitSettings()),
  setTier: (tier, model, custom) => unwrap(c.setLimits(tier, model, custom)),
  setMonthlyBudget: (picos) => unwrap(c.setMonthlyBudget(picos)),
  setGeminiBaseUrl: (url) => unwrap(c.setGeminiBaseUrl(url)),
  confirmGeminiServer: () => unwrap(c.confirmGeminiServer()),
  models: () => unwrap(c.models()),

  listProjects: () => unwrap(c.listProjects()),
  getProject: (id) => unwrap(c.getProject(id)),
  defaultProjectSettings: (name) => unwrap(c.defaultProjectSettings(name)),
  projectSettingsProblems: (settings) => unwrap(c.projectSettingsProblems(settings)),
  createProject: (settings) => unwrap(c.createProject(settings)),
  updateProject: (id, settings) => unwrap(c.updateProject(id, settings)),
  deleteProject: async (id) => {
    await unwrap(c.deleteProject(id));
  },
  importProjectFile: (path) => unwrap(c.importProjectFile(path, null)),
  exportProjectFile: (id, path) => unwrap(c.exportProjectFile(id, path)),
  suggestTopicExamples: (projectId, label, description) => unwrap(c.suggestTopicExamples(projectId, label, description)),

  importPosts: (projectId, source) => unwrap(c.importPosts(projectId, source)),

  defaultRunSettings: (projectId) => unwrap(c.defaultRunSettings(projectId)),
  forecastRun: (projectId, settings, budgetPicos) => unwrap(c.forecastRun(projectId, settings, budgetPicos ?? null)),
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
  runSummary: (runId) => unwrap(c.runSummary(runId)),
  onRunEvent: async (handler): Promise<Unlisten> => {
    const unlisten = await b.events.runEvent.listen((e) => handler(e.payload));
    return unlisten;
  },

  listOpportunities: (q) => unwrap(c.listOpportunities(q)),
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
  costPerRun: (q) => unwrap(c.costsPerRun(q)),
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
