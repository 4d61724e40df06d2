import { HOUR_MS } from "../../domain/scope.js";
import { formatHours } from "../../present/format-value.js";
import type { MetricSpec } from "../spec.js";
import type { WindowResult } from "../types.js";
import { computeIncidentTimes, INCIDENT_TIME_METHODS, readIncidentTimes, type IncidentTimesData } from "./incident-times.js";
import { changeFailureFilter, DORA, INCIDENTS_FROM_PAGERDUTY, incidentLines, recoveryFilter, SPEC } from "../words.js";

// Mean time to recovery (docs/metrics.md "Incidents"): created → last resolution of the incidents
// resolved in the window; beside it DORA's failed deployment recovery time (change-caused only).

/** DORA's failed deployment recovery time beside MTTR: "; failed deployment recovery time 2.5 h (mean of 3 change-caused)". */
function recoveryOfFailures(s: WindowResult["stats"]): string {
  const n = s["change_caused_count"];
  if (!n) return "";
  return `; failed deployment recovery time ${formatHours(s["failed_deployment_recovery_mean_hours"] ?? null)} (mean of ${n} change-caused)`;
}

export const mttrSpec: MetricSpec<IncidentTimesData> = {
  id: "mttr",
  label: "Mean time to recovery",
  unit: "hours",
  direction: "higher_is_worse",
  aliases: ["mttr", "recovery", "time to recovery", "time to restore"],
  sampleNoun: "resolved incidents",
  howToConnect: INCIDENTS_FROM_PAGERDUTY,
  definitionLine: ({ sample_size: n, stats }, windowLabel) => `mean time from creation to resolution of ${n} incidents resolved in ${windowLabel}${recoveryOfFailures(stats)}`,
  explain: (input) => ({
    definition: "Incidents the recovery filter counts, resolved in the window; a reopened incident uses its last resolution. Open incidents are excluded and reported as a count with the age of the oldest. Also computed over change-caused incidents only (DORA's failed deployment recovery time): those linked to a deployment by the change failure rules.",
    formula: "sample = resolved − created; headline = mean (the name says mean); also median and p90",
    tiers: "on the median: elite < 1 h, high < 24 h, medium < 7 days, low otherwise",
    basis: [
      { source: SPEC, text: "samples, open incidents, headline and tiers" },
      { source: DORA, text: "failed deployment recovery time: time to recover from a failed deployment, here the incidents attributed to a deployment (change failure rules above)" },
    ],
    settings: [recoveryFilter(input), { name: "metrics.attribution_window_hours (change-caused incidents)", value: `${input.config.metrics.attribution_window_hours} h` }, changeFailureFilter(input)],
  }),
  methods: INCIDENT_TIME_METHODS,
  coverage: (reads, input) => incidentLines(reads, input, false),
  read: (reads, input) => readIncidentTimes("mttr", reads, input),
  incidentFilter: { kind: "recovery", column: "resolved_at" },
  breach: ({ within }) => ({ noun: "incident", hoursMeasure: true, weight: (r) => (r.counts_recovery === 1 && within(r.resolved_at) ? (r.resolved_at - r.created_at) / HOUR_MS : null) }),
  compute: computeIncidentTimes,
};
