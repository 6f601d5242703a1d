// The shapes the screens work with. They mirror the engine's serialised types (snake_case, as
// serde writes them), so the adapter over the generated bindings stays thin.
//
// Money is always integer pico-dollars (1e-12 USD) in `*_picos` fields; times are unix seconds.

export type Label = "green" | "yellow" | "red";
export type PostStatus = "pending" | "exported" | "posted" | "skipped";
export type ReplyType = "add_value" | "ask_question" | "funny" | "debate" | "relate";
export type DraftReview = "draft" | "approved" | "rejected";
/** The review queue's views (the engine decides what each holds). */
export type QueueView = "to_review" | "approved" | "posted" | "skipped" | "rejected" | "exported" | "all";
export type SecretName = "gemini" | "apify" | "x-bearer";
export type Tier = "free" | "tier1" | "custom";
export type SortKey = "score" | "views" | "balanced" | "newest";
export type ExportSort = "score" | "views" | "balanced";
export type CostGroupBy = "model" | "project";
export type RunStatus = "running" | "cancelled" | "interrupted" | "budget_reached" | "waiting_for_quota" | "finished" | "failed";

export const REPLY_TYPES: readonly ReplyType[] = ["add_value", "ask_question", "funny", "debate", "relate"];
export const LABELS: readonly Label[] = ["green", "yellow", "red"];

export interface AppInfo {
  version: string;
  data_dir: string;
  database_path: string;
  log_dir: string;
  /** The app's own folders: files in them can be imported or saved by typing their path. */
  imports_dir?: string;
  exports_dir?: string;
}

export interface KeyStatus {
  secret: SecretName;
  set: boolean;
  /** The last four characters, when set. The full key never reaches the window. */
  last4: string | null;
  /** The Gemini key comes from the GEMINI_API_KEY environment variable (it wins over the saved one). */
  from_environment?: boolean;
}

export interface Limits {
  /** Requests per minute. */
  rpm: number;
  /** Input tokens per minute. */
  tpm: number | null;
  /** Requests per day. */
  rpd: number | null;
}

export interface LimitSettings {
  tier: Tier;
  model: string;
  limits: Limits;
  /** Optional spending budget per calendar month, shown on the Costs screen. */
  monthly_budget_picos: number | null;
  /** The user's own limits when the tier is custom. */
  custom?: Limits | null;
  /** The Gemini server (advanced; tests point it at a fake server). */
  gemini_base_url?: string;
  /** Where the key goes, as a host to show. */
  gemini_server_host?: string;
  /** The address changed (or came with the database): the key is held back until confirmed. */
  gemini_server_needs_confirmation?: boolean;
  /** Why the stored address is refused, when it is. */
  gemini_server_problem?: string | null;
  /** What Google told us about this key's daily allowance, as a sentence (none until it did). */
  learned?: string | null;
}

export interface Topic {
  label: string;
  description: string;
  examples: string[];
}

export interface Voice {
  persona: string;
  rules: string[];
  good_examples: string[];
  bad_examples: string[];
}

export interface Sources {
  favour_authors: string[];
  avoid_authors: string[];
  avoid_keywords: string[];
}

export interface Weights {
  velocity: number;
  relevance: number;
  openness: number;
  author: number;
}

export interface Thresholds {
  green: number;
  yellow: number;
}

export interface Generation {
  model: string;
  temperature: number;
}

export interface ProjectSettings {
  name: string;
  languages: string[];
  reply_types: ReplyType[];
  topics: Topic[];
  voice: Voice;
  sources: Sources;
  weights: Weights;
  thresholds: Thresholds;
  generation: Generation;
}

export interface ProjectSummary {
  id: number;
  name: string;
  topics: number;
  posts: number;
  updated_at: number;
}

export interface Project {
  id: number;
  settings: ProjectSettings;
  created_at: number;
  updated_at: number;
}

export interface SkippedRow {
  /** Where in the file, e.g. "item 12" or "line 40". */
  place: string;
  id: string | null;
  reason: string;
}

export interface ImportReport {
  format: string;
  added: number;
  updated: number;
  skipped: SkippedRow[];
  stopped_early: string | null;
  /** Posts scored after the import (so they show up ranked at once). */
  scored?: number;
}

/** Where imported posts come from: a path picked in the file dialog, or a dropped file's bytes. */
export type ImportSource = { kind: "path"; path: string } | { kind: "bytes"; file_name: string; bytes: Uint8Array };

/** "standard": now, at the standard price; "batch": Google's Batch API, half price, within hours. */
export type RunMode = "standard" | "batch";

/** A batch run's jobs at Google, as the engine last checked them. */
export interface BatchStatus {
  phase: "submitting" | "queued_at_google" | "running" | "done" | string;
  jobs: number;
  jobs_done: number;
  requests: number;
  answered: number;
  failed: number;
  next_check_s: number | null;
  /** The engine's sentence: "Queued at Google: 1 job, 14 requests. Next check in 10 s." */
  sentence: string;
}

export interface RunSettings {
  hours_back: number;
  min_followers: number;
  min_likes: number;
  /** The most posts a run considers ("max candidates" in the engine). */
  max_candidates: number;
  labels: Label[];
  gate: boolean;
  /** Requests in flight at once. */
  batch_size: number;
  /** Posts per request. */
  per_request: number;
  model: string;
  limits: Limits;
  max_attempts: number;
  embeddings: boolean;
  mode: RunMode;
}

export interface Forecast {
  /** Posts that will be sent. */
  posts: number;
  /** Posts held back (spam, reposts, avoided authors…): never cost a call. */
  gated_out: number;
  deduped: number;
  requests: number;
  input_tokens: number;
  output_tokens: number;
  /** Includes `planning_cost_picos`. */
  cost_picos: number;
  duration_s: number;
  /** Thinking tokens expected (billed as output); 0 for models that do not think. */
  thinking_tokens: number;
  /** Cost of the AI relevance check the run makes before writing, already in `cost_picos`. */
  planning_cost_picos: number;
  /** Posts per AI call the run will use. */
  per_request: number;
  /** Requests left today under Google's daily limit, when known. */
  requests_left_today: number | null;
  /** Plain sentences: why the run will do fewer posts than asked, what the estimate includes. */
  notes: string[];
  /** The same run in batch mode (half price, usually within a few hours). */
  batch_posts: number;
  batch_cost_picos: number;
  /** The engine's words and money text for all of the above. */
  text: import("./bindings").ForecastText;
}

export interface RunProgress {
  run_id: number;
  total: number;
  done: number;
  failed: number;
  requests: number;
  retries: number;
  requests_per_minute: number;
  cost_picos: number;
  eta_s: number | null;
}

export interface RunSummary {
  run_id: number;
  status: RunStatus | string;
  candidates: number;
  gated_out: number;
  deduped: number;
  succeeded: number;
  failed: number;
  suggestions: number;
  requests: number;
  retries: number;
  input_tokens: number;
  output_tokens: number;
  thinking_tokens: number;
  cost_picos: number;
  elapsed_s: number;
  /** Why it stopped, in plain words (for budget_reached and waiting_for_quota: the engine's sentence). */
  error: string | null;
  /** For a run waiting for Google's daily allowance: when it resets (unix seconds). */
  resume_at: number | null;
  /** The engine's own summary sentence, when the backend sends it. */
  sentence?: string;
  mode?: RunMode;
  batch?: BatchStatus | null;
  /** The engine's sentence on why the run replied to fewer posts than estimated. */
  forecast_note?: string | null;
}

export type RunEvent =
  | { kind: "started"; run_id: number; project_id?: number; total: number; already_done: number }
  | ({ kind: "progress" } & RunProgress)
  | { kind: "paused"; run_id: number | null; seconds: number }
  /** The next request would cross a spending cap: the run stops, resumable once the budget is raised. */
  | { kind: "budget_reached"; run_id: number; cost_picos: number; cap_picos: number; sentence: string }
  /** A monthly budget passed 80% (or all) of its cap; `monthly` is false for the run's own cap. */
  | { kind: "budget_alert"; run_id: number; sentence: string; monthly: boolean }
  /** Google's daily allowance is used up; the run stops with its posts queued until `resets_at` (unix seconds). */
  | { kind: "daily_quota"; run_id: number; resets_at: number; sentence: string }
  /** A batch run's jobs at Google: queued, running, n of m answered, done. */
  | { kind: "batch"; run_id: number; status: BatchStatus }
  | ({ kind: "finished" } & RunSummary)
  /** The run stopped on an error before it could finish (its work so far is saved). */
  | { kind: "failed"; run_id: number | null; code: string; message: string };

export interface RunListing {
  run_id: number;
  project: string;
  status: RunStatus | string;
  created_at: number;
  posts: number;
  done: number;
  failed: number;
  cost_picos: number;
  /** A run this app is working on right now. */
  active?: boolean;
  /** A batch run's jobs at Google. */
  batch?: BatchStatus | null;
}

export interface Draft {
  id: number;
  run_id?: number | null;
  reply_type: ReplyType | string;
  rank: number;
  text: string;
  edited_text: string | null;
  review: DraftReview;
  /** Written by hand for the sample project (not by the AI; never billed). */
  sample?: boolean;
  /** X's reply box for the post with this draft filled in, built by the engine; "" when none. */
  reply_url?: string;
}

/** What a status change did, so it can be undone. */
export interface StatusChange {
  project_id: number;
  changed: number;
  /** Each changed post's id with the status it had. */
  previous: Array<[string, PostStatus]>;
}

export interface Opportunity {
  project_id: number;
  tweet_id: string;
  url: string;
  handle: string;
  author_name: string | null;
  followers: number;
  text: string;
  posted_at: number;
  /** Seconds between posting and when the list was read. */
  age_s?: number;
  likes: number;
  replies: number;
  retweets: number;
  views: number;
  status: PostStatus;
  label: Label;
  topic: string | null;
  why: string;
  total: number;
  velocity: number;
  relevance: number;
  openness: number;
  author_score: number;
  /** "lexical" or "embedding". */
  relevance_method?: string | null;
  run_id: number | null;
  drafts: Draft[];
}

export interface OpportunityQuery {
  project_id: number;
  labels: Label[];
  /** null means every status. */
  status: PostStatus | null;
  /** One of the queue's views; null: the status alone decides. */
  view?: QueueView | null;
  topic: string | null;
  run_id: number | null;
  search: string;
  sort: SortKey;
  /** Only posts that have reply drafts. */
  with_drafts: boolean;
  offset?: number;
  limit: number;
}

export interface OpportunityPage {
  items: Opportunity[];
  total: number;
}

export interface CostQuery {
  /** Inclusive local dates, YYYY-MM-DD; null for open ends. */
  since: string | null;
  until: string | null;
  project_id: number | null;
}

/** Spend on one day for one model or project. */
export interface CostDayRow {
  day: string;
  group: string;
  calls: number;
  cost_picos: number;
}

export interface CostOverview {
  month_to_date_picos: number;
  monthly_budget_picos: number | null;
  range_total_picos: number;
  range_calls: number;
  /** Posts that got reply drafts in the range. */
  range_posts_answered: number;
  avg_picos_per_post: number | null;
}

/** One run's cost, for the runs table and the per-run chart. */
export interface RunSpend {
  run_id: number;
  project: string;
  status: RunStatus | string;
  created_at: number;
  model: string;
  succeeded: number;
  failed: number;
  calls: number;
  cost_picos: number;
  avg_picos_per_post: number | null;
  elapsed_s: number;
}

/** The average cost of a post that got replies, per local day. */
export interface DayAverage {
  day: string;
  posts: number;
  cost_picos: number;
  avg_picos_per_post: number | null;
}

export interface CsvReport {
  path: string;
  rows: number;
  /** Opportunities only: pending posts marked as exported. */
  marked_exported: number;
}

export interface OpportunityExport {
  project_id: number;
  path: string;
  labels: Label[];
  status: PostStatus | null;
  sort: ExportSort;
  limit: number | null;
  bom: boolean;
  /** Mark the pending posts in the file as exported (done). Off unless chosen. */
  mark_exported: boolean;
}

export interface PriceRow {
  model: string;
  input_usd_per_mtok: string;
  output_usd_per_mtok: string;
  cached_usd_per_mtok: string;
  source: string;
  effective_from: number;
  /** Batch API prices (half price), and where they come from. */
  batch_input_usd_per_mtok?: string;
  batch_output_usd_per_mtok?: string;
  batch_source?: string;
}

export interface PriceInput {
  model: string;
  input_usd_per_mtok: string;
  output_usd_per_mtok: string;
  /** Empty or null: the same as input. */
  cached_usd_per_mtok: string | null;
}

export interface LogTail {
  path: string;
  lines: string[];
}
