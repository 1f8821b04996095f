/**
 * An SVG chart of a repo deal's LTV against its corridor, from the recalculation history: the LTV line, the
 * corridor band between the lower and upper triggers, the initial LTV, margin calls marked (borrower calls
 * in red, lender returns in green) and skipped dates (holidays, missing prices) as grey dotted lines.
 *
 * Drawn with Apache ECharts' server-side SVG renderer: no browser, no animation, a fixed size, so the same
 * history always gives the same file. The option built here is the one a web page would hand to ECharts in
 * a browser (`ltvChartOption`), where the hover texts become tooltips.
 */
import * as echarts from "echarts";
import type { HistoryRow } from "./client";
import { dayToIso, isoToDay } from "../core/dates";

export interface ChartOptions {
  title: string;
  /** Initial LTV as a fraction (0.8 = 80 %). */
  initialLtv: number;
  width?: number;
  height?: number;
}

const COLOURS = {
  ltv: "#1b3a5c",
  corridor: "#e8f1fb",
  level: "#4a7fb5",
  borrowerCall: "#c0392b",
  lenderReturn: "#27ae60",
  skipped: "#999999",
};

/** A dotted vertical line (three dashes), the legend entry of skipped dates. */
const SKIPPED_ICON = "path://M0 0h1v3h-1zM0 5h1v3h-1zM0 10h1v3h-1z";

/** LTV as a percentage with one decimal: 0.8 gives "80.0%". */
export const pctText = (v: number) => `${(v * 100).toFixed(1)}%`;

/** A revaluation point with the text shown on hover in a browser. */
interface Point {
  value: [number, number];
  row: HistoryRow;
}

/** The hover text of a revaluation point (an ECharts tooltip formatter). */
const pointHover = (p: unknown) => hoverText(((p as { data: unknown }).data as Point).row);

function hoverText(r: HistoryRow): string {
  if (r.event === "skipped") return `${r.date}: skipped (${r.note ?? ""})`;
  const call = r.action && r.action !== "None" ? `, ${r.action} ${r.callCash ?? ""} / ${r.callQuantity ?? ""} units` : "";
  return `${r.date}: LTV ${pctText(Number(r.ltv))}${call}`;
}

/**
 * The ECharts option of the chart. The x axis counts days since 1970-01-01 (the ledger's day numbers) and
 * prints them as ISO dates, so the chart is the same in every time zone.
 */
export function ltvChartOption(rows: HistoryRow[], opts: ChartOptions): echarts.EChartsOption {
  const revalued = rows.filter((r) => r.event === "revalued" && r.ltv !== undefined);
  const skipped = rows.filter((r) => r.event === "skipped");
  const lower = Number(revalued[0]?.lowerTrigger ?? opts.initialLtv * 0.9);
  const upper = Number(revalued[0]?.upperTrigger ?? opts.initialLtv * 1.1);
  const point = (r: HistoryRow): Point => ({ value: [isoToDay(r.date), Number(r.ltv)], row: r });
  const points = revalued.map(point);
  const ltvs = points.map((p) => p.value[1]);
  const days = [...revalued, ...skipped].map((r) => isoToDay(r.date));
  const d0 = days.length ? Math.min(...days) : 0;
  const d1 = days.length ? Math.max(...days) : 1;
  // Multiples of 5 % around the corridor and every LTV, with at least 2 % of room above and below.
  const yMin = Math.max(0, Math.floor((Math.min(lower, opts.initialLtv, ...ltvs) - 0.02) * 20) / 20);
  const yMax = Math.ceil((Math.max(upper, opts.initialLtv, ...ltvs) + 0.02) * 20) / 20;
  const span = Math.max(1, d1 - d0);
  const dayStep = Math.max(1, Math.ceil(span / 8));
  const level = (name: string, v: number, dashed: boolean) => ({
    name,
    yAxis: v,
    lineStyle: { color: COLOURS.level, type: dashed ? ("dashed" as const) : ("solid" as const), width: 1 },
    label: { formatter: `${name} ${pctText(v)}`, position: "end" as const, color: COLOURS.level },
  });
  const calls = (action: string) => points.filter((p) => p.row.action === action);
  const callSeries = (name: string, action: string, colour: string, rotate: number) => ({
    name,
    type: "scatter" as const,
    data: calls(action),
    symbol: "triangle",
    symbolSize: 14,
    symbolRotate: rotate,
    itemStyle: { color: colour },
    z: 4,
    label: {
      show: true,
      position: rotate === 0 ? ("top" as const) : ("bottom" as const),
      color: colour,
      formatter: (p: { data: unknown }) => `${(p.data as Point).row.callCash ?? ""}`,
    },
    tooltip: { formatter: pointHover },
  });

  return {
    animation: false,
    backgroundColor: "#ffffff",
    textStyle: { fontFamily: "sans-serif", fontSize: 12 },
    title: { text: opts.title, left: "center", top: 8, textStyle: { fontSize: 15, fontWeight: "bold" } },
    legend: {
      top: 36,
      left: "center",
      itemGap: 32,
      // Skipped dates are drawn as dotted vertical lines: so is their legend entry.
      data: ["LTV", "margin call on the borrower", "collateral returned by the lender", { name: "skipped date", icon: SKIPPED_ICON }],
    },
    tooltip: { trigger: "item" },
    // The right margin holds the trigger and initial LTV labels, clear of the LTV line.
    grid: { left: 64, right: 136, top: 88, bottom: 40 },
    xAxis: {
      type: "value",
      min: d0,
      max: d1,
      interval: dayStep,
      splitLine: { show: false },
      axisLabel: {
        show: days.length > 0,
        formatter: (day: number) => dayToIso(day),
        showMinLabel: true,
        showMaxLabel: true,
        hideOverlap: true,
      },
    },
    yAxis: {
      type: "value",
      min: yMin,
      max: yMax,
      axisLabel: { formatter: (v: number) => pctText(v) },
      splitLine: { lineStyle: { color: "#eeeeee" } },
    },
    series: [
      {
        name: "LTV",
        type: "line",
        data: points,
        color: COLOURS.ltv,
        lineStyle: { width: 2 },
        symbol: "circle",
        symbolSize: 6,
        z: 3,
        tooltip: { formatter: pointHover },
        markArea: {
          silent: true,
          itemStyle: { color: COLOURS.corridor },
          data: [[{ name: "corridor", yAxis: lower }, { yAxis: upper }]],
          label: { show: false },
        },
        markLine: {
          silent: true,
          symbol: "none",
          data: [level("upper trigger", upper, false), level("lower trigger", lower, false), level("initial LTV", opts.initialLtv, true)],
        },
      },
      callSeries("margin call on the borrower", "BorrowerCall", COLOURS.borrowerCall, 0),
      callSeries("collateral returned by the lender", "LenderReturn", COLOURS.lenderReturn, 180),
      {
        name: "skipped date",
        type: "line",
        data: [],
        color: COLOURS.skipped,
        symbol: "none",
        lineStyle: { type: "dotted", width: 1 },
        markLine: {
          symbol: "none",
          lineStyle: { color: COLOURS.skipped, type: "dotted", width: 1 },
          label: { formatter: (p: { name: string }) => p.name, position: "end", color: COLOURS.skipped },
          tooltip: { formatter: (p: unknown) => hoverText(skipped[(p as { dataIndex: number }).dataIndex]) },
          data: skipped.map((r) => ({ name: r.note ?? "skipped", xAxis: isoToDay(r.date) })),
        },
      },
    ],
  };
}

/**
 * The renderer names clip paths and style classes after counters that grow with every chart drawn in the
 * process ("zr0-c0", "zr3-cls-17"); renamed after the chart and numbered in order of first use ("ltv-c0",
 * "ltv-cls-0"), the same history always gives the same bytes.
 */
function stableIds(svg: string): string {
  const classes = new Map<string, string>();
  return svg
    .replace(/(class="|^\.)(zr\d+-cls-\d+)/gm, (_m, before: string, cls: string) => {
      if (!classes.has(cls)) classes.set(cls, `ltv-cls-${classes.size}`);
      return before + classes.get(cls);
    })
    .replace(/(id="|url\(#)zr\d+-/g, "$1ltv-");
}

/** The chart as a standalone SVG document (any browser opens it). */
export function ltvChartSvg(rows: HistoryRow[], opts: ChartOptions): string {
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width: opts.width ?? 900, height: opts.height ?? 420 });
  try {
    chart.setOption(ltvChartOption(rows, opts));
    return stableIds(chart.renderToSVGString()) + "\n";
  } finally {
    // Frees the renderer; without it its frame loop keeps the process alive.
    chart.dispose();
  }
}
