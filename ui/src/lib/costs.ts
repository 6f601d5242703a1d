// Shaping cost data for the charts: day × group pivots, date ranges, per-run averages.

import type { CostDayRow, DayAverage, RunSpend } from "../api";
import { isoDay, picosToUsd } from "./format";

export interface StackedSeries {
  /** Every day in the range, oldest first (YYYY-MM-DD), including days with no spend. */
  days: string[];
  /** One series per model or project, largest total first; values in USD. */
  series: Array<{ name: string; values: number[]; totalPicos: number }>;
  totalPicos: number;
}

/** Days from `from` to `to` inclusive (YYYY-MM-DD). Empty when `to` is before `from`. */
export function daysBetween(from: string, to: string): string[] {
  const start = parseDay(from);
  const end = parseDay(to);
  if (!start || !end || end < start) return [];
  const days: string[] = [];
  // Step by calendar day at noon, so daylight-saving changes never skip or repeat a day.
  const d = new Date(start.getFullYear(), start.getMonth(), start.getDate(), 12);
  while (d <= end) {
    days.push(isoDay(d));
    d.setDate(d.getDate() + 1);
    if (days.length > 3660) break;
  }
  return days;
}

function parseDay(day: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return null;
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 12);
}

/**
 * Pivots ledger rows (day, group, cost) into stacked series over every day of the range. When
 * the range has open ends, the rows' own first and last day are used.
 */
export function stackByDay(rows: CostDayRow[], since: string | null, until: string | null): StackedSeries {
  const sorted = [...rows].sort((a, b) => a.day.localeCompare(b.day));
  const first = since ?? sorted[0]?.day ?? null;
  const last = until ?? sorted[sorted.length - 1]?.day ?? null;
  const days = first && last ? daysBetween(first, last) : [];
  const index = new Map(days.map((d, i) => [d, i]));
  const groups = new Map<string, { values: number[]; totalPicos: number }>();
  let totalPicos = 0;
  for (const row of rows) {
    const i = index.get(row.day);
    if (i === undefined) continue;
    let g = groups.get(row.group);
    if (!g) {
      g = { values: days.map(() => 0), totalPicos: 0 };
      groups.set(row.group, g);
    }
    g.values[i] = (g.values[i] ?? 0) + picosToUsd(row.cost_picos);
    g.totalPicos += row.cost_picos;
    totalPicos += row.cost_picos;
  }
  const series = [...groups.entries()]
    .map(([name, g]) => ({ name, values: g.values, totalPicos: g.totalPicos }))
    .sort((a, b) => b.totalPicos - a.totalPicos || a.name.localeCompare(b.name));
  return { days, series, totalPicos };
}

export type RangePreset = "7d" | "30d" | "90d" | "month" | "all";

export const RANGE_PRESETS: Array<{ id: RangePreset; label: string }> = [
  { id: "7d", label: "Last 7 days" },
  { id: "30d", label: "Last 30 days" },
  { id: "90d", label: "Last 90 days" },
  { id: "month", label: "This month" },
  { id: "all", label: "All time" },
];

/** The inclusive local dates of a preset, relative to `today`. */
export function rangeFor(preset: RangePreset, today: Date): { since: string | null; until: string | null } {
  const until = isoDay(today);
  const back = (days: number) => {
    const d = new Date(today.getFullYear(), today.getMonth(), today.getDate() - (days - 1), 12);
    return isoDay(d);
  };
  switch (preset) {
    case "7d":
      return { since: back(7), until };
    case "30d":
      return { since: back(30), until };
    case "90d":
      return { since: back(90), until };
    case "month":
      return { since: isoDay(new Date(today.getFullYear(), today.getMonth(), 1, 12)), until };
    case "all":
      return { since: null, until: null };
  }
}

/**
 * The first day the spend-by-day chart shows: the range's start, or — when the spending began
 * later — a few days before the first day with spend, so a new user's one run is not a thin
 * bar at the far right of 30 empty days. At least `minDays` days stay in view.
 */
export function chartStart(rows: CostDayRow[], since: string | null, until: string, minDays = 7): string | null {
  const first = rows.filter((r) => r.cost_picos > 0).reduce<string | null>((m, r) => (m == null || r.day < m ? r.day : m), null);
  if (first == null) return since;
  const end = new Date(`${until}T12:00:00`);
  const earliest = isoDay(new Date(end.getFullYear(), end.getMonth(), end.getDate() - (minDays - 1), 12));
  const start = new Date(`${first}T12:00:00`);
  const padded = isoDay(new Date(start.getFullYear(), start.getMonth(), start.getDate() - 2, 12));
  let from = padded < earliest ? padded : earliest;
  if (since != null && from < since) from = since;
  return from;
}

/** Per-project totals over the range, largest first, from the by-project day rows. */
export function projectTotals(rows: CostDayRow[]): Array<{ project: string; costPicos: number; days: number }> {
  const totals = new Map<string, { costPicos: number; days: Set<string> }>();
  for (const r of rows) {
    const t = totals.get(r.group) ?? { costPicos: 0, days: new Set<string>() };
    t.costPicos += r.cost_picos;
    if (r.cost_picos > 0) t.days.add(r.day);
    totals.set(r.group, t);
  }
  return [...totals.entries()]
    .map(([project, t]) => ({ project, costPicos: t.costPicos, days: t.days.size }))
    .sort((a, b) => b.costPicos - a.costPicos || a.project.localeCompare(b.project));
}

export interface RunCostPoint {
  runId: number;
  /** "Dec 2 · Acme": runs named by date and project. */
  name: string;
  day: string;
  costUsd: number;
  /** Average cost per post that got drafts; null when none did. */
  perPostUsd: number | null;
}

/** Runs oldest first with their cost and cost per answered post, for the "per run" chart. */
export function runCostPoints(runs: RunSpend[]): RunCostPoint[] {
  return [...runs]
    .sort((a, b) => a.created_at - b.created_at || a.run_id - b.run_id)
    .map((r) => ({
      runId: r.run_id,
      name: `${new Date(r.created_at * 1000).toLocaleDateString(undefined, { month: "short", day: "numeric" })} · ${r.project}`,
      day: isoDay(new Date(r.created_at * 1000)),
      costUsd: picosToUsd(r.cost_picos),
      // The engine's average (none when no post got replies).
      perPostUsd: r.avg_picos_per_post != null ? picosToUsd(r.avg_picos_per_post) : null,
    }));
}

/** Average cost per post by day, oldest first, days without answered posts left out. */
export function perPostSeries(days: DayAverage[]): Array<{ day: string; usd: number }> {
  return [...days]
    .flatMap((d) => (d.avg_picos_per_post != null ? [{ day: d.day, usd: picosToUsd(d.avg_picos_per_post) }] : []))
    .sort((a, b) => a.day.localeCompare(b.day));
}

/** The share of a monthly budget spent, 0–1 (may exceed 1); null without a budget. */
export function budgetShare(spentPicos: number, budgetPicos: number | null): number | null {
  if (budgetPicos == null || budgetPicos <= 0) return null;
  return spentPicos / budgetPicos;
}

/** A chart's USD value (drawn as a number) back to the pico-dollars it was made from. */
export function usdToPicos(usd: number): number {
  return Number.isFinite(usd) ? Math.round(usd * 1e12) : 0;
}

/**
 * The money axis of a chart: 0 up to at least `maxPicos` in round steps (1, 2 or 5 × a power
 * of ten), so the tick values are known beforehand and their labels can be the engine's money
 * text. Pico-dollars; at least two ticks.
 */
export function axisTicks(maxPicos: number): number[] {
  const max = Math.max(0, Math.ceil(maxPicos));
  if (max === 0) return [0, 10_000_000_000];
  const raw = max / 4;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / magnitude;
  const step = Math.max(1, (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * magnitude);
  const ticks: number[] = [];
  for (let t = 0; t < max + step; t += step) ticks.push(Math.round(t));
  return ticks;
}
