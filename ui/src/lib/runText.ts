// Words and state for a run: the forecast before it starts, the live progress while it works,
// the summary sentence after.

import type { Forecast, RunEvent, RunProgress, RunSummary } from "../apiTypes";
import { formatDuration, formatEta, formatInt, formatPerMinute, formatUsd, plural } from "./format";

/** "426 succeeded, 0 failed · $0.0341 (avg $0.00008 per post) · 2 m 51 s" (as the engine says it). */
export function summarySentence(s: Pick<RunSummary, "succeeded" | "failed" | "cost_picos" | "elapsed_s">): string {
  const avg = s.succeeded > 0 ? ` (avg ${formatUsd(Math.trunc(s.cost_picos / s.succeeded))} per post)` : "";
  return `${formatInt(s.succeeded)} succeeded, ${formatInt(s.failed)} failed · ${formatUsd(s.cost_picos)}${avg} · ${formatDuration(s.elapsed_s)}`;
}

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
    default:
      return "Run in progress.";
  }
}

export interface ForecastText {
  /** "120 posts will get reply drafts, in about 120 requests." */
  headline: string;
  /** "Estimated cost $0.0412 · about 2 m 30 s at your current limits." */
  costLine: string;
  /** "18 posts held back (spam, reposts, authors or words you avoid) cost nothing." or null. */
  heldBack: string | null;
  /** Set when the estimate is above the budget cap. */
  overBudget: string | null;
}

export function forecastText(f: Forecast, budgetPicos: number | null): ForecastText {
  const headline =
    f.posts === 0
      ? "No posts match these filters, so nothing would be sent."
      : `${plural(f.posts, "post")} will get reply drafts, in about ${plural(f.requests, "request")}.`;
  const costLine =
    f.posts === 0 ? "Estimated cost $0.00." : `Estimated cost ${formatUsd(f.cost_picos)} · about ${formatDuration(f.duration_s)} at your current limits.`;
  const skipped = f.gated_out + f.deduped;
  const heldBack =
    skipped > 0
      ? `${plural(skipped, "post")} held back (spam, reposts, repeats, authors or words you avoid) ${skipped === 1 ? "costs" : "cost"} nothing.`
      : null;
  const overBudget =
    budgetPicos != null && f.cost_picos > budgetPicos
      ? `The estimate is above your budget of ${formatUsd(budgetPicos)}: the run will stop when it reaches it.`
      : null;
  return { headline, costLine, heldBack, overBudget };
}

/** Whole-number percent of a run's posts handled (done or failed), 0–100. */
export function progressPercent(p: Pick<RunProgress, "done" | "failed" | "total">): number {
  if (p.total <= 0) return 100;
  const pct = Math.floor(((p.done + p.failed) / p.total) * 100);
  return Math.min(100, Math.max(0, pct));
}

/** The small line under the progress bar: "212 of 426 · 3 failed · 14 a minute · $0.0170 so far · about 2 m left". */
export function progressLine(p: RunProgress): string {
  const parts = [`${formatInt(p.done + p.failed)} of ${formatInt(p.total)}`];
  if (p.failed > 0) parts.push(`${formatInt(p.failed)} failed`);
  parts.push(`${formatPerMinute(p.requests_per_minute)}`);
  parts.push(`${formatUsd(p.cost_picos)} so far`);
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
  /** Why the run stopped, when it stopped on an error. */
  error: { code: string; message: string } | null;
}

export const idleRun: LiveRun = { phase: "idle", runId: null, progress: null, pausedFor: null, summary: null, budgetReached: false, error: null };

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
        error: null,
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
        progress: state.progress ? { ...state.progress, cost_picos: Math.max(state.progress.cost_picos, event.cost_picos) } : state.progress,
      };
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
      return { phase: "finished", runId: summary.run_id, progress, pausedFor: null, summary, budgetReached: state.budgetReached, error: null };
    }
  }
}

/** Runs that stopped part-way and can be resumed. */
export function canResume(status: string): boolean {
  return status === "interrupted" || status === "cancelled" || status === "failed";
}

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
    default:
      return status;
  }
}
