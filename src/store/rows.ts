// The rows the metrics are computed from, as the store's reads return them (metric-reads.ts and its
// modules), decoded: no packed transport form leaves the store. Times are UTC epoch ms, durations in
// ms unless named in hours; `slice` indexes the frame's slices.

export interface DeploymentSliceRow { service: string; slice: number; attempts: number; n: number; failed: number; rework: number }
/** One slice's lead-time samples (of one service, or org-wide with each sample's service). */
export interface LeadTimeSliceRow {
  slice: number;
  /** The service of every sample, or null when `services` names each sample's. */
  service: string | null;
  /** Each sample's service, aligned with `leadSeconds` (org-wide rows); null when `service` is set. */
  services: readonly string[] | null;
  /** Lead time in whole seconds of each sample > 0. */
  leadSeconds: Float64Array;
  /** PR-size bucket of each sample: an index into PR_SIZE_LABELS (src/domain/pr-size.ts). */
  bucket: Uint8Array;
  /** Samples ≤ 0 in the slice (excluded from the samples, counted). */
  excluded: number;
}
/** One service's summed stage durations (ms) and how many changes have each stage. */
export interface LeadTimeStageSumRow {
  service: string;
  coding: number; coding_n: number; pickup: number; pickup_n: number; review: number; review_n: number; deploy: number; deploy_n: number;
}
/** Each stage's median duration (ms) over a window; null without samples. */
/** Negative spans (clock skew, a review before the PR opened) are left out of the medians and counted. */
export interface LeadTimeStagesRow { coding: number | null; pickup: number | null; review: number | null; deploy: number | null; negative_spans?: number }
/** A deployment that caused a failure (or was rework): what marked it (1/0 flags as the store keeps them). */
export interface FailedDeploymentRow {
  id: number; service: string; finished_at: number; caused_failure: number; rolled_back: number; incidents: number; is_rework: number;
  /** Its linked incidents by the rule that linked them ("confirmed": by a person). */
  confirmed: number; explicit: number; heuristic: number;
}
/** What a listed deployment shows: its ids and link, and the first incident linked to it. */
export interface DeploymentDetailRow { id: number; external_id: string; url: string | null; sha: string | null; incident_title: string | null; incident_url: string | null }
/** Incidents of one slice: how many, and their summed durations (ms). */
export interface IncidentSliceRow { slice: number; n: number; ms: number }
export interface IncidentRow {
  id: number; service: string | null; created_at: number;
  acknowledged_at: number | null; resolved_at: number | null; linked_deployment_id: number | null; at: number;
  /** As the source gives it (SEV1, P1, ...); null when it gives none. */
  severity?: string | null;
}
export interface IncidentTitleRow { id: number; title: string; url: string | null }
export interface OpenIncidents { open_count: number; oldest_created_at: number | null }
export interface TimedSampleRow { service: string; at: number; value: number }
export interface OutageRow { service: string; created_at: number; resolved_at: number | null }
/** An incident of a service past a threshold line, overlapping the window (a breach explained). */
export interface BreachIncidentRow {
  service: string; title: string; url: string | null; severity: string | null; created_at: number; acknowledged_at: number | null;
  resolved_at: number | null; counts_recovery: number; outage: number; deployment: string | null;
}
export interface LatencySliceRow { service: string; slice: number; n: number; sum: number; weighted: number; weight: number; unweighted: number; sum_squares?: number }
export interface ErrorSliceRow { service: string; slice: number; n: number; errors: number; requests: number; rate_weighted: number; rate_requests: number; rate_sum: number; rate_plain: number }
export interface LevelSampleRow { service: string; at: number; value: number }
export interface SumSliceRow { service: string; slice: number; total: number; n: number }
export interface AnnotationReadRow { at: number; text: string; service_id: string | null; team_id: string | null }
