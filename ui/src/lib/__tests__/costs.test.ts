import { describe, expect, it } from "vitest";
import { axisTicks, budgetShare, chartStart, daysBetween, perPostSeries, projectTotals, rangeFor, runCostPoints, stackByDay, usdToPicos } from "../costs";

describe("daysBetween", () => {
  it("lists every day inclusive, across month ends and DST changes", () => {
    expect(daysBetween("2026-10-30", "2026-11-02")).toEqual(["2026-10-30", "2026-10-31", "2026-11-01", "2026-11-02"]);
    expect(daysBetween("2026-03-28", "2026-03-31")).toHaveLength(4);
    expect(daysBetween("2026-11-02", "2026-11-02")).toEqual(["2026-11-02"]);
    expect(daysBetween("2026-11-03", "2026-11-02")).toEqual([]);
    expect(daysBetween("nope", "2026-11-02")).toEqual([]);
  });
});

describe("stackByDay", () => {
  const rows = [
    { day: "2026-11-02", group: "gemini-2.5-flash", calls: 10, cost_picos: 2_000_000_000_000 },
    { day: "2026-11-02", group: "gemini-embedding-001", calls: 1, cost_picos: 100_000_000_000 },
    { day: "2026-11-04", group: "gemini-2.5-flash", calls: 5, cost_picos: 1_000_000_000_000 },
    { day: "2026-12-01", group: "gemini-2.5-flash", calls: 5, cost_picos: 9_000_000_000_000 },
  ];
  it("fills days without spend with zeros and stacks groups largest first", () => {
    const s = stackByDay(rows, "2026-11-01", "2026-11-05");
    expect(s.days).toEqual(["2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05"]);
    expect(s.series.map((x) => x.name)).toEqual(["gemini-2.5-flash", "gemini-embedding-001"]);
    expect(s.series[0]!.values).toEqual([0, 2, 0, 1, 0]);
    expect(s.series[1]!.values).toEqual([0, 0.1, 0, 0, 0]);
    expect(s.totalPicos).toBe(3_100_000_000_000); // the December row is outside the range
  });
  it("uses the rows' own first and last day for open ranges", () => {
    const s = stackByDay(rows.slice(0, 3), null, null);
    expect(s.days).toEqual(["2026-11-02", "2026-11-03", "2026-11-04"]);
  });
  it("is empty without rows", () => {
    expect(stackByDay([], null, null)).toEqual({ days: [], series: [], totalPicos: 0 });
  });
});

describe("ranges and per-run figures", () => {
  const today = new Date(2026, 10, 28, 15);
  it("computes presets relative to today", () => {
    expect(rangeFor("7d", today)).toEqual({ since: "2026-11-22", until: "2026-11-28" });
    expect(rangeFor("30d", today)).toEqual({ since: "2026-10-30", until: "2026-11-28" });
    expect(rangeFor("month", today)).toEqual({ since: "2026-11-01", until: "2026-11-28" });
    expect(rangeFor("all", today)).toEqual({ since: null, until: null });
  });
  it("orders runs oldest first with the cost per answered post", () => {
    const t = (d: number) => Math.floor(new Date(2026, 10, d, 12).getTime() / 1000);
    const run = { project: "A", status: "finished", model: "gemini-2.5-flash", calls: 4, elapsed_s: 3 };
    const points = runCostPoints([
      // As the engine sends them: an average when posts got replies, none otherwise.
      { ...run, run_id: 2, created_at: t(5), succeeded: 4, failed: 0, cost_picos: 400_000_000, avg_picos_per_post: 100_000_000 },
      { ...run, run_id: 1, created_at: t(3), succeeded: 0, failed: 10, cost_picos: 0, avg_picos_per_post: null },
    ]);
    expect(points.map((p) => p.runId)).toEqual([1, 2]);
    expect(points[0]!.perPostUsd).toBeNull();
    expect(points[1]!.perPostUsd).toBeCloseTo(0.0001, 10);
    expect(points[1]!.day).toBe("2026-11-05");
    expect(points[1]!.name).toMatch(/5.* · A$/);
  });
  it("fits the chart to the data: a first run is not one thin bar at the edge of 30 days", () => {
    const row = (day: string, cost_picos = 5) => ({ day, group: "m", calls: 1, cost_picos });
    // Spend only today: a week is shown.
    expect(chartStart([row("2026-12-02")], "2026-11-03", "2026-12-02")).toBe("2026-11-26");
    // Spend since 10 days ago: from two days before it.
    expect(chartStart([row("2026-11-22"), row("2026-12-01")], "2026-11-03", "2026-12-02")).toBe("2026-11-20");
    // Never before the range's start; no data keeps the range.
    expect(chartStart([row("2026-11-04")], "2026-11-03", "2026-12-02")).toBe("2026-11-03");
    expect(chartStart([], "2026-11-03", "2026-12-02")).toBe("2026-11-03");
    expect(chartStart([row("2026-12-01", 0)], "2026-11-03", "2026-12-02")).toBe("2026-11-03");
  });
  it("totals each project over the range", () => {
    const rows = [
      { day: "2026-12-01", group: "B", calls: 1, cost_picos: 10 },
      { day: "2026-12-01", group: "A", calls: 1, cost_picos: 30 },
      { day: "2026-12-02", group: "B", calls: 1, cost_picos: 40 },
    ];
    expect(projectTotals(rows)).toEqual([
      { project: "B", costPicos: 50, days: 2 },
      { project: "A", costPicos: 30, days: 1 },
    ]);
  });
  it("charts the average per post by day, leaving out days without answered posts", () => {
    expect(
      perPostSeries([
        { day: "2026-11-03", posts: 2, cost_picos: 200, avg_picos_per_post: 100 },
        { day: "2026-11-01", posts: 4, cost_picos: 2_000_000_000, avg_picos_per_post: 500_000_000 },
        { day: "2026-11-02", posts: 0, cost_picos: 50, avg_picos_per_post: null },
      ]),
    ).toEqual([
      { day: "2026-11-01", usd: 0.0005 },
      { day: "2026-11-03", usd: 1e-10 },
    ]);
  });
  it("measures the month against the budget", () => {
    expect(budgetShare(1_000, 4_000)).toBe(0.25);
    expect(budgetShare(1_000, null)).toBeNull();
    expect(budgetShare(1_000, 0)).toBeNull();
  });
});

describe("money axes", () => {
  it("uses round steps from 0 past the largest value, so every tick's text can come from the engine", () => {
    expect(axisTicks(0)).toEqual([0, 10_000_000_000]);
    expect(axisTicks(41_200_000_000)).toEqual([0, 20_000_000_000, 40_000_000_000, 60_000_000_000]);
    const ticks = axisTicks(7_300_000_000_000);
    expect(ticks[0]).toBe(0);
    expect(ticks.at(-1)!).toBeGreaterThanOrEqual(7_300_000_000_000);
    expect(ticks.length).toBeLessThanOrEqual(7);
    expect(usdToPicos(0.0412)).toBe(41_200_000_000);
  });
});
