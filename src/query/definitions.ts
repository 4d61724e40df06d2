import type { FileConfig } from "../config/file.js";
import { NO_INCIDENT_FILTERS, type IncidentFilters } from "../domain/incident-filter.js";
import type { MetricId } from "../domain/metric-ids.js";
import { filterInForce } from "./incident-counting.js";

// The definition of each metric as `explain` shows it: docs/metrics.md (the project's definitions),
// with this installation's settings filled in. Where docs/metrics.md is silent, the gap is filled with
// DORA's published definition (https://dora.dev/guides/dora-metrics-four-keys/) and labelled so.

export interface MetricDefinition {
  readonly definition: string;
  readonly formula: string;
  readonly tiers: string;
  readonly basis: readonly { readonly source: "METRICS.md" | "DORA"; readonly text: string }[];
  readonly settings: readonly { readonly name: string; readonly value: string }[];
}

const SPEC = "METRICS.md" as const;
const DORA = "DORA" as const;

export function metricDefinition(metric: MetricId, config: FileConfig, filters: IncidentFilters = NO_INCIDENT_FILTERS): MetricDefinition {
  const changeFailureFilter = { name: "incidents.change_failure", value: filterInForce(filters, null, "change_failure") };
  const recoveryFilter = { name: "incidents.recovery", value: filterInForce(filters, null, "recovery") };
  const env = config.production_environment;
  const hours = config.metrics.attribution_window_hours;
  const envSetting = { name: "production_environment", value: env };
  const floor = { name: "metrics.min_sample_size", value: String(config.metrics.min_sample_size) };
  const outageSettings = [
    { name: "metrics.outage_severities", value: config.metrics.outage_severities.join(", ") || "(none)" },
    { name: "pagerduty.outage_priorities", value: `${config.pagerduty.outage_priorities.join(", ") || "(none)"} (with high urgency)` },
  ];
  switch (metric) {
    case "deployment_frequency":
      return {
        definition: `Successful deployments to "${env}" finished in the window, counted once each and timed at their finish. Failed deployments are not deployments here.`,
        formula: "count of successful production deployments in [from, to) ÷ calendar days in the window (a window without deployments is 0 per day)",
        tiers: "median distinct deploy days per ISO week (weeks without deploys count as 0): elite ≥ 5, high ≥ 1; else medium if the median deploy days per month ≥ 1; else low. No tier for windows shorter than 7 days.",
        basis: [{ source: SPEC, text: "definition, per-day rate and tiers" }],
        settings: [envSetting],
      };
    case "lead_time":
      return {
        definition: `One sample per change (a pull request, or a commit without one) shipped for the first time by a successful "${env}" deployment finished in the window. A pull request is timed from its earliest commit, which survives squash merges. Redeploying a shipped change adds no sample.`,
        formula: "sample = deployment finish − commit time; samples ≤ 0 are excluded and counted; headline = median (also mean and p90, linear interpolation); stages coding (commit → PR opened), pickup (opened → first review by someone else), review (→ merged), deploy (merged → deployed)",
        tiers: "on the median: elite < 1 day, high < 7 days, medium < 30 days, low otherwise",
        basis: [{ source: SPEC, text: "sample, exclusions, stages, headline and tiers" }],
        settings: [envSetting, floor],
      };
    case "change_failure_rate":
      return {
        definition: `Successful "${env}" deployments finished in the window that caused at least one failure. A deployment caused a failure when, in this order: an incident names it (deployment id or commit sha); a later deployment rolls it back; or an incident on the same service was created after it finished, before the service's next deployment and within ${hours} h. Several incidents on one deployment count once; an incident with no earlier deployment of its service is not a change failure. Only incidents the change-failure filter counts can mark a deployment failed; an incident marked not caused by a deployment (its source's change_caused: false, or a person's "unrelated") marks none, though a rollback still marks the deployment it undoes. A person's link (\`/kpi link\`, or an answer to the confirmation message) wins over every rule.`,
        formula: "distinct failed deployments ÷ all successful production deployments in the window × 100",
        tiers: "elite ≤ 5 %, high ≤ 10 %, medium ≤ 15 %, low otherwise",
        basis: [{ source: SPEC, text: "attribution rules, counting once, tiers" }],
        settings: [envSetting, { name: "metrics.attribution_window_hours", value: `${hours} h` }, changeFailureFilter],
      };
    case "mttr":
      return {
        definition: "Incidents the recovery filter counts, resolved in the window; a reopened incident uses its last resolution. Open incidents are excluded and reported as a count with the age of the oldest. Also computed over change-caused incidents only (DORA's failed deployment recovery time): those linked to a deployment by the change failure rules.",
        formula: "sample = resolved − created; headline = mean (the name says mean); also median and p90",
        tiers: "on the median: elite < 1 h, high < 24 h, medium < 7 days, low otherwise",
        basis: [
          { source: SPEC, text: "samples, open incidents, headline and tiers" },
          { source: DORA, text: "failed deployment recovery time: time to recover from a failed deployment, here the incidents attributed to a deployment (change failure rules above)" },
        ],
        settings: [recoveryFilter, { name: "metrics.attribution_window_hours (change-caused incidents)", value: `${hours} h` }, changeFailureFilter],
      };
    case "mtta":
      return {
        definition: "Incidents the recovery filter counts, acknowledged in the window; unacknowledged incidents have no sample.",
        formula: "sample = first acknowledgement − created; headline = mean; also median and p90",
        tiers: "none: neither METRICS.md nor DORA publishes tiers for time to acknowledge",
        basis: [
          { source: SPEC, text: "same as MTTR over created → first acknowledgement" },
          { source: DORA, text: "no tier (DORA's four keys do not include acknowledgement time)" },
        ],
        settings: [recoveryFilter],
      };
    case "rework_rate":
      return {
        definition: `Successful "${env}" deployments in the window that were unplanned fixes: a rollback, or marked as a hotfix or a fix for an incident.`,
        formula: "unplanned-fix deployments ÷ all successful production deployments in the window × 100",
        tiers: "none (METRICS.md gives none; DORA 2024 reports rework rate without tiers)",
        basis: [
          { source: SPEC, text: "what counts as rework, no tier" },
          { source: DORA, text: "deployment rework rate, DORA 2024: unplanned deployments made to fix a user-facing problem" },
        ],
        settings: [envSetting],
      };
    case "uptime":
      return {
        definition: "From availability samples when a source gives them, each weighted by the time it covers (until the service's next sample or the window's end); otherwise derived from outage incidents from created to resolved (open: to now), overlaps merged. A team or the org is the mean over its services.",
        formula: "samples: Σ value × covered time ÷ Σ covered time; derived: 100 × (1 − union of outage intervals in the window ÷ window length)",
        tiers: "none",
        basis: [{ source: SPEC, text: "time weighting, outage derivation, overlap merging, scope mean" }],
        settings: outageSettings,
      };
    case "latency_p95":
      return {
        definition: "Exact when the source computes it over the window (a Prometheus histogram); from pre-aggregated samples, the mean of the samples' P95 weighted by the request count of the same service and time when known, a plain mean otherwise (labelled as such).",
        formula: "Σ (p95 × requests) ÷ Σ requests over the samples with request counts; plain mean for the rest",
        tiers: "none",
        basis: [{ source: SPEC, text: "weighting and labelling" }],
        settings: [],
      };
    case "error_rate":
      return {
        definition: "From error and request counts where both exist; from pre-computed rates, weighted by the request count of the same time when known.",
        formula: "Σ errors ÷ Σ requests × 100",
        tiers: "none",
        basis: [{ source: SPEC, text: "counts first, rate weighting" }],
        settings: [],
      };
    case "coverage":
    case "tech_debt_ratio":
      return {
        definition: `A level, not a flow: the latest value in the window, with its change since the window's start.${metric === "tech_debt_ratio" ? " SonarQube's remediation cost ÷ development cost." : ""}`,
        formula: "latest sample in the window (per service; team and org pool services); change = latest − last value before the window",
        tiers: "none",
        basis: [{ source: SPEC, text: "level semantics" }],
        settings: [],
      };
    case "cost_per_user":
      return {
        definition: `Infrastructure cost normalised to 30 days, divided by the mean of the active-user samples in the window. Cost not tagged to a service ${config.cost.share_untagged ? "is shared out across services in proportion to their tagged cost" : "counts at org scope only"}.`,
        formula: "(Σ cost in the window × 30 ÷ days in the window) ÷ mean(active_users in the window)",
        tiers: "none",
        basis: [{ source: SPEC, text: "normalisation and untagged cost" }],
        settings: [
          { name: "cost.service_tag", value: config.cost.service_tag },
          { name: "cost.share_untagged", value: String(config.cost.share_untagged) },
        ],
      };
  }
}
