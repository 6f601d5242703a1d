// The adapter over the generated bindings, with Tauri's IPC replaced by a recorder: the
// command names and argument names must be the shell's, and every failure must come out as
// one AppError.

import { beforeEach, describe, expect, it, vi } from "vitest";

const invoke = vi.fn();
const listen = vi.fn();
vi.mock("@tauri-apps/api/core", () => ({ invoke: (...args: unknown[]) => invoke(...args) }));
vi.mock("@tauri-apps/api/event", () => ({ listen: (...args: unknown[]) => listen(...args), once: vi.fn(), emit: vi.fn(), emitTo: vi.fn() }));

const { tauriApi } = await import("../api");

beforeEach(() => {
  invoke.mockReset();
  listen.mockReset();
});

describe("tauri adapter", () => {
  it("calls the shell's command with its argument names and returns the data", async () => {
    invoke.mockResolvedValueOnce({ secret: "gemini", set: true, last4: "wxyz", from_environment: false });
    await expect(tauriApi.setKey("gemini", "AIza-secret")).resolves.toEqual({ secret: "gemini", set: true, last4: "wxyz", from_environment: false });
    expect(invoke).toHaveBeenCalledWith("set_key", { secret: "gemini", value: "AIza-secret" });
  });

  it("turns the shell's {code, message} into an AppError", async () => {
    invoke.mockRejectedValueOnce({ code: "invalid_key", message: "the API key is not valid" });
    await expect(tauriApi.setKey("gemini", "bad")).rejects.toEqual({ code: "invalid_key", message: "the API key is not valid" });
  });

  it("normalises errors raised in the webview itself, without their stack", async () => {
    invoke.mockRejectedValueOnce(new Error("IPC is not available\n    at invoke (core.js:1:1)"));
    await expect(tauriApi.appInfo()).rejects.toEqual({ code: "unexpected", message: "IPC is not available" });
    invoke.mockRejectedValueOnce("a plain string from a panicking command");
    await expect(tauriApi.appInfo()).rejects.toMatchObject({ code: "unexpected" });
  });

  it("sends files as paths only: a file's bytes never cross IPC", async () => {
    // ImportSource has no other kind (the shell refuses bytes: dto's import_sources_are_tagged).
    invoke.mockResolvedValueOnce({ format: "X API JSON", added: 0, updated: 0, skipped: [], stopped_early: null, scored: 0 });
    await tauriApi.importPosts(3, { kind: "path", path: "/tmp/x.json" });
    expect(invoke).toHaveBeenLastCalledWith("import_posts", { projectId: 3, source: { kind: "path", path: "/tmp/x.json" } });
  });

  it("leaves paging to the engine and maps commands whose names differ from the Api's", async () => {
    invoke.mockResolvedValue({ items: [], total: 0 });
    const q = { project_id: 1, labels: [], status: null, topic: null, run_id: null, search: "", sort: "score" as const, with_drafts: false, limit: 50 };
    await tauriApi.listOpportunities(q);
    // No offset: the engine's OpportunityQuery starts at the first post.
    expect(invoke).toHaveBeenCalledWith("list_opportunities", { query: q });
    invoke.mockResolvedValue({
      tier: "free",
      model: "m",
      limits: { rpm: 5, tpm: null, rpd: null },
      custom: null,
      monthly_budget_picos: null,
      gemini_base_url: "u",
    });
    await tauriApi.setTier("custom", "m", { rpm: 5, tpm: null, rpd: null });
    expect(invoke).toHaveBeenLastCalledWith("set_limits", { tier: "custom", model: "m", custom: { rpm: 5, tpm: null, rpd: null } });
    invoke.mockResolvedValue([]);
    await tauriApi.costPerRun({ since: null, until: null, project_id: null });
    expect(invoke).toHaveBeenLastCalledWith("costs_per_run", { query: { since: null, until: null, project_id: null } });
    await tauriApi.averagePerPost({ since: "2026-11-01", until: null, project_id: 2 });
    expect(invoke).toHaveBeenLastCalledWith("average_cost_per_post", { query: { since: "2026-11-01", until: null, project_id: 2 } });
  });

  it("forwards run events as the engine sent them", async () => {
    let callback: ((e: { payload: unknown }) => void) | null = null;
    const unlisten = vi.fn();
    listen.mockImplementation(async (name: string, cb: (e: { payload: unknown }) => void) => {
      expect(name).toBe("run-event");
      callback = cb;
      return unlisten;
    });
    const seen: unknown[] = [];
    const stop = await tauriApi.onRunEvent((e) => seen.push(e));
    callback!({
      payload: { kind: "progress", run_id: 4, total: 10, done: 3, failed: 0, requests: 3, retries: 0, requests_per_minute: 9.5, cost_picos: 12, eta_s: null },
    });
    callback!({ payload: { kind: "failed", run_id: null, code: "key_missing", message: "No key" } });
    expect(seen).toEqual([
      { kind: "progress", run_id: 4, total: 10, done: 3, failed: 0, requests: 3, retries: 0, requests_per_minute: 9.5, cost_picos: 12, eta_s: null },
      { kind: "failed", run_id: null, code: "key_missing", message: "No key" },
    ]);
    stop();
    expect(unlisten).toHaveBeenCalled();
  });

  it("passes the budget, monthly alert and daily limit events on unchanged", async () => {
    let callback: ((e: { payload: unknown }) => void) | null = null;
    listen.mockImplementation(async (_name: string, cb: (e: { payload: unknown }) => void) => {
      callback = cb;
      return vi.fn();
    });
    const seen: unknown[] = [];
    await tauriApi.onRunEvent((e) => seen.push(e));
    const sentence = "Budget reached: $0.04 of $0.05 (this run's budget). Raise it to go on.";
    const events = [
      { kind: "budget_reached", run_id: 2, cost_picos: 40, cap_picos: 50, sentence },
      { kind: "budget_alert", run_id: 2, sentence: "80% of the monthly budget is used ($40.00 of $50.00).", monthly: true },
      { kind: "daily_quota", run_id: 2, resets_at: 1_800_000_000, sentence: "Used up." },
    ];
    for (const payload of events) callback!({ payload });
    expect(seen).toEqual(events);
  });

  it("carries a stopped run's resume time and the forecast's new fields", async () => {
    const summary = {
      run_id: 3,
      status: "waiting_for_quota",
      candidates: 10,
      gated_out: 0,
      deduped: 0,
      succeeded: 4,
      failed: 0,
      suggestions: 20,
      requests: 4,
      retries: 0,
      input_tokens: 1,
      output_tokens: 1,
      thinking_tokens: 0,
      cost_picos: 9,
      elapsed_s: 0,
      error: "Google's daily limit is used up.",
      resume_at: 1_800_000_000,
      sentence: "4 succeeded, 0 failed",
    };
    invoke.mockResolvedValueOnce(summary);
    await expect(tauriApi.runSummary(3)).resolves.toMatchObject({ status: "waiting_for_quota", resume_at: 1_800_000_000, elapsed_s: 0 });
    const forecast = {
      posts: 180,
      gated_out: 2,
      deduped: 1,
      requests: 180,
      input_tokens: 10,
      output_tokens: 20,
      cost_picos: 30,
      duration_s: 150,
      thinking_tokens: 4000,
      planning_cost_picos: 5,
      per_request: 1,
      requests_left_today: 180,
      notes: ["Google allows 180 more requests today."],
      batch_posts: 180,
      batch_cost_picos: 4,
      text: {
        headline: "180 posts will get reply drafts, in about 180 requests.",
        cost_line: "Estimated cost $0.00000000003 · about 2 m 30 s at your current limits.",
        held_back: null,
        over_budget: null,
        thinking_line: null,
        planning_line: null,
        daily_line: null,
        notes: [],
        cost_text: "$0.00000000003",
        batch_cost_text: "$0.000000000004",
        duration_text: "2 m 30 s",
      },
    };
    invoke.mockResolvedValueOnce(forecast);
    const f = await tauriApi.forecastRun(1, {} as never, null);
    expect(f).toMatchObject({
      duration_s: 150,
      thinking_tokens: 4000,
      planning_cost_picos: 5,
      requests_left_today: 180,
      notes: ["Google allows 180 more requests today."],
    });
  });

  it("resumes with a new budget, or keeps the old one", async () => {
    invoke.mockResolvedValue(7);
    await expect(tauriApi.resumeRun(7, 100_000_000_000)).resolves.toBe(7);
    expect(invoke).toHaveBeenLastCalledWith("resume_run", { runId: 7, budgetPicos: 100_000_000_000, mode: null });
    await tauriApi.resumeRun(7, null);
    expect(invoke).toHaveBeenLastCalledWith("resume_run", { runId: 7, budgetPicos: null, mode: null });
    // A follow-up at half price.
    await tauriApi.resumeRun(7, null, "batch");
    expect(invoke).toHaveBeenLastCalledWith("resume_run", { runId: 7, budgetPicos: null, mode: "batch" });
  });
});
