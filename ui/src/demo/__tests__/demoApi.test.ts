// The browser demo must behave like the real backend's contract, or screenshots lie.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { RunEvent } from "../../apiTypes";
import { createDemoApi } from "../demoApi";

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

/** Lets the demo's simulated latency pass. The outcome is captured first, so a rejection is
 * never reported as unhandled while the clock moves. */
async function settle<T>(p: Promise<T>): Promise<T> {
  const outcome = p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  await vi.advanceTimersByTimeAsync(2000);
  const o = await outcome;
  if (o.ok) return o.value;
  throw o.error;
}

describe("demo backend", () => {
  it("checks the Gemini key and only ever reports its last four characters", async () => {
    const api = createDemoApi();
    await expect(settle(api.setKey("gemini", "not-a-key"))).rejects.toMatchObject({ code: "invalid_key" });
    const status = await settle(api.setKey("gemini", "AIzaSyAbcdefghijklmnopqrstuvwxyz"));
    expect(status).toEqual({ secret: "gemini", set: true, last4: "wxyz" });
    const all = await api.keyStatus();
    expect(JSON.stringify(all)).not.toContain("AIzaSyAbcdef");
    expect(await settle(api.deleteKey("gemini"))).toEqual({ secret: "gemini", set: false, last4: null });
  });

  it("runs to the end with typed events and writes reply drafts", async () => {
    const api = createDemoApi();
    const events: RunEvent[] = [];
    await api.onRunEvent((e) => events.push(e));
    const settings = await api.defaultRunSettings(1);
    const forecast = await settle(api.forecastRun(1, settings));
    expect(forecast.posts).toBeGreaterThan(0);
    const runId = await settle(api.startRun(1, settings, null));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(events[0]).toMatchObject({ kind: "started", run_id: runId, total: forecast.posts });
    const finished = events.at(-1)!;
    expect(finished.kind).toBe("finished");
    if (finished.kind !== "finished") return;
    expect(finished.succeeded + finished.failed).toBe(forecast.posts);
    expect(finished.cost_picos).toBeGreaterThan(0);
    const progress = events.filter((e) => e.kind === "progress");
    expect(progress.length).toBeGreaterThan(3);
    const runs = await settle(api.listRuns(1));
    expect(runs[0]).toMatchObject({ run_id: runId, status: "finished" });
  });

  it("stops a run on cancel and refuses a second run at once", async () => {
    const api = createDemoApi();
    const settings = await api.defaultRunSettings(1);
    const runId = await settle(api.startRun(1, settings, null));
    await expect(settle(api.startRun(1, settings, null))).rejects.toMatchObject({ code: "run_in_progress" });
    await settle(api.cancelRun(runId));
    const runs = await settle(api.listRuns(1));
    expect(runs.find((r) => r.run_id === runId)?.status).toBe("cancelled");
  });

  it("forecasts with the engine's newer fields", async () => {
    const api = createDemoApi();
    const settings = await api.defaultRunSettings(1);
    const f = await settle(api.forecastRun(1, settings));
    expect(f.per_request).toBe(settings.per_request);
    expect(Array.isArray(f.notes)).toBe(true);
    expect(f.planning_cost_picos).toBeLessThanOrEqual(f.cost_picos);
    expect(f.requests_left_today === null || f.requests_left_today >= 0).toBe(true);
    // Fewer requests left today than the run needs: fewer posts, and a note that says why.
    const tight = await settle(api.forecastRun(1, { ...settings, limits: { ...settings.limits, rpd: 10 }, per_request: 1 }));
    expect(tight.posts).toBeLessThanOrEqual(10);
    expect(tight.requests_left_today).toBeLessThanOrEqual(10);
    expect(tight.notes.join(" ")).toMatch(/more requests? today/);
  });

  it("stops at the run's budget, and goes on once it is raised", async () => {
    const api = createDemoApi();
    const events: RunEvent[] = [];
    await api.onRunEvent((e) => events.push(e));
    const settings = await api.defaultRunSettings(1);
    const runId = await settle(api.startRun(1, settings, 2_000_000_000));
    await vi.advanceTimersByTimeAsync(60_000);
    const reached = events.find((e) => e.kind === "budget_reached");
    expect(reached).toMatchObject({ kind: "budget_reached", run_id: runId, cap_picos: 2_000_000_000 });
    if (reached?.kind !== "budget_reached") return;
    expect(reached.cost_picos).toBeLessThanOrEqual(2_000_000_000);
    expect(reached.sentence).toMatch(/Budget reached/);
    const ended = events.at(-1)!;
    expect(ended).toMatchObject({ kind: "finished", status: "budget_reached", error: reached.sentence });
    expect((await settle(api.listRuns(1))).find((r) => r.run_id === runId)?.status).toBe("budget_reached");
    // A budget at or below what was spent is refused in plain words.
    await expect(settle(api.resumeRun(runId, reached.cost_picos))).rejects.toMatchObject({ code: "invalid_input" });
    events.length = 0;
    await settle(api.resumeRun(runId, 1_000_000_000_000));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(events[0]).toMatchObject({ kind: "started", run_id: runId });
    expect(events.at(-1)).toMatchObject({ kind: "finished", status: "finished", error: null });
  });

  it("waits for Google's daily limit with the time it resets", async () => {
    const api = createDemoApi("quota");
    const events: RunEvent[] = [];
    await api.onRunEvent((e) => events.push(e));
    const settings = await api.defaultRunSettings(1);
    const runId = await settle(api.startRun(1, settings, null));
    await vi.advanceTimersByTimeAsync(60_000);
    const quota = events.find((e) => e.kind === "daily_quota");
    expect(quota).toMatchObject({ kind: "daily_quota", run_id: runId });
    if (quota?.kind !== "daily_quota") return;
    expect(quota.resets_at).toBeGreaterThan(Date.now() / 1000);
    expect(events.at(-1)).toMatchObject({ kind: "finished", status: "waiting_for_quota", resume_at: quota.resets_at, error: quota.sentence });
    expect(await settle(api.runSummary(runId))).toMatchObject({ status: "waiting_for_quota", resume_at: quota.resets_at });
    events.length = 0;
    await settle(api.resumeRun(runId, null));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(events.at(-1)).toMatchObject({ kind: "finished", status: "finished", resume_at: null });
  });

  it("filters and sorts opportunities, and status changes stick", async () => {
    const api = createDemoApi();
    const base = {
      project_id: 1,
      labels: [],
      status: "pending" as const,
      topic: null,
      run_id: null,
      search: "",
      sort: "score" as const,
      with_drafts: false,
      limit: 500,
    };
    const page = await settle(api.listOpportunities(base));
    const scores = page.items.map((o) => o.total);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    const greens = await settle(api.listOpportunities({ ...base, labels: ["green"] }));
    expect(greens.items.every((o) => o.label === "green")).toBe(true);
    const first = page.items[0]!;
    await settle(api.setPostStatus(1, [first.tweet_id], "posted"));
    const after = await settle(api.listOpportunities(base));
    expect(after.items.some((o) => o.tweet_id === first.tweet_id)).toBe(false);
    expect(after.total).toBe(page.total - 1);
  });

  it("never lists posts held back for avoided words or authors", async () => {
    const api = createDemoApi();
    const page = await settle(
      api.listOpportunities({ project_id: 1, labels: [], status: null, topic: null, run_id: null, search: "", sort: "score", with_drafts: false, limit: 500 }),
    );
    for (const o of page.items) {
      expect(o.text.toLowerCase()).not.toMatch(/\bgiveaway\b|\bairdrop\b/);
      expect(o.handle).not.toBe("growthhacks_daily");
    }
  });

  it("rejects a duplicate project name with the engine's code", async () => {
    const api = createDemoApi();
    const p = await settle(api.getProject(1));
    await expect(settle(api.createProject({ ...p.settings, name: p.settings.name.toUpperCase() }))).rejects.toMatchObject({ code: "project_exists" });
  });
});
