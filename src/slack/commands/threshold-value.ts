import type { Unit } from "../../domain/metric-ids.js";

// Threshold values typed by a person: a number in the metric's unit, or with a unit suffix where
// one is natural ("4h", "2d", "30m" for hours; "15%" for percent; "800ms" for latency).

export function parseThresholdValue(word: string, unit: Unit): number | undefined {
  const match = /^(-?\d+(?:\.\d+)?)\s*([a-z%/]*)$/i.exec(word.trim());
  if (!match) return undefined;
  const n = Number(match[1]);
  const suffix = match[2]!.toLowerCase();
  if (!Number.isFinite(n)) return undefined;
  if (suffix === "") return n;
  if (unit === "hours") {
    if (suffix === "h" || suffix === "hours" || suffix === "hour") return n;
    if (suffix === "d" || suffix === "days" || suffix === "day") return n * 24;
    if (suffix === "m" || suffix === "min" || suffix === "mins") return n / 60;
    return undefined;
  }
  if (unit === "percent") return suffix === "%" || suffix === "pct" ? n : undefined;
  if (unit === "ms") return suffix === "ms" ? n : suffix === "s" ? n * 1000 : undefined;
  if (unit === "per_day") return suffix === "/day" || suffix === "/d" ? n : suffix === "/week" || suffix === "/w" ? n / 7 : undefined;
  return undefined;
}

export const UNIT_HINT: Record<Unit, string> = {
  hours: "hours (or 4h, 2d, 30m)",
  percent: "percent (e.g. 15 or 15%)",
  ms: "milliseconds (e.g. 800 or 800ms)",
  per_day: "deployments per day (e.g. 1, or 5/week)",
  usd_per_user_month: "US dollars per user per month (e.g. 0.40)",
};
