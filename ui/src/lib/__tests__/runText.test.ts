import { describe, expect, it } from "vitest";
import type { Forecast, RunSummary } from "../../apiTypes";
import { applyRunEvent, canResume, forecastText, idleRun, isBusy, progressLine, progressPercent, summaryHeadline, summarySentence } from "../runText";

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
  error: null,
  ...over,
});

describe("summarySentence", () => {
  it("matches the product's example sentence", () => {
    // $0.0341 / 426 = $0.0000800469… → "$0.000080"
    expect(summarySentence(summary())).toBe("426 succeeded, 0 failed · $0.0341 (avg $0.000080 per post) · 2 m 51 s");
  });
  it("leaves out the average when nothing succeeded", () => {
    expect(summarySentence(summary({ succeeded: 0, failed: 3, cost_picos: 0, elapsed_s: 4 }))).toBe("0 succeeded, 3 failed · $0.00 · 4 s");
  });
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

describe("forecastText", () => {
  const f: Forecast = { posts: 120, gated_out: 18, deduped: 2, requests: 120, input_tokens: 1, output_tokens: 1, cost_picos: 41_200_000_000, duration_s: 150 };
  it("says how many posts, requests, cost and time", () => {
    const t = forecastText(f, null);
    expect(t.headline).toBe("120 posts will get reply drafts, in about 120 requests.");
    expect(t.costLine).toBe("Estimated cost $0.0412 · about 2 m 30 s at your current limits.");
    expect(t.heldBack).toBe("20 posts held back (spam, reposts, repeats, authors or words you avoid) cost nothing.");
    expect(t.overBudget).toBeNull();
  });
  it("warns when the estimate is above the budget", () => {
    expect(forecastText(f, 10_000_000_000).overBudget).toBe("The estimate is above your budget of $0.0100: the run will stop when it reaches it.");
    expect(forecastText(f, 50_000_000_000).overBudget).toBeNull();
  });
  it("handles nothing to send", () => {
    const t = forecastText({ ...f, posts: 0, requests: 0, gated_out: 0, deduped: 0, cost_picos: 0 }, null);
    expect(t.headline).toMatch(/No posts match/);
    expect(t.heldBack).toBeNull();
  });
  it("avoids the words kept out of the main UI", () => {
    const t = forecastText(f, 1);
    const all = Object.values(t).join(" ").toLowerCase();
    for (const w of ["candidate", "gate", "embedding", "rpm"]) expect(all).not.toContain(w);
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
      progressLine({ run_id: 1, total: 426, done: 210, failed: 2, requests: 212, retries: 0, requests_per_minute: 14, cost_picos: 17_000_000_000, eta_s: 120 }),
    ).toBe("212 of 426 · 2 failed · 14 a minute · $0.0170 so far · about 2 m 0 s left");
  });
});

describe("applyRunEvent", () => {
  it("follows a run from start to finish", () => {
    let s = applyRunEvent(idleRun, { kind: "started", run_id: 3, total: 10, already_done: 4 });
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
    s = applyRunEvent(s, { kind: "budget_reached", run_id: 5, cost_picos: 900 });
    expect(s.budgetReached).toBe(true);
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
    const s = applyRunEvent(idleRun, { kind: "started", run_id: 3, total: 10, already_done: 0 });
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
