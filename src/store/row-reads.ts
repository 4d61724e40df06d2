import type { Window } from "../domain/scope.js";
import type { Db } from "./db.js";
import { readSql, type ScopeServices } from "./read-sql.js";

// The items behind a headline, one row each (`vitals ask --csv`, the API's format=csv, Slack's
// "Download rows"). Each read selects exactly what the metric's read counts (src/store/*-reads.ts):
// the same table, window predicate and scope, so the rows number `sample_size`. "Caused a failure"
// and "rework" are the columns src/store/derived/definitions.ts defines.

export interface DeploymentItemRow {
  external_id: string;
  source: string;
  service: string;
  finished_at: number;
  sha: string | null;
  url: string | null;
  caused_failure: number;
  rework: number;
  rolled_back: number;
  rollback_of: string | null;
  is_hotfix: number;
  /** Link rules of the incidents linked to it, comma-separated (null when none). */
  link_rules: string | null;
  /** Linked incidents as source:external_id, U+001F-separated (null when none). */
  incidents: string | null;
}

export interface ChangeItemRow {
  change_key: string;
  service: string;
  pr_number: number | null;
  pr_title: string | null;
  pr_url: string | null;
  committed_at: number;
  pr_opened_at: number | null;
  pr_first_review_at: number | null;
  pr_merged_at: number | null;
  first_deployed_at: number;
  deployment: string | null;
}

export interface IncidentItemRow {
  external_id: string;
  source: string;
  service: string | null;
  title: string;
  severity: string | null;
  urgency: string | null;
  priority: string | null;
  created_at: number;
  acknowledged_at: number | null;
  resolved_at: number | null;
  link_rule: string | null;
  deployment: string | null;
  url: string | null;
}

export interface TimedItemRow {
  service: string;
  at: number;
  value: number;
}

export interface PointItemRow {
  service: string;
  at: number;
  source: string;
  latency_p95_ms: number | null;
  requests: number | null;
  errors: number | null;
  error_rate_pct: number | null;
}

export interface SampleItemRow {
  service: string;
  at: number;
  source: string;
  value: number;
}

export function rowReads(db: Db) {
  const { prepared, allRows, scopeSql, scopeArgs, serviceList } = readSql(db);
  return {
    /** Successful production deployments finished in the window (deployment frequency, CFR, rework). */
    deployments(env: string, window: Window, services: ScopeServices): DeploymentItemRow[] {
      const statement = prepared(`rowsDeployments:${services === null}`, () => `
        SELECT d.external_id, d.source, d.service_id AS service, d.finished_at, d.sha, d.url,
          d.caused_failure, d.is_rework AS rework,
          d.successful_rollbacks > 0 AS rolled_back, d.rollback_of, d.is_hotfix,
          (SELECT group_concat(DISTINCT i.link_rule) FROM incidents i WHERE i.linked_deployment_id = d.id) AS link_rules,
          (SELECT group_concat(i.source || ':' || i.external_id, char(31)) FROM incidents i WHERE i.linked_deployment_id = d.id) AS incidents
        FROM deployments d
        WHERE d.environment = ? AND d.status = 'success' AND d.finished_at >= ? AND d.finished_at < ?${scopeSql("d.service_id", services)}
        ORDER BY d.finished_at, d.id`);
      return allRows<DeploymentItemRow>(statement, env, window.fromMs, window.toMs, ...scopeArgs(services));
    },

    /** Changes first shipped in the window with a lead time > 0 (the lead-time samples). */
    changes(window: Window, services: ScopeServices): ChangeItemRow[] {
      const statement = prepared(`rowsChanges:${services === null}`, () => `
        SELECT c.change_key, c.service_id AS service, c.pr_number, c.pr_title, c.pr_url, c.committed_at, c.pr_opened_at,
          c.pr_first_review_at, c.pr_merged_at, c.first_deployed_at, d.external_id AS deployment
        FROM changes c LEFT JOIN deployments d ON d.id = c.first_deployment_id
        WHERE c.first_deployed_at >= ? AND c.first_deployed_at < ? AND c.lead_seconds IS NOT NULL${scopeSql("c.service_id", services)}
        ORDER BY c.first_deployed_at, c.id`);
      return allRows<ChangeItemRow>(statement, window.fromMs, window.toMs, ...scopeArgs(services));
    },

    /** Incidents whose resolution (MTTR) or first acknowledgement (MTTA) falls in the window. */
    incidents(timeColumn: "resolved_at" | "acknowledged_at", window: Window, services: ScopeServices): IncidentItemRow[] {
      const statement = prepared(`rowsIncidents:${timeColumn}:${services === null}`, () => `
        SELECT i.external_id, i.source, i.service_id AS service, i.title, i.severity, i.urgency, i.priority, i.created_at,
          i.acknowledged_at, i.resolved_at, i.link_rule, d.external_id AS deployment, i.url
        FROM incidents i LEFT JOIN deployments d ON d.id = i.linked_deployment_id
        WHERE i.${timeColumn} >= ? AND i.${timeColumn} < ?${scopeSql("i.service_id", services)}
        ORDER BY i.${timeColumn}, i.id`);
      return allRows<IncidentItemRow>(statement, window.fromMs, window.toMs, ...scopeArgs(services));
    },

    /** Samples of one name, one per service and time (values at the same time averaged, as uptime reads them). */
    timed(name: string, window: Window, services: ScopeServices): TimedItemRow[] {
      const statement = prepared(`rowsTimed:${services === null}`, () => `
        SELECT service_id AS service, at, avg(value) AS value FROM samples
        WHERE name = ? AND at >= ? AND at < ? AND service_id IN (${serviceList(services)})
        GROUP BY service_id, at ORDER BY service_id, at`);
      return allRows<TimedItemRow>(statement, name, window.fromMs, window.toMs, ...scopeArgs(services));
    },

    /** Latency or error points (sample_points) in the window, as latencySlices / errorSlices select them. */
    points(which: "latency" | "errors", window: Window, services: ScopeServices): PointItemRow[] {
      const selected =
        which === "latency"
          ? "latency_p95_ms IS NOT NULL"
          : "((requests IS NOT NULL AND (errors IS NOT NULL OR error_rate_pct IS NOT NULL)) OR (error_rate_pct IS NOT NULL AND requests IS NULL))";
      const statement = prepared(`rowsPoints:${which}:${services === null}`, () => `
        SELECT service_id AS service, at, source, latency_p95_ms, requests, errors, error_rate_pct FROM sample_points
        WHERE at >= ? AND at < ? AND ${selected} AND service_id IN (${serviceList(services)})
        ORDER BY at, service_id, source`);
      return allRows<PointItemRow>(statement, window.fromMs, window.toMs, ...scopeArgs(services));
    },

    /** Samples of one name in the window for the scope's services (and the organisation-wide ones, service ''). */
    samples(name: string, window: Window, services: ScopeServices, includeOrgWide: boolean): SampleItemRow[] {
      const statement = prepared(`rowsSamples:${services === null}:${includeOrgWide}`, () => `
        SELECT service_id AS service, at, source, value FROM samples
        WHERE name = ? AND at >= ? AND at < ?
          AND (${services === null ? "1" : "service_id IN (SELECT value FROM json_each(?))"}${includeOrgWide ? " OR service_id = ''" : ""})
        ORDER BY at, service_id, source`);
      return allRows<SampleItemRow>(statement, name, window.fromMs, window.toMs, ...scopeArgs(services));
    },
  };
}

export type RowReads = ReturnType<typeof rowReads>;
