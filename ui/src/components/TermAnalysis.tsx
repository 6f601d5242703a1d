// Term analysis: the terms of one search side by side, as the engine scored their posts.

import { useMemo } from "react";
import type { TermAnalysis } from "../bindings";
import { analysisSeries } from "../lib/findText";
import { formatInt, formatPercent } from "../lib/format";
import { Chart, CHART_COLOURS } from "./Chart";
import { Card } from "./ui";

export function AnalysisCard({ rows }: { rows: TermAnalysis[] }) {
  const { terms, series } = analysisSeries(rows);
  const option = useMemo(
    () => ({
      color: ["#2f9e44", "#f59f00", "#c2255c", CHART_COLOURS[0] ?? "#2357d9"],
      tooltip: { trigger: "axis", valueFormatter: (v: number) => `${v}%` },
      legend: { bottom: 0 },
      grid: { left: 40, right: 16, top: 16, bottom: 48 },
      xAxis: { type: "category", data: terms },
      yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      series: series.map((s) => ({ name: s.name, type: "bar", data: s.values, barMaxWidth: 28 })),
    }),
    [rows],
  );
  return (
    <Card title="Term analysis" lead="How each term's posts scored for this project (the scores are kept)." testId="find-analysis">
      <Chart
        option={option}
        label={`Shares of green, yellow and red posts and of posts from the last 48 hours, per term: ${terms.join(", ")}`}
        testId="find-analysis-chart"
      />
      <div className="table-wrap">
        <table className="table" data-testid="find-analysis-table">
          <thead>
            <tr>
              <th>Term</th>
              <th>Posts</th>
              <th>Green</th>
              <th>Last 48 h</th>
              <th>Top topics</th>
              <th>Verdict</th>
              <th>Replies to greens</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.term}>
                <td>{r.term}</td>
                <td>{formatInt(r.found)}</td>
                <td>{formatPercent(r.green_share)}</td>
                <td>{formatPercent(r.fresh_share)}</td>
                <td className="small">{r.top_topics.map((t) => `${t.topic} (${t.posts})`).join(", ") || "—"}</td>
                <td title={r.verdict_sentence} data-testid="find-analysis-verdict">
                  <strong>{r.verdict_word}</strong>
                </td>
                <td>about {r.reply_cost}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Card>
  );
}
