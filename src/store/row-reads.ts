import type { Window } from "../domain/scope.js";
import type { ScopeServices } from "./read-sql.js";
import type { EitherOps } from "./sql/bind.js";
import type { Dialect } from "./sql/dialect.js";
import { sqliteMean } from "./sql/mean.js";
import { all, type Sql } from "./sql/query.js";

// The items behind a headline, one row each (`vitals ask --csv`, the API's format=csv, Slack's
// "Download rows"). Each read selects exactly what the metric's read counts (src/store/*-reads.ts):
// the same table, window predicate and scope, so the rows number `sample_size`. "Caused a failure"
// and "rework" are the columns src/store/derived/definitions.ts defines. Written once for SQLite and
// PostgreSQL (issue 19): every order that can tie ends on a unique key, text in byte order.

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

/** One statement text per scope shape: the organisation (null) or a service list (a JSON array parameter). */
type ByScope = (services: ScopeServices) => string;
const byScope = (build: (scoped: boolean) => string): ByScope => {
  const org = build(false);
  const scoped = build(true);
  return (services) => (services === null ? org : scoped);
};

export function rowReadOps(d: Dialect) {
  // TRANSITIONAL: the scope helpers of read-sql.ts with the dialect's list (fold in when it is converted).
  const scopeSql = (column: string, scoped: boolean): string => (scoped ? ` AND ${column} IN (${d.textList()})` : "");
  const scopeArgs = (services: ScopeServices): string[] => (services === null ? [] : [JSON.stringify(services)]);
  // Every service id of the data is in `services` (a foreign key for deployments and changes; the
  // store's write path registers the services of samples).
  const serviceList = (scoped: boolean): string => (scoped ? d.textList() : "SELECT id FROM services");

  // The incidents come through incidents_linked, in id order on SQLite: the lists follow it.
  const deployments = byScope((scoped) => `
        SELECT d.external_id, d.source, d.service_id AS service, d.finished_at, d.sha, d.url,
          d.caused_failure, d.is_rework AS rework,
          CASE WHEN d.successful_rollbacks > 0 THEN 1 ELSE 0 END AS rolled_back, d.rollback_of, d.is_hotfix,
          (SELECT ${d.packedDistinct("i.link_rule", "i.id")} FROM incidents i WHERE i.linked_deployment_id = d.id) AS link_rules,
          (SELECT ${d.packed("i.source || ':' || i.external_id", "\x1f", "i.id")} FROM incidents i WHERE i.linked_deployment_id = d.id) AS incidents
        FROM deployments d
        WHERE d.environment = ? AND d.status = 'success' AND d.finished_at >= ? AND d.finished_at < ?${scopeSql("d.service_id", scoped)}
        ORDER BY d.finished_at, d.id`);
  const changes = byScope((scoped) => `
        SELECT c.change_key, c.service_id AS service, c.pr_number, c.pr_title, c.pr_url, c.committed_at, c.pr_opened_at,
          c.pr_first_review_at, c.pr_merged_at, c.first_deployed_at, d.external_id AS deployment
        FROM changes c LEFT JOIN deployments d ON d.id = c.first_deployment_id
        WHERE c.first_deployed_at >= ? AND c.first_deployed_at < ? AND c.lead_seconds IS NOT NULL${scopeSql("c.service_id", scoped)}
        ORDER BY c.first_deployed_at, c.id`);
  const incidentsBy = (timeColumn: "resolved_at" | "acknowledged_at"): ByScope =>
    byScope((scoped) => `
        SELECT i.external_id, i.source, i.service_id AS service, i.title, i.severity, i.urgency, i.priority, i.created_at,
          i.acknowledged_at, i.resolved_at, i.link_rule, d.external_id AS deployment, i.url
        FROM incidents i LEFT JOIN deployments d ON d.id = i.linked_deployment_id
        WHERE i.${timeColumn} >= ? AND i.${timeColumn} < ?${scopeSql("i.service_id", scoped)}
        ORDER BY i.${timeColumn}, i.id`);
  const incidents = { resolved_at: incidentsBy("resolved_at"), acknowledged_at: incidentsBy("acknowledged_at") };
  // Every sample of the (service, time) pairs in primary-key order (service, name, time, source),
  // the order SQLite's avg() summed them in: averaged here (sqliteMean), the same on both engines.
  const timed = byScope((scoped) => `
        SELECT service_id AS service, at, value FROM samples
        WHERE name = ? AND at >= ? AND at < ? AND service_id IN (${serviceList(scoped)})
        ORDER BY ${d.textOrder("service_id")}, at, ${d.textOrder("source")}`);
  const pointsBy = (which: "latency" | "errors"): ByScope => {
    const selected =
      which === "latency"
        ? "latency_p95_ms IS NOT NULL"
        : "((requests IS NOT NULL AND (errors IS NOT NULL OR error_rate_pct IS NOT NULL)) OR (error_rate_pct IS NOT NULL AND requests IS NULL))";
    return byScope((scoped) => `
        SELECT service_id AS service, at, source, latency_p95_ms, requests, errors, error_rate_pct FROM sample_points
        WHERE at >= ? AND at < ? AND ${selected} AND service_id IN (${serviceList(scoped)})
        ORDER BY at, ${d.textOrder("service_id")}, ${d.textOrder("source")}`);
  };
  const points = { latency: pointsBy("latency"), errors: pointsBy("errors") };
  // Organisation-wide without the org-wide extra: every service, so no service condition at all.
  const samplesBy = (includeOrgWide: boolean): ByScope =>
    byScope((scoped) => {
      const inScope = scoped ? `(service_id IN (${d.textList()})${includeOrgWide ? " OR service_id = ''" : ""})` : null;
      return `
        SELECT service_id AS service, at, source, value FROM samples
        WHERE name = ? AND at >= ? AND at < ?${inScope === null ? "" : `
          AND ${inScope}`}
        ORDER BY at, ${d.textOrder("service_id")}, ${d.textOrder("source")}`;
    });
  const samples = { withOrgWide: samplesBy(true), serviceOnly: samplesBy(false) };

  return {
    /** Successful production deployments finished in the window (deployment frequency, CFR, rework). */
    *deployments(env: string, window: Window, services: ScopeServices): Sql<DeploymentItemRow[]> {
      return yield* all<DeploymentItemRow>(deployments(services), [env, window.fromMs, window.toMs, ...scopeArgs(services)]);
    },

    /** Changes first shipped in the window with a lead time > 0 (the lead-time samples). */
    *changes(window: Window, services: ScopeServices): Sql<ChangeItemRow[]> {
      return yield* all<ChangeItemRow>(changes(services), [window.fromMs, window.toMs, ...scopeArgs(services)]);
    },

    /** Incidents whose resolution (MTTR) or first acknowledgement (MTTA) falls in the window. */
    *incidents(timeColumn: "resolved_at" | "acknowledged_at", window: Window, services: ScopeServices): Sql<IncidentItemRow[]> {
      return yield* all<IncidentItemRow>(incidents[timeColumn](services), [window.fromMs, window.toMs, ...scopeArgs(services)]);
    },

    /** Samples of one name, one per service and time (values at the same time averaged, as uptime reads them). */
    *timed(name: string, window: Window, services: ScopeServices): Sql<TimedItemRow[]> {
      const rows = yield* all<TimedItemRow>(timed(services), [name, window.fromMs, window.toMs, ...scopeArgs(services)]);
      const averaged: TimedItemRow[] = [];
      for (let start = 0; start < rows.length; ) {
        const { service, at } = rows[start]!;
        let end = start + 1;
        while (end < rows.length && rows[end]!.service === service && rows[end]!.at === at) end++;
        averaged.push({ service, at, value: end - start === 1 ? rows[start]!.value : sqliteMean(rows.slice(start, end).map((r) => r.value)) });
        start = end;
      }
      return averaged;
    },

    /** Latency or error points (sample_points) in the window, as latencySlices / errorSlices select them. */
    *points(which: "latency" | "errors", window: Window, services: ScopeServices): Sql<PointItemRow[]> {
      return yield* all<PointItemRow>(points[which](services), [window.fromMs, window.toMs, ...scopeArgs(services)]);
    },

    /** Samples of one name in the window for the scope's services (and the organisation-wide ones, service ''). */
    *samples(name: string, window: Window, services: ScopeServices, includeOrgWide: boolean): Sql<SampleItemRow[]> {
      const statement = (includeOrgWide ? samples.withOrgWide : samples.serviceOnly)(services);
      return yield* all<SampleItemRow>(statement, [name, window.fromMs, window.toMs, ...scopeArgs(services)]);
    },
  };
}

type RowReadOps = ReturnType<typeof rowReadOps>;
/** The row reads as a caller that serves either engine sees them. */
export type EitherRowReads = EitherOps<RowReadOps>;
