import type { TopLevelSpec } from "vega-lite";
import { DateTime } from "luxon";
import type { Trend } from "./blocks/format-slack.js";
import type { ChartPanel, ChartSpec, NumberedAnnotation } from "./chart.js";
import { panelScale, type PanelScale } from "./chart-scale.js";

// The trend chart as a Vega-Lite spec (pure): a grid of panels, three to a row, over one shared
// colour legend (bands, baseline, annotations), with the annotation texts and a key under the grid.
// Vega-Lite draws the axes, ticks, legend and text; the scales and what to say are decided here.

export const FONT_FAMILY = "DejaVu Sans";
const COLUMNS = 3;
const PANEL_WIDTH = 250;
const PANEL_HEIGHT = 110;
const SPACING = 36;
const LINE_HEIGHT = 16;
const WEEK_MS = 7 * 86_400_000;

export const COLOURS = {
  ink: "#1d1c1d",
  muted: "#6b6a6b",
  better: "#1a7f37",
  worse: "#c62a47",
  warn: "#ecb22e",
  critical: "#e01e5a",
  baseline: "#6b6a6b",
  annotation: "#1264a3",
} as const;

/** The colour legend's entries, in order: what each band, line and marker means. */
export const LEGEND = {
  warn: "Warn zone",
  critical: "Critical zone",
  baseline: "4-week average",
  annotation: "Annotation (numbered, listed below)",
} as const;

const LEGEND_SCALE = {
  domain: [LEGEND.warn, LEGEND.critical, LEGEND.baseline, LEGEND.annotation],
  range: [COLOURS.warn, COLOURS.critical, COLOURS.baseline, COLOURS.annotation],
};

const TREND_COLOUR: Record<Trend, string> = { better: COLOURS.better, worse: COLOURS.worse, flat: COLOURS.muted, unknown: COLOURS.muted };

type Spec = Record<string, unknown>;

export function vegaLiteSpec(chart: ChartSpec): TopLevelSpec {
  const grid: Spec =
    chart.panels.length === 0
      ? { width: COLUMNS * PANEL_WIDTH, height: 40, data: { values: [{}] }, mark: { type: "text", align: "left", fontSize: 13, color: COLOURS.muted }, encoding: { x: { value: 0 }, y: { value: 20 }, text: { value: "No data yet" } }, view: { stroke: null } }
      : { concat: chart.panels.map((p) => panelSpec(p, chart)), columns: COLUMNS, spacing: { row: 28, column: SPACING } };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    background: "#ffffff",
    padding: 16,
    title: { text: chart.title, subtitle: chart.subtitle, anchor: "start", fontSize: 17, subtitleFontSize: 12, subtitleColor: COLOURS.muted, offset: 10 },
    config: {
      font: FONT_FAMILY,
      view: { stroke: "#dddddd" },
      axis: { labelFontSize: 10, labelColor: COLOURS.muted, tickColor: "#cccccc", domainColor: "#cccccc", gridColor: "#eeeeee", titleFontWeight: "normal", titleFontSize: 10, titleColor: COLOURS.muted },
      title: { fontSize: 13, anchor: "start", subtitleFontSize: 12, subtitlePadding: 3 },
      legend: { orient: "top", direction: "horizontal", labelFontSize: 11, symbolType: "square", symbolSize: 120, symbolOpacity: 0.7, labelLimit: 320, columnPadding: 18, title: null },
    },
    vconcat: [grid, footerSpec(chart)],
    spacing: 18,
    resolve: { scale: { color: "shared" }, legend: { color: "shared" } },
  } as unknown as TopLevelSpec; // pieces are built loosely typed; test/present/chart-spec.test.ts checks the whole against the Vega-Lite schema
}

function panelSpec(panel: ChartPanel, chart: ChartSpec): Spec {
  const scale = panelScale(panel);
  const n = panel.points.length;
  const lo = scale.ticks[0]!;
  const hi = scale.ticks[scale.ticks.length - 1]!;
  const yScale = { domain: [lo, hi], nice: false, zero: false };
  const y = (field: string) => ({ field, type: "quantitative", scale: yScale, axis: yAxis(scale), title: null });
  const x = { field: "x", type: "quantitative", scale: { domain: [-0.5, Math.max(n, 1) - 0.5], nice: false, zero: false }, axis: xAxis(panel, chart.zone, scale) };
  const f = scale.unit.factor;
  const clampY = (v: number) => Math.min(hi, Math.max(lo, v));
  const layers: Spec[] = [];

  // Threshold bands: the bad side of each threshold, clipped to the scale.
  const bands: { y: number; y2: number; zone: string }[] = [];
  const worse = panel.direction === "higher_is_worse" ? Infinity : -Infinity;
  const band = (from: number, to: number, zone: string) => {
    const a = clampY(from);
    const b = clampY(to);
    if (Math.abs(b - a) > 0) bands.push({ y: Math.min(a, b), y2: Math.max(a, b), zone });
  };
  if (panel.warn !== null) band(panel.warn * f, panel.critical !== null ? panel.critical * f : worse, LEGEND.warn);
  if (panel.critical !== null) band(panel.critical * f, worse, LEGEND.critical);
  layers.push({
    data: { values: bands },
    mark: { type: "rect", opacity: 0.28, clip: true },
    encoding: { x: { value: 0 }, x2: { value: "width" }, y: y("y"), y2: { field: "y2" }, color: { field: "zone", type: "nominal", scale: LEGEND_SCALE } },
  });

  // The 4-week baseline.
  const baseline = panel.baseline !== null && panel.baseline * f >= lo && panel.baseline * f <= hi ? [{ y: panel.baseline * f, series: LEGEND.baseline }] : [];
  layers.push({
    data: { values: baseline },
    mark: { type: "rule", strokeDash: [5, 3], strokeWidth: 1.5 },
    encoding: { y: y("y"), color: { field: "series", type: "nominal", scale: LEGEND_SCALE } },
  });

  // Annotations: a dashed rule in the week they fall in, numbered; numbers within a week share one label.
  const first = panel.points[0]?.fromMs;
  const marks = first === undefined ? [] : chart.annotations.map((a) => ({ ...a, x: (a.atMs - first) / WEEK_MS - 0.5 })).filter((a) => a.x >= -0.5 && a.x <= n - 0.5);
  layers.push({
    data: { values: marks.map((a) => ({ x: a.x, series: LEGEND.annotation })) },
    mark: { type: "rule", strokeDash: [3, 2], strokeWidth: 1.5 },
    encoding: { x, color: { field: "series", type: "nominal", scale: LEGEND_SCALE } },
  });
  // The number over a white halo, so the series or a band under it cannot hide it.
  const label = { type: "text", align: "left", baseline: "top", dx: 3, dy: 2, fontSize: 11, fontWeight: "bold" };
  for (const mark of [{ ...label, color: "#ffffff", stroke: "#ffffff", strokeWidth: 3, strokeJoin: "round" }, { ...label, color: COLOURS.annotation }]) {
    layers.push({ data: { values: markerLabels(marks) }, mark, encoding: { x, y: { value: 0 }, text: { field: "label" } } });
  }

  // The series: solid through complete weeks (a gap where a week has no data), dashed to a week in progress.
  const rows = seriesRows(panel);
  const complete = rows.filter((r) => !r.partial);
  const partial = rows.filter((r) => r.partial);
  layers.push({ data: { values: complete }, mark: { type: "line", color: COLOURS.ink, strokeWidth: 2 }, encoding: { x, y: y("y"), detail: { field: "segment" } } });
  const lastComplete = complete[complete.length - 1];
  const dashed = partial.length > 0 && lastComplete && lastComplete.x === partial[0]!.x - 1 ? [lastComplete, ...partial] : partial;
  layers.push({ data: { values: dashed }, mark: { type: "line", color: COLOURS.ink, strokeWidth: 1.5, strokeDash: [4, 3] }, encoding: { x, y: y("y") } });
  layers.push({ data: { values: complete.filter((r) => !r.reported) }, mark: { type: "point", filled: true, size: 22, color: COLOURS.ink, opacity: 1 }, encoding: { x, y: y("y") } });
  layers.push({ data: { values: partial }, mark: { type: "point", filled: false, size: 40, strokeWidth: 1.5, color: COLOURS.ink, fill: "#ffffff", opacity: 1 }, encoding: { x, y: y("y") } });
  const headColour = panel.header.muted ? COLOURS.muted : TREND_COLOUR[panel.header.trend];
  layers.push({ data: { values: rows.filter((r) => r.reported) }, mark: { type: "point", filled: true, size: 75, color: headColour, opacity: 1 }, encoding: { x, y: y("y") } });

  return { width: PANEL_WIDTH, height: PANEL_HEIGHT, title: { text: panel.label, subtitle: headerLine(panel), subtitleColor: headColour }, layer: layers };
}

/** "33.9 h · −20 % vs last week · n=37"; the numbers the digest text shows for the same week. */
export function headerLine(panel: ChartPanel): string {
  const h = panel.header;
  const change = h.value === "N/A" ? "no data this week" : h.change === null ? "no comparison" : `${h.change} vs last week${h.muted ? " (normal variation)" : ""}`;
  return `${h.value} · ${change} · n=${h.sampleSize}${h.thin ? "*" : ""}`;
}

function yAxis(scale: PanelScale): Spec {
  const quote = (s: string) => JSON.stringify(s);
  return {
    values: scale.ticks,
    labelExpr: `${quote(scale.unit.prefix)} + format(datum.value, ${quote(`.${scale.decimals}f`)}) + ${quote(scale.unit.suffix)}`,
    grid: true,
    tickCount: scale.ticks.length,
    // A fixed label gutter keeps the panels of a column aligned whatever their units.
    minExtent: 58,
    maxExtent: 58,
    title: null,
  };
}

/** Dates every fourth week, counted back from the reported one so its own date is always shown. */
function xAxis(panel: ChartPanel, zone: string, scale: PanelScale): Spec {
  const labels = panel.points.map((p) => DateTime.fromMillis(p.fromMs, { zone }).toFormat("d LLL"));
  const values = labels.map((_, i) => i).filter((i) => (labels.length - 1 - i) % 4 === 0);
  return {
    values,
    labelExpr: `${JSON.stringify(labels)}[datum.value]`,
    grid: false,
    title: scale.notes.length > 0 ? scale.notes.join("; ") : null,
    titleColor: "#8a5a00",
  };
}

interface SeriesRow {
  readonly x: number;
  readonly y: number;
  readonly segment: number;
  readonly partial: boolean;
  readonly reported: boolean;
}

function seriesRows(panel: ChartPanel): SeriesRow[] {
  const f = panelScale(panel).unit.factor;
  const rows: SeriesRow[] = [];
  let segment = 0;
  panel.points.forEach((p, i) => {
    if (p.value === null || !Number.isFinite(p.value)) {
      segment++;
      return;
    }
    rows.push({ x: i, y: p.value * f, segment, partial: p.partial, reported: p.reported });
  });
  return rows;
}

/** One label per cluster of markers closer than a week: "1,2" instead of two numbers on top of each other. */
export function markerLabels(marks: readonly (NumberedAnnotation & { x: number })[]): { x: number; label: string }[] {
  const out: { x: number; numbers: number[] }[] = [];
  for (const m of [...marks].sort((a, b) => a.x - b.x)) {
    const last = out[out.length - 1];
    if (last && m.x - last.x < 1) last.numbers.push(m.number);
    else out.push({ x: m.x, numbers: [m.number] });
  }
  return out.map((c) => ({ x: c.x, label: c.numbers.join(",") }));
}

/** Under the grid: each annotation's number and text, then how to read the points. */
function footerSpec(chart: ChartSpec): Spec {
  const width = COLUMNS * PANEL_WIDTH + (COLUMNS - 1) * SPACING;
  const lines = [
    ...chart.annotations.map((a) => ({ number: String(a.number), text: a.text })),
    { number: "", text: "Large dot: the reported week, green if better than the week before, red if worse, grey if unchanged, within normal variation or not compared." },
    { number: "", text: "Hollow dot on a dashed line: a week still in progress. Gaps: weeks without data. n: samples this week; * fewer than the minimum." },
  ].map((l, i) => ({ ...l, y: i * LINE_HEIGHT }));
  const text = (field: string, dx: number, extra: Spec) => ({
    mark: { type: "text", align: "left", baseline: "top", fontSize: 11, dx, ...extra },
    encoding: { x: { value: 0 }, y: { field: "y", type: "quantitative", scale: null }, text: { field } },
  });
  return {
    width,
    height: lines.length * LINE_HEIGHT,
    view: { stroke: null },
    data: { values: lines },
    layer: [text("number", 0, { fontWeight: "bold", color: COLOURS.annotation }), text("text", 22, { color: COLOURS.ink })],
  };
}
