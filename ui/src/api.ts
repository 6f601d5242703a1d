// The one door to the backend. Screens never call Tauri directly: they use `api` (usually via
// the TanStack Query hooks in lib/queries.ts). Inside the desktop app `api` is `tauriApi` below,
// over the commands tauri-specta generates (bindings.ts); tests give it a stand-in with fixed
// data. `tauriApi` only unwraps tauri-specta's `{status, data | error}` results, so failures
// reject with one normalised AppError `{code, message}` (lib/errors.ts), never a raw string;
// values pass through as the engine sent them. Files cross as paths only: the shell streams
// them from disk and reads only files picked in its file window, dropped on the window, or in
// the app's own folders.
//
// Every method either resolves with its value or rejects with an AppError (lib/errors.ts).

import * as b from "./bindings";
import { normaliseError } from "./lib/errors";
import type {
  AppInfo,
  BudgetInput,
  CostOverview,
  CostQuery,
  CsvReport,
  DayAverage,
  DaySpend,
  Forecast,
  ImportReport,
  ImportSource,
  KeyStatus,
  LimitSettings,
  Limits,
  LogTail,
  MoneyText,
  Opportunity,
  OpportunityExport,
  OpportunityPage,
  OpportunityQuery,
  PriceInput,
  PriceRow,
  Project,
  ProjectSettings,
  ProjectSummary,
  Review,
  RunEvent,
  RunListing,
  RunMode,
  RunSettings,
  RunSpend,
  RunSummary,
  ScorePart,
  Secret,
  SettingsProblem,
  StackBy,
  Status,
  StatusChange,
  Tier,
  Weights,
} from "./bindings";

// The shapes the screens work with are the engine's own types, generated into bindings.ts by
// tauri-specta from Rust (never mirrored by hand). A few keep the screens' plainer names here.
export type * from "./bindings";
export { CSV_COLUMNS, LABELS, REPLY_TYPES } from "./bindings";
export type PostStatus = Status;
export type DraftReview = Review;
export type SortKey = import("./bindings").ReviewSort;
export type ExportSort = import("./bindings").Sort;
export type CostGroupBy = StackBy;
export type CostDayRow = DaySpend;
export type RunProgress = import("./bindings").Progress;
export type SecretName = Secret;

export type Unlisten = () => void;

export interface Api {
  /** Which backend this is: the desktop app, or a stand-in in tests. */
  readonly kind: "tauri" | "test";

  appInfo(): Promise<AppInfo>;

  // Keys (OS keychain). Setting the Gemini key checks it live first.
  keyStatus(): Promise<KeyStatus[]>;
  setKey(secret: SecretName, value: string): Promise<KeyStatus>;
  deleteKey(secret: SecretName): Promise<KeyStatus>;
  /** Checks the Gemini key in use with Google (free); resolves with the models it can use. */
  checkKey(): Promise<{ models: string[] }>;

  // Tier, model and limits.
  limitSettings(): Promise<LimitSettings>;
  setTier(tier: Tier, model: string, custom: Limits | null): Promise<LimitSettings>;
  setMonthlyBudget(picos: number | null): Promise<LimitSettings>;
  /** Advanced: another Gemini server (tests point it at a fake one); null restores Google's. */
  setGeminiBaseUrl(url: string | null): Promise<LimitSettings>;
  /** The person confirmed that the saved Gemini key may go to the server shown. */
  confirmGeminiServer(): Promise<LimitSettings>;
  /** The models the app can use (the price table's text models). */
  models(): Promise<string[]>;

  // Projects.
  listProjects(): Promise<ProjectSummary[]>;
  getProject(id: number): Promise<Project>;
  /** A new project's settings with every default. */
  defaultProjectSettings(name: string): Promise<ProjectSettings>;
  /** Everything to fix before the settings can be saved (the engine's one validation). */
  projectSettingsProblems(settings: ProjectSettings): Promise<SettingsProblem[]>;
  createProject(settings: ProjectSettings): Promise<Project>;
  updateProject(id: number, settings: ProjectSettings): Promise<Project>;
  deleteProject(id: number): Promise<void>;
  /** Reads a project file (TOML or the old finder.yml) and creates a project from it. */
  importProjectFile(path: string): Promise<Project>;
  exportProjectFile(id: number, path: string): Promise<string>;
  /** Asks Gemini for example posts for a topic. */
  suggestTopicExamples(projectId: number, label: string, description: string): Promise<string[]>;

  // Posts.
  importPosts(projectId: number, source: ImportSource): Promise<ImportReport>;

  // Runs.
  defaultRunSettings(projectId: number): Promise<RunSettings>;
  /** `budgetPicos`: the cap the person typed, so the forecast can say when it is above it. */
  forecastRun(projectId: number, settings: RunSettings, budgetPicos?: number | null): Promise<Forecast>;
  startRun(projectId: number, settings: RunSettings, budgetPicos: number | null): Promise<number>;
  cancelRun(runId: number): Promise<void>;
  /** Continues a run that stopped part-way. `budgetPicos` sets a new budget for the whole run
   * (for one stopped at its budget); null keeps the budget it had. */
  /** `mode`: send the remaining posts at half price ("batch") or now ("standard"); null keeps the run's. */
  resumeRun(runId: number, budgetPicos: number | null, mode?: RunMode | null): Promise<number>;
  /** Checks a batch run's jobs at Google now. */
  checkBatchNow(runId: number): Promise<void>;
  /** Picks up batch runs whose jobs are still at Google (once the window listens to run events). */
  pickUpBatchRuns(): Promise<void>;
  listRuns(projectId: number | null): Promise<RunListing[]>;
  runSummary(runId: number): Promise<RunSummary>;
  onRunEvent(handler: (event: RunEvent) => void): Promise<Unlisten>;

  // Opportunities (the review queue).
  listOpportunities(query: OpportunityQuery): Promise<OpportunityPage>;
  /** Resolves with what changed, for undo. */
  setPostStatus(projectId: number, tweetIds: string[], status: PostStatus): Promise<StatusChange>;
  /** Puts each post of a change back to the status it had; resolves with how many changed. */
  undoPostStatus(change: StatusChange): Promise<number>;
  setDraftReview(draftId: number, review: DraftReview): Promise<void>;
  /** A post's score in its four parts with the project's weights (the engine's breakdown). */
  scoreParts(weights: Weights, post: Pick<Opportunity, "velocity" | "relevance" | "openness" | "author_score">): Promise<ScorePart[]>;
  /** Topics that posts in the project are actually labelled with. */
  topicsInUse(projectId: number): Promise<string[]>;
  editDraft(draftId: number, text: string): Promise<void>;

  // Costs.
  costsByDay(query: CostQuery, by: CostGroupBy): Promise<CostDayRow[]>;
  costOverview(query: CostQuery): Promise<CostOverview>;
  /** Runs started in the range, newest first, with what each cost. */
  costPerRun(query: CostQuery): Promise<RunSpend[]>;
  /** Average cost per post that got replies, per day. */
  averagePerPost(query: CostQuery): Promise<DayAverage[]>;
  exportCostsCsv(query: CostQuery, path: string): Promise<CsvReport>;

  // Export.
  exportOpportunitiesCsv(options: OpportunityExport): Promise<CsvReport>;

  // Money: the engine's text for amounts, and its reading of typed budgets.
  moneyTexts(picos: number[]): Promise<MoneyText[]>;
  /** A typed budget, checked to be above $0 and above `spentPicos`. */
  readBudget(text: string, spentPicos: number | null): Promise<BudgetInput>;
  /** A starting value for raising a run's budget, as dollars for the input ("0.10"). */
  suggestRaisedBudget(capPicos: number | null, spentPicos: number): Promise<string>;

  // Settings.
  listPrices(): Promise<PriceRow[]>;
  setPrice(price: PriceInput): Promise<PriceRow>;
  logTail(lines: number): Promise<LogTail>;
  /** Shows the database file / the log folder in the system's file manager. */
  revealDataFolder(): Promise<void>;
  revealLogFolder(): Promise<void>;
}

/** True inside the Tauri webview. */
export function insideTauri(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

let chosen: Api | null = null;

/** The backend for this window; set once at start-up by `loadApi()`. */
export function api(): Api {
  if (!chosen) throw new Error("The backend is not loaded yet: call loadApi() first.");
  return chosen;
}

/** Picks the backend: the desktop app's. A plain browser has none (main.tsx says to open
 * the app instead). */
export async function loadApi(): Promise<Api> {
  if (chosen) return chosen;
  if (!insideTauri()) throw new Error("Comment Finder's screens need the desktop app.");
  chosen = tauriApi;
  return chosen;
}

/** For tests: use a given backend. */
export function setApiForTests(a: Api | null): void {
  chosen = a;
}

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
