import type { EitherOps } from "./sql/bind.js";
import type { Dialect } from "./sql/dialect.js";
import { all, get, type Params, type Sql } from "./sql/query.js";

// Data coverage for `explain <metric>` (issue 3): what the stored data covers and what each
// definition leaves out, counted over everything in the store. One aggregate query per table,
// written once for SQLite and PostgreSQL (issue 19); `explain` is asked rarely, so full scans are
// acceptable here.

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

export function explainReadOps(d: Dialect, options: { productionEnvironment: string }) {
  const deployments = `
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
    FROM deployments d`;
  // The five largest counts; a tie in byte order of the key, as SQLite compares text.
  const otherEnvironments = `SELECT environment AS key, count(*) AS n FROM deployments WHERE environment <> ? GROUP BY environment
    ORDER BY count(*) DESC, ${d.textOrder("environment")} LIMIT 5`;
  const changes = `
    SELECT
      count(*) FILTER (WHERE first_deployed_at IS NOT NULL) AS shipped,
      count(*) FILTER (WHERE first_deployed_at IS NULL) AS not_shipped,
      count(*) FILTER (WHERE first_deployed_at IS NOT NULL AND lead_seconds IS NULL) AS non_positive,
      count(*) FILTER (WHERE first_deployed_at IS NOT NULL AND pr_number IS NULL) AS without_pr,
      count(*) FILTER (WHERE first_deployed_at IS NOT NULL AND pr_number IS NOT NULL
        AND (pr_opened_at IS NULL OR pr_first_review_at IS NULL OR pr_merged_at IS NULL)) AS partial_pr
    FROM changes`;
  const incidents = `
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
        AND verdict IS DISTINCT FROM 'unrelated' AND NOT (verdict IS NULL AND change_caused IS NOT DISTINCT FROM 0)) AS mapped_unlinked,
      count(*) FILTER (WHERE counts_change_failure = 0) AS change_failure_filtered,
      count(*) FILTER (WHERE counts_recovery = 0) AS recovery_filtered,
      count(*) FILTER (WHERE counts_change_failure = 1 AND verdict IS NULL AND change_caused = 0) AS unrelated_by_source,
      count(*) FILTER (WHERE counts_change_failure = 1 AND verdict = 'unrelated') AS unrelated_by_people,
      count(*) FILTER (WHERE service_id IS NOT NULL AND (severity IN (${d.textList("@severities")})
        OR (source = 'pagerduty' AND urgency = 'high' AND priority IN (${d.textList("@priorities")})))) AS outages
    FROM incidents`;
  // An incident without the source's service reference counts under a null key: first among ties,
  // where SQLite orders NULLs.
  const unmappedServices = `SELECT external_service AS key, count(*) AS n FROM incidents WHERE service_id IS NULL GROUP BY external_service
    ORDER BY count(*) DESC, ${d.textOrder("external_service")} NULLS FIRST LIMIT 5`;
  const samples = `
    SELECT name, count(*) AS n, count(DISTINCT nullif(service_id, '')) AS services, count(*) FILTER (WHERE service_id = '') AS org_wide,
      min(at) AS first_at, max(at) AS last_at
    FROM samples GROUP BY name ORDER BY ${d.textOrder("name")}`;
  // Same (service, time) pairing as the metric reads: a P95 or a rate is weighted by the request
  // count sampled at the same instant, else it enters a plain mean.
  const withoutRequests = `
    SELECT count(*) AS n FROM samples s WHERE s.name = ? AND s.service_id <> ''
      AND NOT EXISTS (SELECT 1 FROM samples r WHERE r.service_id = s.service_id AND r.name = 'requests' AND r.at = s.at AND r.value > 0)`;
  const errorsWithoutRequests = `
    SELECT count(*) AS n FROM samples s WHERE s.name = 'errors'
      AND NOT EXISTS (SELECT 1 FROM samples r WHERE r.service_id = s.service_id AND r.name = 'requests' AND r.at = s.at)`;
  const servicesWithoutTeam = `SELECT count(*) AS n FROM services WHERE team_id IS NULL`;
  const serviceCount = `SELECT count(*) AS n FROM services`;

  // An aggregate without GROUP BY always returns its one row.
  function* one<Row>(text: string, params: Params = []): Sql<Row> {
    return (yield* get<Row>(text, params))!;
  }
  function* count(text: string, params: readonly unknown[] = []): Sql<number> {
    return (yield* one<{ n: number }>(text, params)).n;
  }

  return {
    *deployments(): Sql<DeploymentCoverage> {
      return yield* one<DeploymentCoverage>(deployments, { env: options.productionEnvironment });
    },
    *otherEnvironments(): Sql<CountRow[]> {
      return yield* all<CountRow>(otherEnvironments, [options.productionEnvironment]);
    },
    *changes(): Sql<ChangeCoverage> {
      return yield* one<ChangeCoverage>(changes);
    },
    *incidents(outageSeverities: readonly string[], pagerdutyPriorities: readonly string[]): Sql<IncidentCoverage> {
      return yield* one<IncidentCoverage>(incidents, { severities: JSON.stringify(outageSeverities), priorities: JSON.stringify(pagerdutyPriorities) });
    },
    *unmappedServices(): Sql<CountRow[]> {
      return yield* all<CountRow>(unmappedServices);
    },
    *samples(): Sql<SampleCoverage[]> {
      return yield* all<SampleCoverage>(samples);
    },
    /** Samples of `name` (latency_p95_ms, error_rate_pct) with no positive request count at the same time. */
    *withoutRequests(name: string): Sql<number> {
      return yield* count(withoutRequests, [name]);
    },
    *errorsWithoutRequests(): Sql<number> {
      return yield* count(errorsWithoutRequests);
    },
    *servicesWithoutTeam(): Sql<number> {
      return yield* count(servicesWithoutTeam);
    },
    *serviceCount(): Sql<number> {
      return yield* count(serviceCount);
    },
  };
}

type ExplainReadOps = ReturnType<typeof explainReadOps>;
/** What `explain` reads, as the metrics' coverage lines see it: any store may answer asynchronously (issue 19). */
export type ExplainReads = EitherOps<ExplainReadOps>;
