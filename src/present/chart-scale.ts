import type { Unit } from "../domain/metric-ids.js";
import type { ChartPanel } from "./chart.js";

// The y-scale of one chart panel (pure): one display unit for all of its labels, 3–5 round ticks,
// and zero at the bottom for every KPI (all are counts, rates, durations or amounts), so a
// 0.02-point wobble does not fill the panel. Two exceptions, each said in a note under the panel:
// when zero would squash everything that matters into the top tenth (uptime at 99.x % against
// thresholds at 99.5 and 99.9), the axis starts near the data; and a threshold far beyond the data
// (lead time 35 h against a 7-day critical line) is left off the scale instead of flattening the line.

interface DisplayUnit {
  /** Multiply a value in the metric's unit by this to get the display unit. */
  readonly factor: number;
  readonly prefix: string;
  readonly suffix: string;
}

export interface PanelScale {
  readonly unit: DisplayUnit;
  /** Tick values in the display unit, ascending; the first and last are the scale's domain. */
  readonly ticks: readonly number[];
  /** Decimals every tick label needs. */
  readonly decimals: number;
  /** What the reader must know about the axis (it does not start at zero, a band is off the scale). */
  readonly notes: readonly string[];
}

/** Thresholds beyond this multiple of the data's top are not allowed to set the scale. */
const THRESHOLD_REACH = 2.5;
/** Zero is kept unless the data and thresholds would all sit in this top share of the axis. */
const SQUASHED_SHARE = 0.1;

function displayUnit(unit: Unit, top: number): DisplayUnit {
  switch (unit) {
    case "hours":
      if (top < 2) return { factor: 60, prefix: "", suffix: " min" };
      if (top < 72) return { factor: 1, prefix: "", suffix: " h" };
      return { factor: 1 / 24, prefix: "", suffix: " d" };
    case "per_day":
      return { factor: 1, prefix: "", suffix: "/day" };
    case "percent":
      return { factor: 1, prefix: "", suffix: " %" };
    case "ms":
      return { factor: 1, prefix: "", suffix: " ms" };
    case "usd_per_user_month":
      return { factor: 1, prefix: "$", suffix: "" };
  }
}

function tickLabel(value: number, scale: Pick<PanelScale, "unit" | "decimals">): string {
  return `${scale.unit.prefix}${value.toFixed(scale.decimals)}${scale.unit.suffix}`;
}

export function panelScale(panel: ChartPanel): PanelScale {
  const data = panel.points.map((p) => p.value).filter((v): v is number => v !== null && Number.isFinite(v));
  const baseline = panel.baseline !== null && Number.isFinite(panel.baseline) ? [panel.baseline] : [];
  const thresholds = [panel.warn, panel.critical].filter((t): t is number => t !== null && Number.isFinite(t));
  const dataTop = Math.max(0, ...data, ...baseline);
  const reach = dataTop > 0 ? dataTop * THRESHOLD_REACH : Infinity;
  const onScale = thresholds.filter((t) => t <= reach);
  const offScale = thresholds.filter((t) => t > reach);
  let hi = Math.max(dataTop, ...onScale);
  if (panel.unit === "percent") hi = Math.min(hi, 100);
  const unit = displayUnit(panel.unit, hi);
  const notes: string[] = [];
  const known = [...data, ...baseline, ...onScale];
  const bottom = known.length > 0 ? Math.min(...known) : 0;
  let lo = 0;
  // Only bands justify leaving zero: without thresholds a flat line near the top is the honest picture.
  if (onScale.length > 0 && hi > 0 && bottom > 0 && (hi - bottom) / hi < SQUASHED_SHARE) {
    // A tenth of the span below the lowest value of interest keeps that point off the axis line.
    const span = Math.max(hi - bottom, Math.abs(hi) * 0.001);
    lo = bottom - span * 0.1;
  }
  const { ticks, decimals } = niceTicks(lo * unit.factor, (hi > lo ? hi : lo + 1) * unit.factor);
  if (lo > 0) notes.push(`axis starts at ${tickLabel(ticks[0]!, { unit, decimals })}, not zero`);
  if (offScale.length > 0) {
    const names = [panel.warn, panel.critical].map((t, i) => (t !== null && offScale.includes(t) ? `${i === 0 ? "warn" : "critical"} ${tickLabel(t * unit.factor, { unit, decimals: Math.min(1, decimalsOf(t * unit.factor)) })}` : null));
    notes.push(`${names.filter(Boolean).join(", ")}: off the scale`);
  }
  return { unit, ticks, decimals, notes };
}

/** 3–5 round ticks (steps of 1, 2, 2.5 or 5 × 10ⁿ) covering [lo, hi]; `lo` of zero stays zero. */
export function niceTicks(lo: number, hi: number): { ticks: number[]; decimals: number } {
  if (!(hi > lo)) hi = lo + (Math.abs(lo) || 1);
  const raw = (hi - lo) / 4;
  let magnitude = 10 ** Math.floor(Math.log10(raw));
  for (;;) {
    for (const m of [1, 2, 2.5, 5]) {
      const step = m * magnitude;
      const start = Math.floor(lo / step + 1e-9) * step;
      let count = Math.round((Math.ceil(hi / step - 1e-9) * step - start) / step) + 1;
      if (count > 5) continue;
      count = Math.max(count, 3);
      const decimals = decimalsOf(step);
      const ticks = Array.from({ length: count }, (_, i) => Number((start + i * step).toFixed(decimals)));
      return { ticks, decimals };
    }
    magnitude *= 10;
  }
}

/** Decimals a step needs to print exactly: 0.25 → 2, 5 → 0. */
function decimalsOf(value: number): number {
  for (let d = 0; d < 6; d++) if (Math.abs(Number(value.toFixed(d)) - value) < 1e-9 * Math.max(1, Math.abs(value))) return d;
  return 6;
}
