import { describe, expect, it } from "vitest";
import type { BatchStatus, RunSummary } from "../../api";
import {
  addBudgetAlert,
  applyRunEvent,
  autoResumeAt,
  canResume,
  idleRun,
  isBusy,
  progressLine,
  progressPercent,
  resetTimeText,
  resumeDue,
  runStatusTone,
  runStatusWords,
  summaryHeadline,
} from "../runText";

const summary = (over: Partial<RunSummary> = {}): RunSummary => ({
  run_id: 7,
  status: "finished",
  candidates: 500,
  gated_out: 60,
  deduped: 14,
  succeeded: 426,
  failed: 0,
  suggestions: 2130,
  requests: 430,
  retries: 4,
  input_tokens: 1,
  output_tokens: 1,
  thinking_tokens: 0,
  cost_picos: 34_100_000_000,
  elapsed_s: 171,
  cost_usd: 0.0341,
  error: null,
  resume_at: null,
  mode: "standard",
  batch: null,
  forecast_note: null,
  sentence: "426 succeeded, 0 failed · $0.0341 (avg $0.00008 per post) · 2 m 51 s",
  ...over,
});

describe("summaryHeadline", () => {
  it("has a headline for each way a run ends", () => {
    expect(summaryHeadline(summary())).toBe("Run finished.");
    expect(summaryHeadline(summary({ failed: 2 }))).toMatch(/some posts that failed/);
    expect(summaryHeadline(summary({ status: "cancelled" }))).toMatch(/resume/);
    expect(summaryHeadline(summary({ status: "interrupted" }))).toMatch(/Resume/);
    expect(summaryHeadline(summary({ succeeded: 0, failed: 0 }))).toMatch(/Nothing needed/);
    expect(canResume("interrupted")).toBe(true);
    expect(canResume("finished")).toBe(false);
  });
});

describe("progress", () => {
  it("counts done and failed towards the percentage, clamped to 0–100", () => {
    expect(progressPercent({ done: 0, failed: 0, total: 426 })).toBe(0);
    expect(progressPercent({ done: 212, failed: 1, total: 426 })).toBe(50);
    expect(progressPercent({ done: 425, failed: 0, total: 426 })).toBe(99);
    expect(progressPercent({ done: 426, failed: 0, total: 426 })).toBe(100);
    expect(progressPercent({ done: 0, failed: 0, total: 0 })).toBe(100);
    expect(progressPercent({ done: 500, failed: 0, total: 426 })).toBe(100);
  });
  it("writes the line under the bar", () => {
    expect(
      progressLine(
        { run_id: 1, total: 426, done: 210, failed: 2, requests: 212, retries: 0, requests_per_minute: 14, cost_picos: 17_000_000_000, eta_s: 120 },
        "$0.0170",
      ),
    ).toBe("212 of 426 · 2 failed · 14 a minute · $0.0170 so far · about 2 m 0 s left");
  });
});

describe("applyRunEvent", () => {
  it("follows a half-price run's jobs at Google and keeps them on the summary", () => {
    const status: BatchStatus = {
      run_id: 8,
      phase: "queued_at_google",
      jobs: 1,
      jobs_done: 0,
      requests: 14,
      answered: 0,
      failed: 0,
      next_check_s: 10,
      headline: "Queued at Google: 1 job, 14 requests",
      sentence: "Queued at Google: 1 job, 14 requests. Next check in 10 s.",
    };
    let s = applyRunEvent({ ...idleRun, phase: "starting", runId: 8 }, { kind: "started", run_id: 8, project_id: 1, total: 40, already_done: 0 });
    s = applyRunEvent(s, { kind: "batch", run_id: 8, status });
    expect(s.batch?.sentence).toBe(status.sentence);
    expect(isBusy(s)).toBe(true);
    // Another run's jobs are not this run's.
    expect(applyRunEvent(s, { kind: "batch", run_id: 9, status: { ...status, run_id: 9, phase: "done" } }).batch?.phase).toBe("queued_at_google");
  });

  it("follows a run from start to finish", () => {
    let s = applyRunEvent(idleRun, { kind: "started", run_id: 3, project_id: 1, total: 10, already_done: 4 });
    expect(s.phase).toBe("running");
    expect(s.progress?.done).toBe(4);
    s = applyRunEvent(s, {
      kind: "progress",
      run_id: 3,
      total: 10,
      done: 6,
      failed: 1,
      requests: 7,
      retries: 0,
      requests_per_minute: 9,
      cost_picos: 500,
      eta_s: 20,
    });
    expect(s.progress).toMatchObject({ done: 6, failed: 1, cost_picos: 500 });
    expect(s.progress).not.toHaveProperty("kind");
    s = applyRunEvent(s, { kind: "paused", run_id: 3, seconds: 6.5 });
    expect(s.phase).toBe("paused");
    expect(s.pausedFor).toBe(6.5);
    s = applyRunEvent(s, {
      kind: "progress",
      run_id: 3,
      total: 10,
      done: 8,
      failed: 1,
      requests: 9,
      retries: 1,
      requests_per_minute: 9,
      cost_picos: 700,
      eta_s: 5,
    });
    expect(s.phase).toBe("running");
    s = applyRunEvent(s, { kind: "finished", ...summary({ run_id: 3, succeeded: 9, failed: 1, cost_picos: 800 }) });
    expect(s.phase).toBe("finished");
    expect(s.summary?.succeeded).toBe(9);
    expect(s.progress).toMatchObject({ total: 10, done: 9, failed: 1, cost_picos: 800 });
    expect(progressPercent(s.progress!)).toBe(100);
  });
  it("notes the budget cap and a run that stopped on an error", () => {
    let s = applyRunEvent(idleRun, { kind: "started", run_id: 5, project_id: 1, total: 10, already_done: 0 });
    expect(isBusy(s)).toBe(true);
    s = applyRunEvent(s, { kind: "budget_reached", run_id: 5, cost_picos: 900, cap_picos: 1000, sentence: "Budget reached." });
    expect(s.budgetReached).toBe(true);
    expect(s.budgetStop).toEqual({ sentence: "Budget reached.", costPicos: 900, capPicos: 1000 });
    expect(s.progress?.cost_picos).toBe(900);
    expect(isBusy(s)).toBe(true);
    s = applyRunEvent(s, { kind: "failed", run_id: 5, code: "invalid_key", message: "the API key is not valid" });
    expect(s.phase).toBe("failed");
    expect(s.error).toEqual({ code: "invalid_key", message: "the API key is not valid" });
    expect(isBusy(s)).toBe(false);
    expect(isBusy(idleRun)).toBe(false);
  });
  it("takes a failure without a run id for the run it follows", () => {
    const s = applyRunEvent({ ...idleRun, phase: "starting", runId: 8 }, { kind: "failed", run_id: null, code: "key_missing", message: "" });
    expect(s.runId).toBe(8);
    expect(s.phase).toBe("failed");
  });
  it("ignores events of another run than the one followed", () => {
    const s = applyRunEvent(idleRun, { kind: "started", run_id: 3, project_id: 1, total: 10, already_done: 0 });
    const t = applyRunEvent(s, {
      kind: "progress",
      run_id: 4,
      total: 99,
      done: 50,
      failed: 0,
      requests: 1,
      retries: 0,
      requests_per_minute: 1,
      cost_picos: 1,
      eta_s: null,
    });
    expect(t).toBe(s);
  });
});

describe("runs stopped by a budget or Google's daily limit", () => {
  it("keeps the budget sentence through the end of the run", () => {
    let s = applyRunEvent(idleRun, { kind: "started", run_id: 5, project_id: 1, total: 10, already_done: 0 });
    const sentence = "Budget reached: $0.04 of $0.05 (this run's budget). Raise it to go on.";
    s = applyRunEvent(s, { kind: "budget_reached", run_id: 5, cost_picos: 40_000_000_000, cap_picos: 50_000_000_000, sentence });
    s = applyRunEvent(s, { kind: "finished", ...summary({ run_id: 5, status: "budget_reached", succeeded: 4, cost_picos: 40_000_000_000, error: sentence }) });
    expect(s.phase).toBe("finished");
    expect(s.budgetStop).toEqual({ sentence, costPicos: 40_000_000_000, capPicos: 50_000_000_000 });
    expect(s.dailyQuota).toBeNull();
    // A resume starts clean.
    s = applyRunEvent(s, { kind: "started", run_id: 5, project_id: 1, total: 10, already_done: 4 });
    expect(s.budgetStop).toBeNull();
    expect(s.budgetReached).toBe(false);
  });
  it("takes the sentence from the summary when the event was missed", () => {
    const s = applyRunEvent(
      { ...idleRun, phase: "running", runId: 6 },
      { kind: "finished", ...summary({ run_id: 6, status: "budget_reached", cost_picos: 7, error: "Budget reached: $0.04 of $0.05." }) },
    );
    expect(s.budgetStop).toEqual({ sentence: "Budget reached: $0.04 of $0.05.", costPicos: 7, capPicos: null });
    expect(s.budgetReached).toBe(true);
  });
  it("follows the daily limit from the event and the summary's resume time", () => {
    let s = applyRunEvent(idleRun, { kind: "started", run_id: 8, project_id: 1, total: 10, already_done: 0 });
    s = applyRunEvent(s, { kind: "daily_quota", run_id: 8, resets_at: 1_800_000_000, sentence: "Google's daily limit is used up." });
    expect(s.dailyQuota).toEqual({ sentence: "Google's daily limit is used up.", resetsAt: 1_800_000_000 });
    expect(isBusy(s)).toBe(true);
    s = applyRunEvent(s, { kind: "finished", ...summary({ run_id: 8, status: "waiting_for_quota", error: "other words", resume_at: 1_800_000_100 }) });
    expect(s.dailyQuota).toEqual({ sentence: "Google's daily limit is used up.", resetsAt: 1_800_000_100 });
    const fromSummary = applyRunEvent(
      { ...idleRun, runId: 9 },
      { kind: "finished", ...summary({ run_id: 9, status: "waiting_for_quota", error: "Used up.", resume_at: 5 }) },
    );
    expect(fromSummary.dailyQuota).toEqual({ sentence: "Used up.", resetsAt: 5 });
  });
  it("leaves the run state alone on a monthly budget alert", () => {
    const s = applyRunEvent(idleRun, { kind: "started", run_id: 5, project_id: 1, total: 10, already_done: 0 });
    expect(applyRunEvent(s, { kind: "budget_alert", run_id: 5, sentence: "80% of the monthly budget is used.", monthly: true })).toBe(s);
  });
  it("adds each alert once", () => {
    const e = { run_id: 1, sentence: "80% of the monthly budget is used ($40.00 of $50.00).", monthly: true };
    let alerts = addBudgetAlert([], e, 1);
    expect(alerts).toEqual([{ id: 1, runId: 1, sentence: e.sentence, monthly: true }]);
    alerts = addBudgetAlert(alerts, e, 2);
    expect(alerts).toHaveLength(1);
    alerts = addBudgetAlert(alerts, { ...e, sentence: "The monthly budget is used up." }, 3);
    expect(alerts.map((a) => a.id)).toEqual([1, 3]);
    expect(addBudgetAlert(alerts, { ...e, sentence: " " }, 4)).toBe(alerts);
  });
});

describe("status words", () => {
  it("says every status in plain words", () => {
    expect(runStatusWords("budget_reached")).toBe("Stopped at budget");
    expect(runStatusWords("waiting_for_quota")).toBe("Waiting for Google's daily limit");
    expect(runStatusWords("interrupted")).toBe("Interrupted");
    expect(runStatusWords("cancelled")).toBe("Stopped");
    expect(runStatusWords("running")).toBe("Running");
    expect(runStatusWords("finished")).toBe("Finished");
    expect(runStatusWords("failed")).toBe("Failed");
    expect(runStatusWords("some_new_state")).toBe("Some new state");
  });
  it("offers resume for runs stopped at the budget or the daily limit", () => {
    expect(canResume("budget_reached")).toBe(true);
    expect(canResume("waiting_for_quota")).toBe(true);
    expect(canResume("running")).toBe(false);
    expect(runStatusTone("budget_reached")).toBe("yellow");
    expect(runStatusTone("finished")).toBe("green");
    expect(runStatusTone("running")).toBe("accent");
    expect(summaryHeadline(summary({ status: "budget_reached" }))).toMatch(/budget/);
    expect(summaryHeadline(summary({ status: "waiting_for_quota" }))).toMatch(/daily limit/);
  });
});

describe("resetTimeText", () => {
  const local = (y: number, m: number, d: number, h: number, min: number) => new Date(y, m - 1, d, h, min).getTime() / 1000;
  it("says the local time, and the day when it is not today", () => {
    const now = new Date(2026, 10, 14, 15, 30);
    expect(resetTimeText(local(2026, 11, 14, 23, 5), now)).toBe("Resets at 23:05 (your time)");
    expect(resetTimeText(local(2026, 11, 15, 9, 0), now)).toBe("Resets tomorrow at 09:00 (your time)");
    expect(resetTimeText(local(2026, 11, 17, 0, 0), now)).toBe("Resets on 17 Nov at 00:00 (your time)");
  });
  it("schedules the resume a little after the reset", () => {
    expect(autoResumeAt(1000)).toBe(1060);
    expect(resumeDue(1060, 1_059_999)).toBe(false);
    expect(resumeDue(1060, 1_060_000)).toBe(true);
  });
});
