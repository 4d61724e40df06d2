import type { Direction, MetricId } from "../domain/metric-ids.js";
import { METRICS } from "../metrics/catalog.js";
import { trendOf, type Trend } from "./blocks/format-slack.js";
import { formatCount, formatHours, formatValue, round } from "./format-value.js";

// Plain-text formatting shared by the CLI answers and anything else that prints numbers: trend
// wording from the metric's direction, stats by name. Values with units are format-value.ts (the one
// value formatter); trend logic is blocks/format-slack.ts.

export { formatChange,   formatShare, formatSigned, formatValue,  } from "./format-value.js";
export { seriesSparkline,  } from "./sparkline.js";
export { arrow, formatWindowRange,   } from "./blocks/format-slack.js";

/** What `sample_size` counts, per metric (docs/metrics.md), as the metric's module words it. */
export const sampleNoun = (metric: MetricId): string => METRICS[metric].sampleNoun;

/** "improved" / "worsened" / "unchanged" for a change, given which way is bad. */
export function trendWord(change: number | null, direction: Direction): string {
  const words: Record<Trend, string> = { better: "improved", worse: "worsened", flat: "unchanged", unknown: "no comparison" };
  return words[trendOf(change, direction)];
}

const COUNT_STAT = /(^|_)(count|n|failed|confirmed|left|excluded|open|deployments|incidents|samples|rework|changes|rollbacks|hotfixes|days|weeks|services|spans)($|_)/;

/** A named secondary figure (KpiAnswer.stats): counts as counts, *_hours/_pct/_ms by suffix, else the metric's unit. */
export function formatStat(name: string, value: number | null, metric: MetricId): string {
  if (value === null) return "N/A";
  if (/_at$/.test(name)) return new Date(value).toISOString().slice(0, 16).replace("T", " ") + " UTC";
  if (/(_hours|_h)$/.test(name)) return formatHours(value);
  if (/(_pct|_percent|_rate)$/.test(name)) return formatValue(value, "percent");
  if (/_ms$/.test(name)) return formatValue(value, "ms");
  // Totals in dollars and user counts as counts, not in the metric's per-user unit.
  if (/_usd$/.test(name)) return `$${value.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  if (/_users(_count)?$/.test(name)) return formatCount(value);
  if (/_per_day$/.test(name)) return formatValue(value, "per_day");
  if (COUNT_STAT.test(name)) return Number.isInteger(value) ? formatCount(value) : round(value, 1);
  return formatValue(value, METRICS[metric].unit);
}
