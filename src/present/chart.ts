import { DateTime } from "luxon";
import type { Direction, Unit } from "../domain/metric-ids.js";
import { METRICS } from "../metrics/catalog.js";
import { trendOf, type Trend } from "./blocks/format-slack.js";
import { formatChange, formatValue } from "./format-value.js";
import { partialWeeks } from "./sparkline.js";
import { isThinSample, isWithinNoise, type DigestModel } from "./digest-model.js";

// The digest's trend chart as data: one panel per KPI over 12 weeks, decided from the digest model
// (pure). src/present/chart-vega.ts turns it into a Vega-Lite spec, src/present/chart-render.ts
// into SVG and PNG. Everything a reader needs to decode the picture is here as text: the header
// value of the reported week, sample size, the numbered annotations and their legend.

interface ChartPoint {
  readonly fromMs: number;
  readonly value: number | null;
  /** The week is still in progress: drawn hollow, joined by a dashed segment. */
  readonly partial: boolean;
  /** The digest's reported week: drawn larger, in the direction colour. */
  readonly reported: boolean;
}

interface ChartHeader {
  /** The reported week's value, as the digest text prints it ("N/A" without data). */
  readonly value: string;
  /** Week-over-week change as the digest text prints it, or null when there is none to compare. */
  readonly change: string | null;
  readonly trend: Trend;
  /** The change is within normal variation (issue 13's test): drawn muted, whatever its direction. */
  readonly muted: boolean;
  readonly sampleSize: number;
  readonly thin: boolean;
}

export interface ChartPanel {
  readonly label: string;
  readonly unit: Unit;
  readonly direction: Direction;
  /** Weekly points, oldest first. */
  readonly points: readonly ChartPoint[];
  readonly warn: number | null;
  readonly critical: number | null;
  /** Mean of the four complete weeks before the reported one: the reference line. */
  readonly baseline: number | null;
  readonly header: ChartHeader;
}

export interface NumberedAnnotation {
  /** 1-based, in time order: the marker's label and its line in the legend. */
  readonly number: number;
  readonly atMs: number;
  /** The legend line: "Thu 5 Nov  Release train moved to daily (checkout)". */
  readonly text: string;
}

export interface ChartSpec {
  readonly title: string;
  readonly subtitle: string;
  readonly panels: readonly ChartPanel[];
  readonly annotations: readonly NumberedAnnotation[];
  /** Time zone of the date labels (the team's). */
  readonly zone: string;
}

/** The trend chart of a weekly digest: the same week, values and changes as the digest text. */
export function digestChart(model: DigestModel): ChartSpec {
  const lastDay = DateTime.fromMillis(model.toMs - 1, { zone: model.zone });
  return {
    title: `${model.team.name}: 12 weeks of KPIs to ${lastDay.toFormat("d LLL yyyy")}`,
    subtitle: `Reported week ${model.weekLabel} (${model.zone}); each point is one week`,
    zone: model.zone,
    annotations: numberAnnotations(model),
    panels: model.kpis.map((kpi) => {
      const a = kpi.answer;
      const direction = METRICS[a.metric].direction;
      const compared = a.change.absolute !== null;
      const change = compared ? formatChange(a.change.absolute, a.change.percent, a.unit) : null;
      return {
        label: a.label,
        unit: a.unit,
        direction,
        points: a.series.map((p, i) => {
          const fromMs = Date.parse(p.from);
          return { fromMs, value: p.value, partial: partialWeeks(a.series)[i]!, reported: fromMs === model.fromMs };
        }),
        warn: a.threshold.warn,
        critical: a.threshold.critical,
        baseline: kpi.fourWeekAverage,
        header: {
          value: formatValue(a.value, a.unit),
          change,
          // The colour follows the printed change: "±0 %" is flat even when the raw change is not.
          trend: change?.startsWith("±") ? "flat" : trendOf(a.change.absolute, direction),
          muted: isWithinNoise(kpi),
          sampleSize: a.sample_size,
          thin: isThinSample(kpi, model.minSampleSize),
        },
      };
    }),
  };
}

function numberAnnotations(model: DigestModel): NumberedAnnotation[] {
  return [...model.chartAnnotations]
    .sort((x, y) => x.atMs - y.atMs)
    .map((a, i) => {
      const day = DateTime.fromMillis(a.atMs, { zone: model.zone }).toFormat("ccc d LLL");
      return { number: i + 1, atMs: a.atMs, text: `${day}  ${a.text}${a.service ? ` (${a.service})` : ""}` };
    });
}
