/** The canonical metric ids: a public interface (YAML thresholds, `--json` answers, the ingest API). */
export const METRIC_IDS = [
  "deployment_frequency",
  "lead_time",
  "change_failure_rate",
  "mttr",
  "mtta",
  "rework_rate",
  "uptime",
  "latency_p95",
  "error_rate",
  "coverage",
  "tech_debt_ratio",
  "cost_per_user",
] as const;

export type MetricId = (typeof METRIC_IDS)[number];

export type Unit = "per_day" | "hours" | "percent" | "ms" | "usd_per_user_month";

/** Which way is bad: drives threshold status, arrows and "improved/worsened" wording. */
export type Direction = "higher_is_worse" | "lower_is_worse";

export interface MetricInfo {
  readonly id: MetricId;
  readonly label: string;
  readonly unit: Unit;
  readonly direction: Direction;
}

/** Names of pushed/pulled metric samples (`kind: "metric"` records). */
export const SAMPLE_NAMES = [
  "uptime_pct",
  "latency_p95_ms",
  "requests",
  "errors",
  "error_rate_pct",
  "coverage_pct",
  "tech_debt_ratio_pct",
  "infra_cost_usd",
  "active_users",
] as const;

export type SampleName = (typeof SAMPLE_NAMES)[number];
