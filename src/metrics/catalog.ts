import type { MetricId } from "../domain/metric-ids.js";
import { changeFailureRateSpec } from "./delivery/change-failure-rate.js";
import { costPerUserSpec } from "./reliability/cost-per-user.js";
import { coverageSpec } from "./reliability/coverage.js";
import { deploymentFrequencySpec } from "./delivery/deployment-frequency.js";
import { errorRateSpec } from "./reliability/error-rate.js";
import { latencyP95Spec } from "./reliability/latency-p95.js";
import { leadTimeSpec } from "./lead-time/lead-time.js";
import { mttaSpec } from "./incidents/mtta.js";
import { mttrSpec } from "./incidents/mttr.js";
import { reworkRateSpec } from "./delivery/rework-rate.js";
import { techDebtRatioSpec } from "./reliability/tech-debt-ratio.js";
import { uptimeSpec } from "./reliability/uptime.js";
import type { MetricSpec } from "./spec.js";

// The metric catalog: every metric id's module (src/metrics/<family>/<id>.ts). Keyed by MetricId, so adding an
// id to METRIC_IDS makes the compiler ask for its module here; query, explain, present and the
// digest read labels, units, aliases, words, reads and computations from it.

export const METRICS: Readonly<Record<MetricId, MetricSpec>> = {
  deployment_frequency: deploymentFrequencySpec,
  lead_time: leadTimeSpec,
  change_failure_rate: changeFailureRateSpec,
  mttr: mttrSpec,
  mtta: mttaSpec,
  rework_rate: reworkRateSpec,
  uptime: uptimeSpec,
  latency_p95: latencyP95Spec,
  error_rate: errorRateSpec,
  coverage: coverageSpec,
  tech_debt_ratio: techDebtRatioSpec,
  cost_per_user: costPerUserSpec,
};
