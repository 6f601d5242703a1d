// Costs: what the AI cost, by day (stacked by model or project), month to date against the
// budget, per run and per post; a date range; the runs table; CSV export.

import { useMemo, useState } from "react";
import { Link } from "react-router";
import type { CostGroupBy, CostQuery } from "../api";
import { Chart, CHART_COLOURS } from "../components/Chart";
import { PathFold } from "../components/PathFold";
import { useCurrentProject } from "../components/ProjectContext";
import { useToast } from "../components/toast";
import { Button, Card, EmptyState, ErrorNotice, Loading, PageHeader, Segmented, Stat } from "../components/ui";
import { IconChart, IconDownload } from "../components/icons";
import {
  axisTicks,
  budgetShare,
  chartStart,
  perPostSeries,
  projectTotals,
  RANGE_PRESETS,
  rangeFor,
  runCostPoints,
  stackByDay,
  usdToPicos,
  type RangePreset,
} from "../lib/costs";
import { formatDateTime, formatInt, formatIsoDay, formatPercent, isoDay } from "../lib/format";
import { useMoney, type Money } from "../lib/money";
import { CSV_FILTERS, datedFileName, pickSavePath } from "../lib/platform";
import { useAveragePerPost, useCostOverview, useCostPerRun, useCostsByDay, useExportCosts } from "../lib/queries";
import { runStatusWords } from "../lib/runText";

/** A colour of the current theme (light or dark), for the charts' text and lines. */
function themeColour(name: string, fallback: string): string {
  const v = typeof document === "undefined" ? "" : getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

function chartTheme() {
  const axisLabel = { color: themeColour("--muted", "#5a6472"), fontSize: 12 };
  const splitLine = { lineStyle: { color: themeColour("--border", "#eceef2") } };
  return {
    axisLabel,
    splitLine,
    text: themeColour("--text", "#1b1f24"),
    line: themeColour("--border-strong", "#c5ccd6"),
  };
}

/** A money value axis with known ticks, labelled with the engine's money text. */
function usdAxis(ticks: number[], money: Money, theme: ReturnType<typeof chartTheme>) {
  const step = ticks.length > 1 ? ticks[1]! - ticks[0]! : 1;
  return {
    type: "value",
    min: 0,
    max: ticks[ticks.length - 1]! / 1e12,
    interval: step / 1e12,
    axisLabel: { ...theme.axisLabel, formatter: (v: number) => money.text(usdToPicos(v)) },
    splitLine: theme.splitLine,
  };
}

export function CostsScreen() {
  const { project, projectId } = useCurrentProject();
  const [preset, setPreset] = useState<RangePreset>("30d");
  const [custom, setCustom] = useState<{ since: string; until: string } | null>(null);
  const [by, setBy] = useState<CostGroupBy>("model");
  const [scope, setScope] = useState<"all" | "project">("all");
  const toast = useToast();

  const range = custom ?? rangeFor(preset, new Date());
  const query: CostQuery = useMemo(
    () => ({ since: range.since, until: range.until, project_id: scope === "project" ? projectId : null }),
    [range.since, range.until, scope, projectId],
  );
  const byDay = useCostsByDay(query, by);
  const byProject = useCostsByDay(query, "project");
  const overview = useCostOverview(query);
  const perRun = useCostPerRun(query);
  const perPost = useAveragePerPost(query);
  const exportCsv = useExportCosts();

  // The chart starts where the spending does (the totals still cover the whole range).
  const stacked = useMemo(() => {
    const until = query.until ?? isoDay(new Date());
    return stackByDay(byDay.data ?? [], chartStart(byDay.data ?? [], query.since, until), until);
  }, [byDay.data, query.since, query.until]);
  const perProject = useMemo(() => projectTotals(byProject.data ?? []), [byProject.data]);
  const theme = chartTheme();
  const { axisLabel, text: textColour, line: lineColour } = theme;
  const runsInRange = useMemo(() => perRun.data ?? [], [perRun.data]);
  const points = useMemo(() => runCostPoints(runsInRange), [runsInRange]);
  const perPostPoints = useMemo(() => perPostSeries(perPost.data ?? []), [perPost.data]);

  // Every amount on this screen, for the engine's money text: figures, bars, axis ticks.
  const dayTicks = useMemo(
    () => axisTicks(Math.max(0, ...stacked.days.map((_, i) => stacked.series.reduce((sum, x) => sum + usdToPicos(x.values[i] ?? 0), 0)))),
    [stacked],
  );
  const runTicks = useMemo(() => axisTicks(Math.max(0, ...points.map((p) => usdToPicos(p.costUsd)))), [points]);
  const postTicks = useMemo(() => axisTicks(Math.max(0, ...perPostPoints.map((p) => usdToPicos(p.usd)))), [perPostPoints]);
  const o = overview.data;
  const avgPerPost = o?.avg_picos_per_post ?? null;
  const money = useMoney([
    o?.monthly_budget_picos,
    o?.month_to_date_picos,
    o?.range_total_picos,
    avgPerPost,
    stacked.totalPicos,
    ...stacked.series.map((x) => x.totalPicos),
    ...stacked.series.flatMap((x) => x.values.map(usdToPicos)),
    ...points.map((p) => usdToPicos(p.costUsd)),
    ...perPostPoints.map((p) => usdToPicos(p.usd)),
    ...perProject.map((p) => p.costPicos),
    ...runsInRange.slice(0, 50).flatMap((r) => [r.cost_picos, r.avg_picos_per_post]),
    ...dayTicks,
    ...runTicks,
    ...postTicks,
  ]);
  const usdText = (v: number) => money.text(usdToPicos(v));

  const dayOption = useMemo(
    () => ({
      color: CHART_COLOURS,
      grid: { left: 64, right: 16, top: 40, bottom: 32 },
      legend: { top: 0, left: 0, textStyle: { color: textColour }, icon: "roundRect" },
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        valueFormatter: usdText,
      },
      xAxis: { type: "category", data: stacked.days.map(formatIsoDay), axisLabel, axisTick: { show: false }, axisLine: { lineStyle: { color: lineColour } } },
      yAxis: usdAxis(dayTicks, money, theme),
      series: stacked.series.map((s) => ({ name: s.name, type: "bar", stack: "spend", data: s.values, barMaxWidth: 28, emphasis: { focus: "series" } })),
    }),
    // Redrawn when the data, the ticks or the engine's texts change.
    [stacked, textColour, dayTicks, money.ready],
  );

  const perRunOption = useMemo(
    () => ({
      color: [CHART_COLOURS[0]!],
      grid: { left: 64, right: 16, top: 16, bottom: 32 },
      tooltip: { trigger: "axis", valueFormatter: usdText },
      xAxis: { type: "category", data: points.map((p) => p.name), axisLabel, axisTick: { show: false } },
      yAxis: usdAxis(runTicks, money, theme),
      series: [{ name: "Cost of the run", type: "bar", data: points.map((p) => p.costUsd), barMaxWidth: 18 }],
    }),
    // Redrawn when the data, the ticks or the engine's texts change.
    [points, runTicks, money.ready],
  );

  const perPostOption = useMemo(
    () => ({
      color: [CHART_COLOURS[1]!],
      grid: { left: 80, right: 16, top: 16, bottom: 32 },
      tooltip: { trigger: "axis", valueFormatter: usdText },
      xAxis: { type: "category", data: perPostPoints.map((p) => formatIsoDay(p.day)), axisLabel, axisTick: { show: false } },
      yAxis: usdAxis(postTicks, money, theme),
      series: [{ name: "Average per post", type: "line", smooth: true, symbolSize: 6, data: perPostPoints.map((p) => p.usd) }],
    }),
    // Redrawn when the data, the ticks or the engine's texts change.
    [perPostPoints, postTicks, money.ready],
  );

  const share = o ? budgetShare(o.month_to_date_picos, o.monthly_budget_picos) : null;

  const exportTo = async (path: string) => {
    try {
      const r = await exportCsv.mutateAsync({ query, path });
      toast.ok(`Saved ${formatInt(r.rows)} rows to ${r.path}`);
    } catch (e) {
      toast.error(e);
    }
  };

  const onExport = async () => {
    try {
      const path = await pickSavePath("Save the costs as CSV", datedFileName("costs", new Date()), CSV_FILTERS);
      if (!path) return;
      const r = await exportCsv.mutateAsync({ query, path });
      toast.ok(`Saved ${formatInt(r.rows)} rows to ${r.path}`);
    } catch (e) {
      toast.error(e);
    }
  };

  return (
    <div className="page">
      <PageHeader
        title="Costs"
        lead="Every AI call is recorded with its exact cost."
        actions={
          <Button icon={<IconDownload />} onClick={() => void onExport()} busy={exportCsv.isPending} data-testid="costs-export">
            Export CSV
          </Button>
        }
      />

      <div className="row">
        <Segmented
          label="Date range"
          value={custom ? ("custom" as RangePreset) : preset}
          options={RANGE_PRESETS.map((p) => ({ value: p.id, label: p.label }))}
          onChange={(v) => {
            setCustom(null);
            setPreset(v);
          }}
        />
        <div className="row tight">
          <input
            type="date"
            className="input"
            style={{ width: "auto" }}
            aria-label="From"
            value={range.since ?? ""}
            onChange={(e) => e.target.value && setCustom({ since: e.target.value, until: range.until ?? isoDay(new Date()) })}
          />
          <span className="muted">to</span>
          <input
            type="date"
            className="input"
            style={{ width: "auto" }}
            aria-label="To"
            value={range.until ?? ""}
            onChange={(e) => e.target.value && setCustom({ since: range.since ?? e.target.value, until: e.target.value })}
          />
        </div>
        <span className="grow" />
        <Segmented
          label="Projects"
          value={scope}
          options={[
            { value: "all", label: "All projects" },
            { value: "project", label: project ? `Only ${project.name}` : "This project" },
          ]}
          onChange={setScope}
        />
      </div>

      <ErrorNotice
        error={overview.error ?? byDay.error}
        onRetry={() => {
          void overview.refetch();
          void byDay.refetch();
        }}
      />

      <div className="grid-3">
        <Card>
          <Stat
            label={o?.monthly_budget_picos != null ? `spent this month, of a ${money.text(o.monthly_budget_picos)} budget` : "spent this month"}
            value={o ? money.text(o.month_to_date_picos) : "…"}
            testId="costs-month"
          />
          {share != null ? (
            <div className="stack tight" data-testid="costs-budget-bar">
              <div
                className="meter budget"
                role="meter"
                aria-valuemin={0}
                aria-valuemax={100}
                aria-valuenow={Math.round(share * 100)}
                aria-label="Share of monthly budget"
              >
                <div style={{ width: `${Math.min(100, share * 100)}%`, background: share > 0.9 ? "var(--red)" : share > 0.8 ? "var(--yellow)" : undefined }} />
              </div>
              <span className="muted small">{formatPercent(share)} of the monthly budget used</span>
            </div>
          ) : (
            <Link to="/settings" className="small">
              Set a monthly budget
            </Link>
          )}
        </Card>
        <Card>
          <Stat label="average per post with replies" value={money.text(avgPerPost)} testId="costs-avg-post" />
        </Card>
        <Card>
          <Stat label="AI calls in this date range" value={o ? formatInt(o.range_calls) : "…"} />
        </Card>
      </div>

      <Card
        title={
          <>
            Spend by day ·{" "}
            <span data-testid="costs-range-total" title="Everything spent in the date range">
              {o ? money.text(o.range_total_picos) : "…"}
            </span>{" "}
            <span className="muted small">in this range</span>
          </>
        }
        actions={
          <Segmented
            label="Stack by"
            value={by}
            options={[
              { value: "model", label: "By model" },
              { value: "project", label: "By project" },
            ]}
            onChange={setBy}
          />
        }
      >
        {byDay.isLoading ? <Loading what="Loading costs" /> : null}
        {byDay.data && stacked.totalPicos === 0 ? (
          <EmptyState icon={<IconChart />} title="No spending in this range" testId="costs-empty">
            Costs show up here after your first run. Try a longer date range.
          </EmptyState>
        ) : null}
        {/* Always mounted, so end-to-end tests can find the chart even while it has no bars. */}
        <div
          style={{ display: byDay.data && stacked.totalPicos > 0 ? "block" : "none" }}
          data-testid="costs-chart-data"
          data-total-picos={stacked.totalPicos}
          data-series={stacked.series.map((x) => x.name).join("|")}
        >
          <Chart option={dayOption} label={`Spend by day, stacked by ${by}`} testId="costs-chart" />
          {/* The chart's numbers for screen readers (and tests): a canvas has no text. */}
          <table className="sr-only" data-testid="costs-chart-table">
            <caption>Spend by day, {by === "model" ? "by model" : "by project"}</caption>
            <tbody>
              {stacked.series.map((x) => (
                <tr key={x.name}>
                  <th scope="row">{x.name}</th>
                  <td>{money.text(x.totalPicos)}</td>
                </tr>
              ))}
              <tr>
                <th scope="row">Total</th>
                <td data-testid="costs-chart-total">{money.text(stacked.totalPicos)}</td>
              </tr>
            </tbody>
          </table>
        </div>
      </Card>

      <div className="grid-2">
        <Card title="Cost per run">
          {points.length === 0 ? (
            <p className="muted">No runs in this range.</p>
          ) : (
            <Chart option={perRunOption} className="small" label="Cost per run" testId="costs-per-run-chart" />
          )}
        </Card>
        <Card title="Average cost per post">
          {perPostPoints.length === 0 ? (
            <p className="muted">No posts got replies in this range.</p>
          ) : (
            <Chart option={perPostOption} className="small" label="Average cost per post over time" testId="costs-per-post-chart" />
          )}
        </Card>
      </div>

      <Card title="By project" className="flush">
        <div className="table-wrap">
          <table className="table" data-testid="costs-projects-table">
            <thead>
              <tr>
                <th>Project</th>
                <th className="num">Cost in this range</th>
                <th className="num">Days with spending</th>
                <th className="num">Share</th>
              </tr>
            </thead>
            <tbody>
              {perProject.length === 0 ? (
                <tr>
                  <td colSpan={4} className="muted">
                    Nothing spent in this range.
                  </td>
                </tr>
              ) : null}
              {perProject.map((p) => (
                <tr key={p.project}>
                  <td>{p.project}</td>
                  <td className="num">{money.text(p.costPicos)}</td>
                  <td className="num">{formatInt(p.days)}</td>
                  <td className="num">{o && o.range_total_picos > 0 ? formatPercent(p.costPicos / o.range_total_picos) : "–"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Card>

      <PathFold
        title="Advanced: save the costs CSV to a file path"
        action="Export"
        placeholder="/home/you/Documents/costs.csv"
        busy={exportCsv.isPending}
        onSubmit={(p) => void exportTo(p)}
        testId="costs-export-path"
      />

      <Card title="Runs" className="flush">
        <div className="table-wrap">
          <table className="table" data-testid="costs-runs-table">
            <thead>
              <tr>
                <th>Started</th>
                <th>Project</th>
                <th>Status</th>
                <th className="num">Posts with replies</th>
                <th className="num">Cost</th>
                <th className="num">Per post</th>
              </tr>
            </thead>
            <tbody>
              {runsInRange.length === 0 ? (
                <tr>
                  <td colSpan={6} className="muted">
                    No runs in this range.
                  </td>
                </tr>
              ) : null}
              {runsInRange.slice(0, 50).map((r) => (
                <tr key={r.run_id}>
                  <td className="nowrap">{formatDateTime(r.created_at)}</td>
                  <td>{r.project}</td>
                  <td>{runStatusWords(r.status)}</td>
                  <td className="num">{formatInt(r.succeeded)}</td>
                  <td className="num">{money.text(r.cost_picos)}</td>
                  <td className="num">{money.text(r.avg_picos_per_post)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Card>
    </div>
  );
}
