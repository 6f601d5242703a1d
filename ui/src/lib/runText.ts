// Words and state for a run while it works and after it stopped. The forecast's sentences,
// the summary sentence and every money text are the engine's (Forecast.text, RunSummary.sentence,
// lib/money.ts); these only arrange what it sends.

import type { BatchStatus, RunEvent, RunListing, RunProgress, RunSummary } from "../api";
import { formatClock, formatDateTime, formatDay, formatEta, formatInt, formatPerMinute, isoDay } from "./format";

/** One line about how a run ended, above the summary sentence. */
export function summaryHeadline(s: Pick<RunSummary, "status" | "succeeded" | "failed" | "error">): string {
  switch (s.status) {
    case "finished":
      if (s.succeeded === 0 && s.failed === 0) return "Nothing needed replies this time.";
      return s.failed > 0 ? "Run finished, with some posts that failed." : "Run finished.";
    case "cancelled":
      return "Run stopped. You can resume it later; nothing finished is lost.";
    case "interrupted":
      return "This run was interrupted. Resume it to finish the remaining posts.";
    case "failed":
      return "The run stopped because of a problem.";
    case "budget_reached":
      return "Stopped at your budget. Raise it to do the remaining posts.";
    case "waiting_for_quota":
      return "Paused until Google's daily limit resets. The remaining posts are kept in line.";
    default:
      return "Run in progress.";
  }
}

/** Whole-number percent of a run's posts handled (done or failed), 0–100. */
export function progressPercent(p: Pick<RunProgress, "done" | "failed" | "total">): number {
  if (p.total <= 0) return 100;
  const pct = Math.floor(((p.done + p.failed) / p.total) * 100);
  return Math.min(100, Math.max(0, pct));
}

/** The small line under the progress bar: "212 of 426 · 3 failed · 14 a minute · $0.0170 so far · about 2 m left".
 * `costText` is the engine's text for `p.cost_picos` (lib/money.ts). */
export function progressLine(p: RunProgress, costText: string): string {
  const parts = [`${formatInt(p.done + p.failed)} of ${formatInt(p.total)}`];
  if (p.failed > 0) parts.push(`${formatInt(p.failed)} failed`);
  parts.push(`${formatPerMinute(p.requests_per_minute)}`);
  parts.push(`${costText} so far`);
  parts.push(formatEta(p.eta_s));
  return parts.join(" · ");
}

// ---- Live run state, folded from the shell's typed events. ----

export type RunPhase = "idle" | "starting" | "running" | "paused" | "finished" | "failed";

export interface LiveRun {
  phase: RunPhase;
  runId: number | null;
  progress: RunProgress | null;
  /** Seconds Gemini asked everyone to wait, while paused. */
  pausedFor: number | null;
  summary: RunSummary | null;
  /** Set once the budget cap is reached: the run is finishing the requests in flight. */
  budgetReached: boolean;
  /** Why the run stopped at its budget (from the event, or the summary of a budget_reached run). */
  budgetStop: BudgetStop | null;
  /** Set when Google's daily allowance is used up: the run waits for it to reset. */
  dailyQuota: DailyQuotaStop | null;
  /** Why the run stopped, when it stopped on an error. */
  error: { code: string; message: string } | null;
  /** A batch run's jobs at Google (half price), as last checked. */
  batch: BatchStatus | null;
}

export interface BudgetStop {
  /** "Budget reached: $0.04 of $0.05 (this run's budget). Raise it to go on." */
  sentence: string;
  /** What the run has spent. */
  costPicos: number;
  /** The budget it stopped at, when known. */
  capPicos: number | null;
}

export interface DailyQuotaStop {
  sentence: string;
  /** When Google's daily allowance resets (unix seconds), when known. */
  resetsAt: number | null;
}

export const idleRun: LiveRun = {
  phase: "idle",
  runId: null,
  progress: null,
  pausedFor: null,
  summary: null,
  budgetReached: false,
  budgetStop: null,
  dailyQuota: null,
  error: null,
  batch: null,
};

/** Said only when the engine's own sentence is missing (an older backend). */
export const BUDGET_SENTENCE = "This run reached its budget. Raise it to do the remaining posts.";
export const QUOTA_SENTENCE = "Google's daily limit for this model is used up. The remaining posts wait until it resets.";

/** Whether a run is going (so Start is hidden and the sidebar shows its percentage). */
export function isBusy(live: LiveRun): boolean {
  return live.phase === "starting" || live.phase === "running" || live.phase === "paused";
}

/** Applies one event. Events for another run than the one being watched are ignored. */
export function applyRunEvent(state: LiveRun, event: RunEvent): LiveRun {
  const eventRun = event.run_id ?? null;
  if (state.runId != null && eventRun != null && eventRun !== state.runId) return state;
  switch (event.kind) {
    case "started":
      return {
        phase: "running",
        runId: event.run_id,
        pausedFor: null,
        summary: null,
        budgetReached: false,
        budgetStop: null,
        dailyQuota: null,
        error: null,
        batch: null,
        progress: {
          run_id: event.run_id,
          total: event.total,
          done: event.already_done,
          failed: 0,
          requests: 0,
          retries: 0,
          requests_per_minute: 0,
          cost_picos: state.progress?.run_id === event.run_id ? state.progress.cost_picos : 0,
          eta_s: null,
        },
      };
    case "progress": {
      const { kind: _kind, ...progress } = event;
      return { ...state, phase: "running", runId: progress.run_id, progress, pausedFor: null };
    }
    case "paused":
      return { ...state, phase: "paused", pausedFor: event.seconds };
    case "budget_reached":
      return {
        ...state,
        runId: event.run_id,
        budgetReached: true,
        budgetStop: { sentence: event.sentence || BUDGET_SENTENCE, costPicos: event.cost_picos, capPicos: event.cap_picos },
        progress: state.progress ? { ...state.progress, cost_picos: Math.max(state.progress.cost_picos, event.cost_picos) } : state.progress,
      };
    case "daily_quota":
      return { ...state, runId: event.run_id, dailyQuota: { sentence: event.sentence || QUOTA_SENTENCE, resetsAt: event.resets_at } };
    case "batch":
      return { ...state, phase: state.phase === "starting" ? "running" : state.phase, runId: event.run_id, batch: event.status };
    case "budget_alert":
      // Shown as its own banner (see RunContext), whichever run it comes from.
      return state;
    case "failed":
      return { ...state, phase: "failed", runId: event.run_id ?? state.runId, pausedFor: null, error: { code: event.code, message: event.message } };
    case "finished": {
      const { kind: _kind, ...summary } = event;
      const progress: RunProgress = {
        run_id: summary.run_id,
        total: state.progress?.total ?? summary.succeeded + summary.failed,
        done: summary.succeeded,
        failed: summary.failed,
        requests: summary.requests,
        retries: summary.retries,
        requests_per_minute: state.progress?.requests_per_minute ?? 0,
        cost_picos: summary.cost_picos,
        eta_s: 0,
      };
      const budgetStop =
        summary.status === "budget_reached"
          ? (state.budgetStop ?? { sentence: summary.error || BUDGET_SENTENCE, costPicos: summary.cost_picos, capPicos: null })
          : null;
      const dailyQuota =
        summary.status === "waiting_for_quota"
          ? {
              sentence: state.dailyQuota?.sentence ?? (summary.error || QUOTA_SENTENCE),
              resetsAt: summary.resume_at ?? state.dailyQuota?.resetsAt ?? null,
            }
          : null;
      return {
        phase: "finished",
        runId: summary.run_id,
        progress,
        pausedFor: null,
        summary,
        budgetReached: state.budgetReached || budgetStop != null,
        budgetStop,
        dailyQuota,
        error: null,
        batch: summary.batch ?? state.batch,
      };
    }
  }
}

/** Runs that stopped part-way and can be resumed. */
export function canResume(status: string): boolean {
  return ["interrupted", "cancelled", "failed", "budget_reached", "waiting_for_quota"].includes(status);
}

/** A run's status in plain words, for lists and summaries. */
export function runStatusWords(status: string): string {
  switch (status) {
    case "running":
      return "Running";
    case "finished":
      return "Finished";
    case "cancelled":
      return "Stopped";
    case "interrupted":
      return "Interrupted";
    case "failed":
      return "Failed";
    case "budget_reached":
      return "Stopped at budget";
    case "waiting_for_quota":
      return "Waiting for Google's daily limit";
    default:
      // An unknown status from a newer engine: "some_new_state" → "Some new state".
      return status.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());
  }
}

/** "The run from 14 Nov 2026, 15:00 finished 40 of 100 posts." (for a run that stopped part-way). */
export function runSoFarSentence(run: Pick<RunListing, "created_at" | "done" | "posts">): string {
  return `The run from ${formatDateTime(run.created_at)} finished ${formatInt(run.done)} of ${formatInt(run.posts)} posts.`;
}

/** The colour of a run's status pill. */
export function runStatusTone(status: string): "green" | "accent" | "yellow" | "" {
  if (status === "finished") return "green";
  if (status === "running") return "accent";
  return canResume(status) ? "yellow" : "";
}

// ---- Stopped runs: budget and Google's daily limit. ----

/** "Resets at 09:00 (your time)", with "tomorrow" or the day when it is not today. */
export function resetTimeText(resetsAt: number, now: Date = new Date()): string {
  const at = new Date(resetsAt * 1000);
  const clock = formatClock(resetsAt);
  const tomorrow = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1);
  if (isoDay(at) === isoDay(now)) return `Resets at ${clock} (your time)`;
  if (isoDay(at) === isoDay(tomorrow)) return `Resets tomorrow at ${clock} (your time)`;
  return `Resets on ${formatDay(resetsAt, now)} at ${clock} (your time)`;
}

/** A little after the reset, so the first request is not refused by a clock a few seconds off. */
const RESUME_MARGIN_S = 60;

/** When a run waiting for the daily limit should continue by itself (unix seconds). */
export function autoResumeAt(resetsAt: number): number {
  return resetsAt + RESUME_MARGIN_S;
}

/** Whether a scheduled resume is due. */
export function resumeDue(atSeconds: number, nowMs: number): boolean {
  return nowMs >= atSeconds * 1000;
}

// ---- Monthly budget alerts: a banner each, until dismissed. ----

export interface BudgetAlert {
  id: number;
  runId: number;
  sentence: string;
  monthly: boolean;
}

/** Adds an alert, unless the same sentence is already showing. */
export function addBudgetAlert(alerts: BudgetAlert[], event: { run_id: number; sentence: string; monthly: boolean }, id: number): BudgetAlert[] {
  const sentence = event.sentence.trim();
  if (!sentence || alerts.some((a) => a.sentence === sentence)) return alerts;
  return [...alerts, { id, runId: event.run_id, sentence, monthly: event.monthly }];
}
