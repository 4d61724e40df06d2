import { HOUR_MS } from "../../domain/scope.js";
import type { MetricSpec } from "../spec.js";
import { computeIncidentTimes, INCIDENT_TIME_METHODS, readIncidentTimes, type IncidentTimesData } from "./incident-times.js";
import { DORA, INCIDENTS_FROM_PAGERDUTY, incidentLines, recoveryFilter, SPEC } from "../words.js";

// Mean time to acknowledge (docs/metrics.md "Incidents"): created → first acknowledgement of the
// incidents acknowledged in the window.

export const mttaSpec: MetricSpec<IncidentTimesData> = {
  id: "mtta",
  label: "Mean time to acknowledge",
  unit: "hours",
  direction: "higher_is_worse",
  aliases: ["mtta", "time to acknowledge"],
  sampleNoun: "acknowledged incidents",
  howToConnect: INCIDENTS_FROM_PAGERDUTY,
  definitionLine: ({ sample_size: n }, windowLabel) => `mean time from creation to first acknowledgement of ${n} incidents acknowledged in ${windowLabel}`,
  explain: (input) => ({
    definition: "Incidents the recovery filter counts, acknowledged in the window; unacknowledged incidents have no sample.",
    formula: "sample = first acknowledgement − created; headline = mean; also median and p90",
    tiers: "none: neither METRICS.md nor DORA publishes tiers for time to acknowledge",
    basis: [
      { source: SPEC, text: "same as MTTR over created → first acknowledgement" },
      { source: DORA, text: "no tier (DORA's four keys do not include acknowledgement time)" },
    ],
    settings: [recoveryFilter(input)],
  }),
  methods: INCIDENT_TIME_METHODS,
  coverage: (reads, input) => incidentLines(reads, input, true),
  read: (reads, input) => readIncidentTimes("mtta", reads, input),
  incidentFilter: { kind: "recovery", column: "acknowledged_at" },
  breach: ({ within }) => ({ noun: "incident", hoursMeasure: true, weight: (r) => (r.counts_recovery === 1 && within(r.acknowledged_at) ? (r.acknowledged_at - r.created_at) / HOUR_MS : null) }),
  compute: computeIncidentTimes,
};
