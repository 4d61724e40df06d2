import type { Unit } from "../domain/metric-ids.js";

// Number formatting shared by the digest, alert and review messages (text and Block Kit).

export function formatValue(value: number | null | undefined, unit: Unit): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "N/A";
  switch (unit) {
    case "per_day":
      return `${round(value, value < 10 ? 1 : 0)}/day`;
    case "hours":
      if (value < 1) return `${Math.round(value * 60)} min`;
      if (value < 48) return `${round(value, 1)} h`;
      return `${round(value / 24, 1)} d`;
    case "percent":
      return `${round(value, value >= 99 ? 2 : 1)} %`;
    case "ms":
      return `${Math.round(value)} ms`;
    case "usd_per_user_month":
      return `$${value.toFixed(2)}/user/mo`;
  }
}

/** A change: percentage points for percent metrics, a relative change otherwise. */
export function formatChange(absolute: number | null, percent: number | null, unit: Unit): string {
  if (unit === "percent") {
    if (absolute === null) return "–";
    const magnitude = round(Math.abs(absolute), 1);
    return `${magnitude === "0" ? "±" : sign(absolute)}${magnitude} pp`;
  }
  if (percent === null) return absolute === 0 ? "±0 %" : "–";
  const magnitude = String(Math.round(Math.abs(percent)));
  return `${magnitude === "0" ? "±" : sign(percent)}${magnitude} %`;
}

/** Change of `value` relative to `base`, in the same style as formatChange. */
export function formatVersus(value: number | null, base: number | null, unit: Unit): string {
  if (value === null || base === null) return "–";
  const absolute = value - base;
  const percent = base === 0 ? null : (absolute / Math.abs(base)) * 100;
  return formatChange(absolute, percent, unit);
}

const BARS = "▁▂▃▄▅▆▇█";
/** Marks a week still in progress in a sparkline: its value is not comparable with full weeks. */
export const PARTIAL_MARK = "·";

/**
 * A 12-week sparkline; gaps (no data) are shown as a space. `partial` flags weeks still in
 * progress: they are drawn as PARTIAL_MARK and left out of the scale, so half a week of data does
 * not end every line in "▁".
 */
export function sparkline(values: readonly (number | null)[], partial: readonly boolean[] = []): string {
  const present = values.filter((v, i): v is number => v !== null && Number.isFinite(v) && !partial[i]);
  if (present.length === 0 && !partial.some(Boolean)) return "";
  const min = Math.min(...present);
  const max = Math.max(...present);
  return values
    .map((v, i) => {
      if (partial[i]) return PARTIAL_MARK;
      if (v === null || !Number.isFinite(v)) return " ";
      if (max === min) return BARS[3];
      return BARS[Math.round(((v - min) / (max - min)) * (BARS.length - 1))];
    })
    .join("");
}

/**
 * Which points of a weekly series are a week still in progress: only the last can be (the series
 * ends where the window ends, src/metrics/frame.ts), when it is shorter than the week before it.
 */
export function partialWeeks(series: readonly { readonly from: string; readonly to: string }[]): boolean[] {
  const length = (p: { from: string; to: string }) => Date.parse(p.to) - Date.parse(p.from);
  const last = series[series.length - 1];
  const before = series[series.length - 2];
  // 0.9, not 1: a week across a DST change is an hour shorter than the one before it.
  const partial = last !== undefined && before !== undefined && length(last) < 0.9 * length(before);
  return series.map((_, i) => partial && i === series.length - 1);
}

/** The sparkline of a KPI answer's weekly series, with its partial week marked. */
export function seriesSparkline(series: readonly { readonly from: string; readonly to: string; readonly value: number | null }[]): string {
  return sparkline(
    series.map((p) => p.value),
    partialWeeks(series),
  );
}

function sign(n: number): string {
  return n > 0 ? "+" : n < 0 ? "−" : "±";
}

function round(value: number, digits: number): string {
  return value.toFixed(digits).replace(/(\.\d*?)0+$/, "$1").replace(/\.$/, "");
}

/**
 * A Block Kit block or view, loosely typed: pure presenters may not import @slack/* (STYLE.md), and
 * the Slack layer casts to Bolt's types at the edge. https://docs.slack.dev/reference/block-kit/blocks
 */
export interface SlackBlock {
  readonly type: string;
  readonly [key: string]: unknown;
}
