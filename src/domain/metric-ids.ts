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

export const METRICS: Readonly<Record<MetricId, MetricInfo>> = {
  deployment_frequency: { id: "deployment_frequency", label: "Deployment frequency", unit: "per_day", direction: "lower_is_worse" },
  lead_time: { id: "lead_time", label: "Lead time for changes", unit: "hours", direction: "higher_is_worse" },
  change_failure_rate: { id: "change_failure_rate", label: "Change failure rate", unit: "percent", direction: "higher_is_worse" },
  mttr: { id: "mttr", label: "Mean time to recovery", unit: "hours", direction: "higher_is_worse" },
  mtta: { id: "mtta", label: "Mean time to acknowledge", unit: "hours", direction: "higher_is_worse" },
  rework_rate: { id: "rework_rate", label: "Deployment rework rate", unit: "percent", direction: "higher_is_worse" },
  uptime: { id: "uptime", label: "System uptime", unit: "percent", direction: "lower_is_worse" },
  latency_p95: { id: "latency_p95", label: "API latency P95", unit: "ms", direction: "higher_is_worse" },
  error_rate: { id: "error_rate", label: "Error rate", unit: "percent", direction: "higher_is_worse" },
  coverage: { id: "coverage", label: "Code coverage", unit: "percent", direction: "lower_is_worse" },
  tech_debt_ratio: { id: "tech_debt_ratio", label: "Technical debt ratio", unit: "percent", direction: "higher_is_worse" },
  cost_per_user: { id: "cost_per_user", label: "Infrastructure cost per user", unit: "usd_per_user_month", direction: "higher_is_worse" },
};

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

export function isMetricId(value: string): value is MetricId {
  return (METRIC_IDS as readonly string[]).includes(value);
}
