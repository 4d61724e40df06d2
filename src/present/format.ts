import type { Direction, Unit } from "../domain/metric-ids.js";
import { METRICS, type MetricId } from "../domain/metric-ids.js";
import { trendOf, type Trend } from "./blocks/format-slack.js";
import { formatValue } from "./digest-format.js";

// Plain-text formatting shared by the CLI answers and anything else that prints numbers: values
// with units, signed contributions, trend wording from the metric's direction, stats by name.
// Value formatting itself is digest-format.ts (one place); trend logic is blocks/format-slack.ts.

export { formatChange, formatValue, formatVersus, seriesSparkline, sparkline } from "./digest-format.js";
export { arrow, formatWindowRange, trendOf, type Trend } from "./blocks/format-slack.js";
/** What `sample_size` counts, per metric (docs/metrics.md), as the metric code words it. */
export { sampleNoun } from "../metrics/definitions.js";

/** "improved" / "worsened" / "unchanged" for a change, given which way is bad. */
export function trendWord(change: number | null, direction: Direction): string {
  const words: Record<Trend, string> = { better: "improved", worse: "worsened", flat: "unchanged", unknown: "no comparison" };
  return words[trendOf(change, direction)];
}

/** A signed amount in the metric's unit: "+1.2 pp", "−3.5 h", "+0.4/day". */
export function formatSigned(value: number | null, unit: Unit): string {
  if (value === null || !Number.isFinite(value)) return "–";
  const sign = value > 0 ? "+" : value < 0 ? "−" : "±";
  const size = Math.abs(value);
  // A small part keeps enough digits to be seen ("−0.04 pp", not "−0 pp" beside "65 % of the change").
  if (unit === "percent") return `${sign}${trim(size, size === 0 || size >= 0.1 ? 1 : size >= 0.01 ? 2 : 3)} pp`;
  if (unit === "usd_per_user_month" && size > 0 && size < 0.01) return `${sign}$${size.toFixed(4)}/user/mo`;
  return `${sign}${formatValue(size, unit)}`;
}

/** A duration given in hours: "45 min", "3.2 h", "4.5 d". */
export function formatHours(hours: number | null): string {
  return formatValue(hours, "hours");
}

export function formatCount(value: number | null): string {
  return value === null || !Number.isFinite(value) ? "N/A" : Math.round(value).toLocaleString("en-US");
}

/** A share in percent (42 → "42 %"). */
export function formatShare(share: number | null): string {
  if (share === null || !Number.isFinite(share)) return "–";
  const rounded = Math.round(share);
  // The typographic minus, as every other signed figure in text ("−1.3 pp (−29 % of the change)").
  return `${rounded < 0 ? "−" : ""}${Math.abs(rounded)} %`;
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
  if (COUNT_STAT.test(name)) return Number.isInteger(value) ? formatCount(value) : trim(value, 1);
  return formatValue(value, METRICS[metric].unit);
}

function trim(value: number, digits: number): string {
  return value.toFixed(digits).replace(/\.0+$/, "");
}
