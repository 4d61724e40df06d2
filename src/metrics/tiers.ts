import { DAY_MS, HOUR_MS } from "../domain/scope.js";
import type { Tier } from "../domain/answer.js";

// DORA performance tiers, exactly as docs/metrics.md states them. Metrics without a tier return null.

/** Lead time tier on the median (hours): elite < 1 day, high < 7 days, medium < 30 days. */
export function leadTimeTier(medianHours: number | null): Tier | null {
  if (medianHours === null) return null;
  const ms = medianHours * HOUR_MS;
  if (ms < DAY_MS) return "elite";
  if (ms < 7 * DAY_MS) return "high";
  if (ms < 30 * DAY_MS) return "medium";
  return "low";
}

/** CFR tier (percent): elite ≤ 5, high ≤ 10, medium ≤ 15. */
export function changeFailureTier(percent: number | null): Tier | null {
  if (percent === null) return null;
  if (percent <= 5) return "elite";
  if (percent <= 10) return "high";
  if (percent <= 15) return "medium";
  return "low";
}

/** MTTR tier on the median (hours): elite < 1 h, high < 24 h, medium < 7 days. */
export function recoveryTier(medianHours: number | null): Tier | null {
  if (medianHours === null) return null;
  if (medianHours < 1) return "elite";
  if (medianHours < 24) return "high";
  if (medianHours < 7 * 24) return "medium";
  return "low";
}

/**
 * Deployment frequency tier from the median distinct deploy days per ISO week (weeks without
 * deploys count as 0): elite ≥ 5, high ≥ 1; else medium when the median deploy days per month ≥ 1.
 * Null for windows shorter than 7 days.
 */
export function deploymentFrequencyTier(input: {
  windowDays: number;
  medianDeployDaysPerWeek: number | null;
  medianDeployDaysPerMonth: number | null;
}): Tier | null {
  if (input.windowDays < 7 || input.medianDeployDaysPerWeek === null) return null;
  if (input.medianDeployDaysPerWeek >= 5) return "elite";
  if (input.medianDeployDaysPerWeek >= 1) return "high";
  if ((input.medianDeployDaysPerMonth ?? 0) >= 1) return "medium";
  return "low";
}
