import type { FileConfig, ThresholdConfig } from "../config/file.js";
import type { Direction, MetricId } from "../domain/metric-ids.js";
import type { Scope } from "../domain/scope.js";
import type { ThresholdStatus } from "../domain/answer.js";

export interface ThresholdLevels {
  readonly warn: number;
  readonly critical: number;
}

/**
 * ok / warn / critical for a value against a threshold; the direction says which side is bad
 * ("higher is worse" for CFR: warn at ≥ warn; "lower is worse" for uptime: warn at ≤ warn).
 * No value (N/A) has no status.
 */
export function thresholdStatus(value: number | null, levels: ThresholdLevels, direction: Direction): ThresholdStatus | null {
  if (value === null || !Number.isFinite(value)) return null;
  if (direction === "higher_is_worse") {
    if (value >= levels.critical) return "critical";
    if (value >= levels.warn) return "warn";
    return "ok";
  }
  if (value <= levels.critical) return "critical";
  if (value <= levels.warn) return "warn";
  return "ok";
}

/**
 * The threshold in force for a metric and scope: the most specific one wins (service beats team
 * beats org). A service falls back to its team's threshold, then the org's; a team to the org's.
 */
export function thresholdFor(config: FileConfig, metric: MetricId, scope: Scope, teamOfService?: string | null): ThresholdConfig | null {
  const forMetric = config.thresholds.filter((t) => t.metric === metric);
  const org = forMetric.find((t) => !t.team && !t.service) ?? null;
  if (scope.kind === "org") return org;
  if (scope.kind === "team") return forMetric.find((t) => t.team === scope.id) ?? org;
  const team = teamOfService ?? config.teams.find((t) => t.services.includes(scope.id))?.id ?? null;
  return forMetric.find((t) => t.service === scope.id) ?? (team ? forMetric.find((t) => t.team === team) : undefined) ?? org;
}
