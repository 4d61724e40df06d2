import type { Db } from "./db.js";
import type { MaybeAsync } from "./maybe-async.js";

// Data coverage for `explain <metric>` (issue 3): what the stored data covers and what each
// definition leaves out, counted over everything in the store. One aggregate query per table,
// prepared once; `explain` is asked rarely, so full scans are acceptable here.

export interface DeploymentCoverage {
  prod_success: number;
  prod_failed: number;
  other_env: number;
  without_commits: number;
  rollbacks: number;
  unresolved_rollbacks: number;
  hotfixes: number;
  first_at: number | null;
  last_at: number | null;
}

export interface ChangeCoverage {
  shipped: number;
  not_shipped: number;
  non_positive: number;
  without_pr: number;
  partial_pr: number;
}

export interface IncidentCoverage {
  total: number;
  unmapped: number;
  open: number;
  oldest_open_at: number | null;
  unacknowledged: number;
  resolved: number;
  linked_explicit: number;
  linked_rollback: number;
  linked_heuristic: number;
  linked_manual: number;
  mapped_unlinked: number;
  outages: number;
  /** Left out by the `incidents.change_failure` / `incidents.recovery` filters. */
  change_failure_filtered: number;
  recovery_filtered: number;
  /** Not caused by a change: by the source (`change_caused: false`) or by a person (`unrelated`). */
  unrelated_by_source: number;
  unrelated_by_people: number;
}

export interface SampleCoverage {
  name: string;
  n: number;
  services: number;
  org_wide: number;
  first_at: number | null;
  last_at: number | null;
}

export interface CountRow {
  key: string | null;
  n: number;
}

export function explainReads(db: Db, options: { productionEnvironment: string }) {
  const deployments = db.prepare<{ env: string }, DeploymentCoverage>(`
    SELECT
      count(*) FILTER (WHERE environment = @env AND status = 'success') AS prod_success,
      count(*) FILTER (WHERE environment = @env AND status = 'failure') AS prod_failed,
      count(*) FILTER (WHERE environment <> @env) AS other_env,
      count(*) FILTER (WHERE environment = @env AND status = 'success'
        AND NOT EXISTS (SELECT 1 FROM deployment_changes dc WHERE dc.deployment_id = d.id)) AS without_commits,
      count(*) FILTER (WHERE environment = @env AND status = 'success' AND rollback_of IS NOT NULL) AS rollbacks,
      count(*) FILTER (WHERE rollback_of IS NOT NULL AND rollback_of_id IS NULL) AS unresolved_rollbacks,
      count(*) FILTER (WHERE environment = @env AND status = 'success' AND is_hotfix = 1) AS hotfixes,
      min(finished_at) FILTER (WHERE environment = @env AND status = 'success') AS first_at,
      max(finished_at) FILTER (WHERE environment = @env AND status = 'success') AS last_at
    FROM deployments d`);
  const otherEnvironments = db.prepare<[string], CountRow>(
    `SELECT environment AS key, count(*) AS n FROM deployments WHERE environment <> ? GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5`,
  );
  const changes = db.prepare<[], ChangeCoverage>(`
    SELECT
      count(*) FILTER (WHERE first_deployed_at IS NOT NULL) AS shipped,
      count(*) FILTER (WHERE first_deployed_at IS NULL) AS not_shipped,
      count(*) FILTER (WHERE first_deployed_at IS NOT NULL AND lead_seconds IS NULL) AS non_positive,
      count(*) FILTER (WHERE first_deployed_at IS NOT NULL AND pr_number IS NULL) AS without_pr,
      count(*) FILTER (WHERE first_deployed_at IS NOT NULL AND pr_number IS NOT NULL
        AND (pr_opened_at IS NULL OR pr_first_review_at IS NULL OR pr_merged_at IS NULL)) AS partial_pr
    FROM changes`);
  const incidents = db.prepare<{ severities: string; priorities: string }, IncidentCoverage>(`
    SELECT
      count(*) AS total,
      count(*) FILTER (WHERE service_id IS NULL) AS unmapped,
      count(*) FILTER (WHERE resolved_at IS NULL) AS open,
      min(created_at) FILTER (WHERE resolved_at IS NULL) AS oldest_open_at,
      count(*) FILTER (WHERE acknowledged_at IS NULL) AS unacknowledged,
      count(*) FILTER (WHERE resolved_at IS NOT NULL) AS resolved,
      count(*) FILTER (WHERE link_rule = 'explicit') AS linked_explicit,
      count(*) FILTER (WHERE link_rule = 'rollback') AS linked_rollback,
      count(*) FILTER (WHERE link_rule = 'heuristic') AS linked_heuristic,
      count(*) FILTER (WHERE link_rule = 'manual') AS linked_manual,
      count(*) FILTER (WHERE service_id IS NOT NULL AND linked_deployment_id IS NULL AND counts_change_failure = 1
        AND verdict IS NOT 'unrelated' AND NOT (verdict IS NULL AND change_caused IS 0)) AS mapped_unlinked,
      count(*) FILTER (WHERE counts_change_failure = 0) AS change_failure_filtered,
      count(*) FILTER (WHERE counts_recovery = 0) AS recovery_filtered,
      count(*) FILTER (WHERE counts_change_failure = 1 AND verdict IS NULL AND change_caused = 0) AS unrelated_by_source,
      count(*) FILTER (WHERE counts_change_failure = 1 AND verdict = 'unrelated') AS unrelated_by_people,
      count(*) FILTER (WHERE service_id IS NOT NULL AND (severity IN (SELECT value FROM json_each(@severities))
        OR (source = 'pagerduty' AND urgency = 'high' AND priority IN (SELECT value FROM json_each(@priorities))))) AS outages
    FROM incidents`);
  const unmappedServices = db.prepare<[], CountRow>(
    `SELECT external_service AS key, count(*) AS n FROM incidents WHERE service_id IS NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5`,
  );
  const samples = db.prepare<[], SampleCoverage>(`
    SELECT name, count(*) AS n, count(DISTINCT nullif(service_id, '')) AS services, count(*) FILTER (WHERE service_id = '') AS org_wide,
      min(at) AS first_at, max(at) AS last_at
    FROM samples GROUP BY name ORDER BY name`);
  // Same (service, time) pairing as the metric reads: a P95 or a rate is weighted by the request
  // count sampled at the same instant, else it enters a plain mean.
  const withoutRequests = db.prepare<[string], { n: number }>(`
    SELECT count(*) AS n FROM samples s WHERE s.name = ? AND s.service_id <> ''
      AND NOT EXISTS (SELECT 1 FROM samples r WHERE r.service_id = s.service_id AND r.name = 'requests' AND r.at = s.at AND r.value > 0)`);
  const errorsWithoutRequests = db.prepare<[], { n: number }>(`
    SELECT count(*) AS n FROM samples s WHERE s.name = 'errors'
      AND NOT EXISTS (SELECT 1 FROM samples r WHERE r.service_id = s.service_id AND r.name = 'requests' AND r.at = s.at)`);
  const servicesWithoutTeam = db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM services WHERE team_id IS NULL`);
  const serviceCount = db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM services`);

  return {
    deployments: (): DeploymentCoverage => deployments.get({ env: options.productionEnvironment })!,
    otherEnvironments: (): CountRow[] => otherEnvironments.all(options.productionEnvironment),
    changes: (): ChangeCoverage => changes.get()!,
    incidents: (outageSeverities: readonly string[], pagerdutyPriorities: readonly string[]): IncidentCoverage =>
      incidents.get({ severities: JSON.stringify(outageSeverities), priorities: JSON.stringify(pagerdutyPriorities) })!,
    unmappedServices: (): CountRow[] => unmappedServices.all(),
    samples: (): SampleCoverage[] => samples.all(),
    /** Samples of `name` (latency_p95_ms, error_rate_pct) with no positive request count at the same time. */
    withoutRequests: (name: string): number => withoutRequests.get(name)!.n,
    errorsWithoutRequests: (): number => errorsWithoutRequests.get()!.n,
    servicesWithoutTeam: (): number => servicesWithoutTeam.get()!.n,
    serviceCount: (): number => serviceCount.get()!.n,
  };
}

/** What `explain` reads, as the metrics' coverage lines see it: any store may answer asynchronously (issue 19). */
export type ExplainReads = MaybeAsync<ReturnType<typeof explainReads>>;
