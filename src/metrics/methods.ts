import type { MetricId } from "../domain/metric-ids.js";
import { SHAPLEY_MAX_GROUPS } from "./decompose.js";

// How each metric's change is attributed and tested (docs/metrics.md "Change, attribution and
// significance"), in words, for `explain` and docs/metrics.md. The code is decompose.ts and
// significance.ts; each metric module picks its method.

export interface MetricMethods {
  /** How a change splits into parts that add up to it exactly. */
  readonly attribution: string;
  /** The two-sided test of the change against the previous window (α = 0.05). */
  readonly test: string;
  /** The interval shown for the headline. */
  readonly interval: string;
}

const RATIO = "shift-share of the ratio Σa ÷ Σb by service (team: by service; organisation: by team and by service): part = mean weight × Δrate + (mean rate − pooled mean rate) × Δweight, midpoint weights, so the parts add up to the change exactly";
const MEAN = "weighted mix of means, split like a ratio of sums (Σ durations ÷ count, or the mean over services): the parts add up to the change exactly";
const REST = "the five largest parts are shown, the rest is one remainder driver (`rest: true`); `share` is percent of the change and a decomposition's shares add to 100";
const TREND = "and the 12 weekly points are tested for a sustained trend (Mann–Kendall, α = 0.05, with a Theil–Sen slope per week)";
const THIN = "no test (null) when either window has fewer than `metrics.min_sample_size` samples";

const METHODS: Readonly<Record<MetricId, MetricMethods>> = {
  deployment_frequency: { attribution: `counts per day add directly: each segment's part is its own change in deployments ÷ days; ${REST}`, test: `Poisson rate test (conditional binomial on the two windows' counts and lengths); ${THIN}; ${TREND}`, interval: "exact (Garwood) Poisson interval of the count ÷ days" },
  lead_time: { attribution: `counterfactual medians: Shapley values over the services (and over PR-size buckets), exact up to ${SHAPLEY_MAX_GROUPS} groups; beyond, one group at a time with the interaction in the remainder. Stages: the change in each stage's mean, the remainder the difference to the change in the median; ${REST}`, test: `Mann–Whitney U on the two windows' lead times; ${THIN}; ${TREND}`, interval: "distribution-free interval of the median from order statistics" },
  change_failure_rate: { attribution: `${RATIO}; ${REST}`, test: `Fisher's exact test (two-proportion z test beyond 2,000 deployments); ${THIN}; ${TREND}. A weekday question needs its share of failures over-represented against its share of deployments (one-sided binomial, p < 0.05, at least 3 failures)`, interval: "Wilson score interval" },
  rework_rate: { attribution: `${RATIO}; ${REST}`, test: `Fisher's exact test (two-proportion z test beyond 2,000 deployments); ${THIN}; ${TREND}`, interval: "Wilson score interval" },
  mttr: { attribution: `${MEAN}, by service and by severity; by incident, each incident's excess over the previous mean ÷ the current count; ${REST}`, test: `Welch's t test on log durations; ${THIN}; ${TREND}`, interval: "t interval of the mean" },
  mtta: { attribution: `${MEAN}, by service and by severity; by incident, each incident's excess over the previous mean ÷ the current count; ${REST}`, test: `Welch's t test on log durations; ${THIN}; ${TREND}`, interval: "t interval of the mean" },
  uptime: { attribution: `${MEAN} (mean over services); a breach lists the services below 100 %; ${REST}`, test: `none (an availability level, not a sample of a distribution): significant is null; ${TREND}`, interval: "none" },
  latency_p95: { attribution: `${MEAN} (request-weighted mean of P95 samples); ${REST}`, test: `Welch's t test on the P95 samples, stratified by service; ${THIN}; ${TREND}`, interval: "none" },
  error_rate: { attribution: `${RATIO}; ${REST}`, test: `two-proportion z test with the variance inflated by the overdispersion between services and samples (quasi-binomial); ${THIN}; ${TREND}`, interval: "none (requests are not independent trials)" },
  coverage: { attribution: `${MEAN} (mean of the services' latest values); ${REST}`, test: `none (a level): significant is null; ${TREND}`, interval: "none" },
  tech_debt_ratio: { attribution: `${MEAN} (mean of the services' latest values); ${REST}`, test: `none (a level): significant is null; ${TREND}`, interval: "none" },
  cost_per_user: { attribution: `each segment's monthly cost change at the midpoint of the two windows' 1 ÷ users, plus the user count's own effect at the midpoint cost (C1/U1 − C0/U0 exactly); ${REST}`, test: `none (a total, not a sample): significant is null; ${TREND}`, interval: "none" },
};

export const methodsOf = (metric: MetricId): MetricMethods => METHODS[metric];
