// A tiny React wrapper over Apache ECharts (tree-shaken: bar and line charts, canvas only).

import { useEffect, useRef } from "react";
import { BarChart, LineChart } from "echarts/charts";
import { DatasetComponent, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import type { EChartsCoreOption } from "echarts/core";

echarts.use([BarChart, LineChart, GridComponent, TooltipComponent, LegendComponent, DatasetComponent, MarkLineComponent, CanvasRenderer]);

export function Chart({ option, className, label, testId }: { option: EChartsCoreOption; className?: string; label: string; testId?: string }) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);

  useEffect(() => {
    if (!el.current) return;
    const c = echarts.init(el.current, undefined, { renderer: "canvas" });
    chart.current = c;
    const resize = new ResizeObserver(() => c.resize());
    resize.observe(el.current);
    return () => {
      resize.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(option, { notMerge: true });
  }, [option]);

  return <div ref={el} className={`chart ${className ?? ""}`} role="img" aria-label={label} data-testid={testId} />;
}

/** The app's chart colours: the accent first, then calm distinct hues. */
export const CHART_COLOURS: string[] = ["#2357d9", "#17a2b8", "#f59f00", "#7950f2", "#e8590c", "#2f9e44", "#c2255c", "#868e96"];
