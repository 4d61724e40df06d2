import type { MetricId } from "../domain/metric-ids.js";
import type { WindowResult } from "./types.js";

// The one-line `definition` of each answer (the full definitions in force are in
// src/query/definitions.ts for `explain`, and docs/metrics.md).

const NOUNS: Readonly<Record<MetricId, string>> = {
  deployment_frequency: "deployments",
  lead_time: "changes",
  change_failure_rate: "deployments",
  mttr: "resolved incidents",
  mtta: "acknowledged incidents",
  rework_rate: "deployments",
  uptime: "availability samples or incident-derived services",
  latency_p95: "P95 samples",
  error_rate: "samples",
  coverage: "services",
  tech_debt_ratio: "services",
  cost_per_user: "cost samples",
};

export const sampleNoun = (metric: MetricId): string => NOUNS[metric];

/** DORA's failed deployment recovery time beside MTTR: "; 3 change-caused: mean 2.5 h". */
function recoveryOfFailures(s: WindowResult["stats"]): string {
  const n = s["change_caused_count"];
  if (!n) return "";
  const mean = s["failed_deployment_recovery_mean_hours"] ?? null;
  return `; failed deployment recovery time ${mean === null ? "N/A" : mean < 1 ? `${Math.round(mean * 60)} min` : `${mean.toFixed(1)} h`} (mean of ${n} change-caused)`;
}

/** "median of 41 changes first deployed to production in last 30 days" and friends. */
export function definitionLine(metric: MetricId, result: WindowResult, windowLabel: string): string {
  const n = result.sample_size;
  const s = result.stats;
  switch (metric) {
    case "deployment_frequency":
      return `${n} successful production deployments in ${windowLabel}, per day`;
    case "lead_time":
      return `median of ${n} changes first deployed to production in ${windowLabel} (commit → deploy)`;
    case "change_failure_rate":
      return `${s["failed"] ?? 0} of ${n} production deployments in ${windowLabel} caused a failure${s["confirmed"] !== undefined ? `, ${s["confirmed"]} confirmed by people` : ""}`;
    case "rework_rate":
      return `${s["rework"] ?? 0} of ${n} production deployments in ${windowLabel} were rollbacks or hotfixes`;
    case "mttr":
      return `mean time from creation to resolution of ${n} incidents resolved in ${windowLabel}${recoveryOfFailures(s)}`;
    case "mtta":
      return `mean time from creation to first acknowledgement of ${n} incidents acknowledged in ${windowLabel}`;
    case "uptime":
      return `mean uptime of ${s["services"] ?? 0} services over ${windowLabel}`;
    case "latency_p95":
      return `mean of ${n} P95 samples over ${windowLabel}${s["unweighted_samples"] === 0 ? ", weighted by requests" : " (plain mean)"}`;
    case "error_rate":
      return `errors ÷ requests over ${windowLabel}`;
    case "coverage":
    case "tech_debt_ratio":
      return `latest value of ${n} services in ${windowLabel}, averaged`;
    case "cost_per_user":
      return `monthly infrastructure cost ÷ mean active users over ${windowLabel}`;
  }
}
