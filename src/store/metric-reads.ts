import { DAY_MS, type Window } from "../domain/scope.js";
import type { Db } from "./db.js";
import { ORG_SAMPLE_SERVICE } from "./samples.js";
import { parseIntegers } from "../metrics/packed-list.js";
import type { DeploymentSliceRow, LeadTimeSliceRow, LeadTimeStageSumRow, LeadTimeStagesRow, FailedDeploymentRow, DeploymentDetailRow, IncidentSliceRow, IncidentRow, IncidentTitleRow, OpenIncidents, TimedSampleRow, OutageRow, LatencySliceRow, ErrorSliceRow, LevelSampleRow, SumSliceRow, AnnotationReadRow } from "../metrics/rows.js";

export type { DeploymentSliceRow, LeadTimeSliceRow, LeadTimeStageSumRow, LeadTimeStagesRow, FailedDeploymentRow, DeploymentDetailRow, IncidentSliceRow, IncidentRow, IncidentTitleRow, OpenIncidents, TimedSampleRow, OutageRow, LatencySliceRow, ErrorSliceRow, LevelSampleRow, SumSliceRow, AnnotationReadRow } from "../metrics/rows.js";

// Every read the metrics need. SQL filters by scope and time and aggregates per (service, slice),
// where a slice is the span between two cut points of the answer's frame (src/metrics/frame.ts):
// one read covers the window, the previous window and the 12-week series. Statements are prepared
// once per shape (the number of cut points varies) and cached.

/** Services of the scope, or null for the whole organisation (which includes unmapped incidents). */
export type ScopeServices = readonly string[] | null;


// Statements of varying arity: arguments are checked by the callers below, not by the type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Statement = import("better-sqlite3").Statement<any[], unknown>;

/**
 * A change's lead-time sample as one integer: lead in whole seconds × 8 + PR-size bucket (0 XS …
 * 4 XL, 5 unknown), or −1 when the lead is ≤ 0 (excluded, counted). Migration 011 indexes this
 * exact expression (SQLite then reads the value instead of computing it).
 */
export const LEAD_CODE = `(CASE WHEN first_deployed_at > committed_at THEN ((first_deployed_at - committed_at) / 1000) * 8 + CASE WHEN pr_size IS NULL THEN 5 WHEN pr_size < 10 THEN 0 WHEN pr_size < 100 THEN 1 WHEN pr_size < 500 THEN 2 WHEN pr_size < 1000 THEN 3 ELSE 4 END ELSE -1 END)`;

/**
 * A deployment as one small code: 1 = successful, + 2 = caused a failure, + 4 = rework (a rollback
 * or a hotfix). Migration 013 indexes this exact expression with the time.
 */
export const DEPLOY_FLAGS = `((status = 'success') + 2 * (status = 'success' AND (linked_incidents > 0 OR successful_rollbacks > 0)) + 4 * (status = 'success' AND (rollback_of IS NOT NULL OR is_hotfix = 1)))`;

export function metricReads(db: Db) {
  const cache = new Map<string, Statement>();
  const prepared = (key: string, sql: () => string): Statement => {
    let statement = cache.get(key);
    if (!statement) {
      statement = db.prepare(sql());
      cache.set(key, statement);
    }
    return statement;
  };

  /**
   * Slice index of a time column among cuts[0..n-1] (rows are already within [cuts[0], cuts[n-1])),
   * as a binary search of nested CASEs: log2(n) comparisons per row instead of n. Its `?`
   * placeholders take the inner cuts in the order `innerCuts` gives.
   */
  const sliceOf = (column: string, cutCount: number): string => {
    const build = (lo: number, hi: number): string => {
      // slices lo..hi-1; the cut between slice i-1 and i is cuts[i]
      if (hi - lo <= 1) return String(lo);
      const mid = (lo + hi) >> 1;
      return `(CASE WHEN ${column} < ? THEN ${build(lo, mid)} ELSE ${build(mid, hi)} END)`;
    };
    return build(0, cutCount - 1);
  };
  const innerCuts = (cuts: readonly number[]): number[] => {
    const order: number[] = [];
    const walk = (lo: number, hi: number): void => {
      if (hi - lo <= 1) return;
      const mid = (lo + hi) >> 1;
      order.push(cuts[mid]!);
      walk(lo, mid);
      walk(mid, hi);
    };
    walk(0, cuts.length - 1);
    return order;
  };
  /**
   * A statement's rows as objects. better-sqlite3 builds each row object property by property (about
   * 2 µs a row: 40 ms for the 19k uptime samples of a large org); fetched as arrays, the same
   * objects cost a few ms.
   */
  const allRows = <Row>(statement: Statement, ...args: unknown[]): Row[] => {
    const names = statement.columns().map((column) => column.name);
    const rows: Row[] = [];
    for (const values of statement.raw(true).all(...args) as unknown[][]) {
      const row: Record<string, unknown> = {};
      for (let i = 0; i < names.length; i++) row[names[i]!] = values[i];
      rows.push(row as Row);
    }
    return rows;
  };
  const scopeSql = (column: string, services: ScopeServices): string =>
    services === null ? "" : ` AND ${column} IN (SELECT value FROM json_each(?))`;
  const scopeArgs = (services: ScopeServices): string[] => (services === null ? [] : [JSON.stringify(services)]);
  // After ANALYZE the planner may prefer a narrower index of 001 with a skip-scan and then read
  // every table row; the covering indexes of migration 002 are pinned explicitly.
  const changesIndex = (services: ScopeServices): string => `INDEXED BY ${services === null ? "changes_metrics_time" : "changes_metrics_service"}`;
  // Changes grouped by service, even org-wide: one range scan of the per-service index per service
  // (every change's service is in `services`, a foreign key) delivers the groups in order, where
  // the time index needs a temporary B-tree to group ~100k rows (about 40 % slower).
  const changesByService = (window: string, services: ScopeServices): string =>
    `INDEXED BY changes_metrics_service WHERE ${window} AND service_id IN (${services === null ? "SELECT id FROM services" : "SELECT value FROM json_each(?)"})`;
  const deploymentsIndex = (services: ScopeServices): string => `INDEXED BY ${services === null ? "deployments_metrics_time" : "deployments_metrics_service"}`;
  const key = (name: string, cuts: readonly number[], services: ScopeServices): string => `${name}:${cuts.length}:${services === null ? "org" : "scoped"}`;

  // "Caused a failure" (an incident linked to it, or a successful rollback of it): counts that
  // migration 009's triggers keep on the deployment.
  const causedFailure = "(d.linked_incidents > 0 OR d.successful_rollbacks > 0)";
  const failedSum = (withFailed: boolean): string => (withFailed ? `sum(d.status = 'success' AND ${causedFailure})` : "0");

  /**
   * Rows per (service, slice) from one statement per slice that groups by service alone, over an
   * index leading with the service (all services, or the scope's, as the IN list): the groups
   * arrive in index order. Grouping by (service, slice) in one statement needs a temporary B-tree
   * over every row of the range. The statement takes (slice, ...leading, from, to, ...scope);
   * rows come back ordered by service, then slice.
   */
  const sliceBySlice = <Row extends { service: string; slice: number }>(statement: Statement, cuts: readonly number[], leading: readonly unknown[], services: ScopeServices): Row[] => {
    const rows: Row[] = [];
    for (let slice = 0; slice + 1 < cuts.length; slice++) {
      for (const row of allRows<Row>(statement, slice, ...leading, cuts[slice], cuts[slice + 1], ...scopeArgs(services))) rows.push(row);
    }
    return rows.sort((x, y) => (x.service < y.service ? -1 : x.service > y.service ? 1 : x.slice - y.slice));
  };
  // Every service id of the data is in `services` (a foreign key for deployments and changes; the
  // store's write path registers the services of samples).
  const serviceList = (services: ScopeServices): string => (services === null ? "SELECT id FROM services" : "SELECT value FROM json_each(?)");

  /**
   * deploymentSlices org-wide: one range of the time index per slice without grouping (grouping by
   * service costs a seek per service and slice), the services and DEPLOY_FLAGS as two aligned lists,
   * tallied here. Rows come back ordered by service, then slice.
   */
  const orgDeploymentSlices = (env: string, cuts: readonly number[], withFailed: boolean): DeploymentSliceRow[] => {
    const statement = prepared("deploySlicesOrg", () => `
      SELECT group_concat(service_id, char(31)) AS services, group_concat(${DEPLOY_FLAGS}) AS flags
      FROM deployments INDEXED BY deployments_metrics_time WHERE environment = ? AND finished_at >= ? AND finished_at < ?`);
    const cells = new Map<string, DeploymentSliceRow>();
    for (let slice = 0; slice + 1 < cuts.length; slice++) {
      const lists = statement.get(env, cuts[slice], cuts[slice + 1]) as { services: string | null; flags: string | null };
      if (lists.services === null) continue;
      const services = lists.services.split("\x1f");
      const flags = parseIntegers(lists.flags!);
      for (let i = 0; i < services.length; i++) {
        const key = `${services[i]!}\x1f${slice}`;
        let cell = cells.get(key);
        if (!cell) cells.set(key, (cell = { service: services[i]!, slice, attempts: 0, n: 0, failed: 0, rework: 0 }));
        const flag = flags[i]!;
        cell.attempts++;
        cell.n += flag & 1;
        if (withFailed) cell.failed += (flag >> 1) & 1;
        cell.rework += (flag >> 2) & 1;
      }
    }
    return [...cells.values()].sort((x, y) => (x.service < y.service ? -1 : x.service > y.service ? 1 : x.slice - y.slice));
  };

  return {
    /** Successful production deployments per service and slice, with failed (caused a failure; 0 unless withFailed) and rework counts. */
    deploymentSlices(env: string, cuts: readonly number[], services: ScopeServices, withFailed = true): DeploymentSliceRow[] {
      if (services === null) return orgDeploymentSlices(env, cuts, withFailed);
      const statement = prepared(`${key("deploySlices", cuts, services)}:${withFailed}`, () => `
        SELECT d.service_id AS service, ${sliceOf("d.finished_at", cuts.length)} AS slice, count(*) AS attempts,
          sum(d.status = 'success') AS n,
          ${failedSum(withFailed)} AS failed,
          sum(d.status = 'success' AND (d.rollback_of IS NOT NULL OR d.is_hotfix = 1)) AS rework
        FROM deployments d ${deploymentsIndex(services)}
        WHERE d.environment = ? AND d.finished_at >= ? AND d.finished_at < ?${scopeSql("d.service_id", services)}
        GROUP BY 1, 2`);
      return allRows<DeploymentSliceRow>(statement, ...innerCuts(cuts), env, cuts[0], cuts[cuts.length - 1], ...scopeArgs(services));
    },

    /** Distinct local calendar days with a deployment (offsets from src/metrics/frame.ts offsetSegments). */
    deployDays(env: string, window: Window, offsets: ReadonlyArray<{ fromMs: number; offsetMs: number }>, services: ScopeServices): number[] {
      const arms = offsets.slice(1).map(() => "WHEN finished_at < ? THEN ?").join(" ");
      // better-sqlite3 binds every JS number as a REAL: without the cast, t + offset is a REAL and
      // the division keeps the time of day (one "day" per deployment).
      const offsetSql = `CAST(${offsets.length === 1 ? "?" : `CASE ${arms} ELSE ? END`} AS INTEGER)`;
      const statement = prepared(`deployDays:${offsets.length}:${services === null}`, () => `
        SELECT DISTINCT (finished_at + ${offsetSql}) / 86400000 AS day FROM deployments ${deploymentsIndex(services)}
        WHERE environment = ? AND status = 'success' AND finished_at >= ? AND finished_at < ?${scopeSql("service_id", services)}`);
      const offsetArgs: number[] = [];
      for (let i = 1; i < offsets.length; i++) offsetArgs.push(offsets[i]!.fromMs, offsets[i - 1]!.offsetMs);
      offsetArgs.push(offsets[offsets.length - 1]!.offsetMs);
      return statement.pluck().all(...offsetArgs, env, window.fromMs, window.toMs, ...scopeArgs(services)) as number[];
    },

    /** Deployments in the window that caused a failure (or were rework), with what marked them. */
    flaggedDeployments(which: "failed" | "rework", env: string, window: Window, services: ScopeServices): FailedDeploymentRow[] {
      const flagged = which === "failed" ? causedFailure : "(d.rollback_of IS NOT NULL OR d.is_hotfix = 1)";
      const statement = prepared(`flagged:${which}:${services === null}`, () => `
        SELECT d.id, d.service_id AS service, d.finished_at, d.successful_rollbacks > 0 AS rolled_back,
          d.linked_incidents AS incidents, (d.rollback_of IS NOT NULL OR d.is_hotfix = 1) AS is_rework
        FROM deployments d ${deploymentsIndex(services)}
        WHERE d.environment = ? AND d.status = 'success' AND d.finished_at >= ? AND d.finished_at < ?${scopeSql("d.service_id", services)}
          AND ${flagged}
        ORDER BY d.finished_at`);
      return allRows<FailedDeploymentRow>(statement, env, window.fromMs, window.toMs, ...scopeArgs(services));
    },

    /** Ids, link and first linked incident of a few deployments (the ones an answer lists). */
    deploymentDetails(ids: readonly number[]): DeploymentDetailRow[] {
      const statement = prepared("deploymentDetails", () => `
        SELECT d.id, d.external_id, d.url, d.sha, i.title AS incident_title, i.url AS incident_url
        FROM json_each(?) j JOIN deployments d ON d.id = j.value
        LEFT JOIN incidents i ON i.id = (SELECT id FROM incidents WHERE linked_deployment_id = d.id ORDER BY created_at LIMIT 1)`);
      return allRows<DeploymentDetailRow>(statement, JSON.stringify(ids));
    },

    /**
     * Lead-time samples per slice (and service, for a team or service), packed by SQL as one list
     * per row (one row per change costs more): each item is LEAD_CODE, read from the index
     * (migration 011).
     */
    leadTimes(cuts: readonly number[], services: ScopeServices): LeadTimeSliceRow[] {
      if (services === null) {
        // Org-wide, one range of the time index per slice without grouping (grouping by service
        // costs a seek per service and slice): codes and their services as two aligned lists.
        const statement = prepared("leadOrg", () => `
          SELECT ? AS slice, group_concat(${LEAD_CODE}) AS packed, NULL AS service, group_concat(service_id, char(31)) AS services
          FROM changes INDEXED BY changes_metrics_time WHERE first_deployed_at >= ? AND first_deployed_at < ?`);
        const rows: LeadTimeSliceRow[] = [];
        for (let slice = 0; slice + 1 < cuts.length; slice++) {
          const row = statement.get(slice, cuts[slice], cuts[slice + 1]) as LeadTimeSliceRow;
          if (row.packed !== null) rows.push(row);
        }
        return rows;
      }
      const statement = prepared(`lead:${services === null}`, () => `
        SELECT service_id AS service, ? AS slice, group_concat(${LEAD_CODE}) AS packed
        FROM changes ${changesByService("first_deployed_at >= ? AND first_deployed_at < ?", services)}
        GROUP BY service_id`);
      return sliceBySlice<LeadTimeSliceRow & { service: string }>(statement, cuts, [], services);
    },

    /**
     * Per service (or for the whole scope, as one row with service ''), each stage's summed
     * duration (ms) and how many changes shipped in the window have it: whole UTC days from
     * stage_days (migration 012), the partial days at the window's edges from the changes themselves.
     */
    leadTimeStageSums(window: Window, services: ScopeServices, byService = true): LeadTimeStageSumRow[] {
      const stages = (prefix: string) => `
        ${prefix}pr_opened_at - ${prefix}committed_at, ${prefix}pr_opened_at IS NOT NULL,
        ${prefix}pr_first_review_at - ${prefix}pr_opened_at, (${prefix}pr_first_review_at - ${prefix}pr_opened_at) IS NOT NULL,
        ${prefix}pr_merged_at - ${prefix}pr_first_review_at, (${prefix}pr_merged_at - ${prefix}pr_first_review_at) IS NOT NULL,
        ${prefix}first_deployed_at - ${prefix}pr_merged_at, ${prefix}pr_merged_at IS NOT NULL`;
      // Org-wide, an edge is one range of the time index (not one per service).
      const edge = (from: string, to: string) => `
        SELECT service_id, ${stages("")} FROM changes
        ${services === null
          ? `INDEXED BY changes_metrics_time WHERE first_deployed_at >= ${from} AND first_deployed_at < ${to}`
          : changesByService(`first_deployed_at >= ${from} AND first_deployed_at < ${to}`, services).replace("?", "@services")}`;
      const statement = prepared(`stageSums:${services === null}:${byService}`, () => `
        SELECT ${byService ? "service_id" : "''"} AS service, total(coding) AS coding, total(coding_n) AS coding_n, total(pickup) AS pickup,
          total(pickup_n) AS pickup_n, total(review) AS review, total(review_n) AS review_n, total(deploy) AS deploy, total(deploy_n) AS deploy_n
        FROM (
          SELECT service_id, coding, coding_n, pickup, pickup_n, review, review_n, deploy, deploy_n FROM stage_days
          WHERE day >= @firstDay AND day < @endDay AND changes > 0${scopeSql("service_id", services).replace("?", "@services")}
          UNION ALL ${edge("@from", "min(@firstDay, @to)")}
          UNION ALL ${edge("max(@endDay, @firstDay)", "@to")}
        )
        ${byService ? "GROUP BY 1" : ""}`);
      const firstDay = Math.ceil(window.fromMs / DAY_MS) * DAY_MS;
      const endDay = Math.floor(window.toMs / DAY_MS) * DAY_MS;
      const args: Record<string, unknown> = { from: window.fromMs, to: window.toMs, firstDay, endDay };
      if (services !== null) args["services"] = JSON.stringify(services);
      return allRows<LeadTimeStageSumRow>(statement, args);
    },

    /**
     * Each stage's median (ms) over the window: SQLite's percentile functions (linear
     * interpolation, NULLs ignored: METRICS.md's definition), so no per-change list leaves SQL.
     */
    leadTimeStages(window: Window, services: ScopeServices): LeadTimeStagesRow {
      const statement = prepared(`stages:${services === null}`, () => `
        SELECT median(pr_opened_at - committed_at) AS coding, median(pr_first_review_at - pr_opened_at) AS pickup,
          median(pr_merged_at - pr_first_review_at) AS review, median(first_deployed_at - pr_merged_at) AS deploy
        FROM changes ${changesIndex(services)}
        WHERE first_deployed_at >= ? AND first_deployed_at < ? AND first_deployed_at > committed_at${scopeSql("service_id", services)}`);
      return statement.get(window.fromMs, window.toMs, ...scopeArgs(services)) as LeadTimeStagesRow;
    },

    /**
     * Incidents per slice of `timeColumn` (resolved_at for MTTR, acknowledged_at for MTTA): count
     * and summed ms from creation (the weekly series; the windows use the incidents themselves).
     */
    incidentSlices(timeColumn: "resolved_at" | "acknowledged_at", cuts: readonly number[], services: ScopeServices): IncidentSliceRow[] {
      const statement = prepared(`incSlices:${timeColumn}:${services === null}`, () => `
        SELECT ? AS slice, count(*) AS n, total(${timeColumn} - created_at) AS ms
        FROM incidents WHERE ${timeColumn} >= ? AND ${timeColumn} < ?${scopeSql("service_id", services)}`);
      const rows: IncidentSliceRow[] = [];
      for (let slice = 0; slice + 1 < cuts.length; slice++) rows.push(statement.get(slice, cuts[slice], cuts[slice + 1], ...scopeArgs(services)) as IncidentSliceRow);
      return rows;
    },

    /**
     * The incidents themselves for [from, to) of `timeColumn` (current and previous window), each
     * column packed by SQL into one list (thousands of rows at org scope cost more as row objects
     * than as text; one list per column spares SQLite a string concatenation per row).
     */
    incidents(timeColumn: "resolved_at" | "acknowledged_at", window: Window, services: ScopeServices): IncidentRow[] {
      const statement = prepared(`inc:${timeColumn}:${services === null}`, () => `
        SELECT group_concat(id) AS ids, group_concat(created_at) AS created, group_concat(coalesce(acknowledged_at, -1)) AS acknowledged,
          group_concat(coalesce(resolved_at, -1)) AS resolved, group_concat(coalesce(linked_deployment_id, -1)) AS linked,
          group_concat(coalesce(service_id, ''), char(31)) AS services
        FROM incidents WHERE ${timeColumn} >= ? AND ${timeColumn} < ?${scopeSql("service_id", services)}`);
      const packed = statement.get(window.fromMs, window.toMs, ...scopeArgs(services)) as Record<"ids" | "created" | "acknowledged" | "resolved" | "linked" | "services", string | null>;
      if (packed.ids === null) return [];
      const [ids, created, acknowledged, resolved, linked] = [packed.ids, packed.created, packed.acknowledged, packed.resolved, packed.linked].map((list) => parseIntegers(list!));
      // Unit separators: no service id contains them; -1 stands for NULL (times and ids are positive).
      const serviceOf = packed.services!.split("\x1f");
      const orNull = (value: number): number | null => (value < 0 ? null : value);
      return Array.from(ids!, (id, i): IncidentRow => {
        const row: IncidentRow = {
          id, service: serviceOf[i] === "" ? null : serviceOf[i]!, created_at: created![i]!,
          acknowledged_at: orNull(acknowledged![i]!), resolved_at: orNull(resolved![i]!), linked_deployment_id: orNull(linked![i]!), at: 0,
        };
        row.at = (timeColumn === "resolved_at" ? row.resolved_at : row.acknowledged_at)!;
        return row;
      });
    },

    /** Titles and links of a few incidents (the drivers). */
    incidentTitles(ids: readonly number[]): IncidentTitleRow[] {
      const statement = prepared("incTitles", () => `SELECT id, title, url FROM incidents WHERE id IN (SELECT value FROM json_each(?))`);
      return allRows<IncidentTitleRow>(statement, JSON.stringify(ids));
    },

    /** Incidents still open at `atMs` (MTTR), or still waiting for an acknowledgement (MTTA). */
    openAt(kind: "unresolved" | "unacknowledged", atMs: number, services: ScopeServices): OpenIncidents {
      const waiting = kind === "unresolved" ? "" : " AND (acknowledged_at IS NULL OR acknowledged_at >= @at)";
      const statement = prepared(`open:${kind}:${services === null}`, () => `
        SELECT count(*) AS open_count, min(created_at) AS oldest_created_at FROM (
          SELECT created_at FROM incidents WHERE resolved_at IS NULL AND +created_at < @at${waiting}${scopeSql("service_id", services).replace("?", "@services")}
          UNION ALL
          SELECT created_at FROM incidents WHERE resolved_at >= @at AND +created_at < @at${waiting}${scopeSql("service_id", services).replace("?", "@services")})`);
      const args: Record<string, unknown> = { at: atMs };
      if (services !== null) args["services"] = JSON.stringify(services);
      return statement.get(args) as OpenIncidents;
    },

    /** Samples of one name in [from, to), by service and time (for time weighting). */
    timedSamples(name: string, window: Window, services: ScopeServices): TimedSampleRow[] {
      // By the primary key (service, name, time), service by service: rows arrive grouped and in order.
      const statement = prepared(`timed:${services === null}`, () => `
        SELECT service_id AS service, at, avg(value) AS value FROM samples
        WHERE name = ? AND at >= ? AND at < ? AND service_id IN (${serviceList(services)})
        GROUP BY service_id, at ORDER BY service_id, at`);
      return allRows<TimedSampleRow>(statement, name, window.fromMs, window.toMs, ...scopeArgs(services));
    },

    /**
     * Outage incidents of the given services overlapping the window (METRICS.md: outage
     * severities, or PagerDuty high urgency + priority): those resolved after it starts, by the
     * resolution index (by creation, every earlier incident would be read), and those still open.
     */
    outages(window: Window, severities: readonly string[], pagerdutyPriorities: readonly string[], services: readonly string[]): OutageRow[] {
      if (services.length === 0) return [];
      const outage = `service_id IN (SELECT value FROM json_each(@services)) AND (severity IN (SELECT value FROM json_each(@severities))
        OR (source = 'pagerduty' AND urgency = 'high' AND priority IN (SELECT value FROM json_each(@priorities))))`;
      const statement = prepared("outages", () => `
        SELECT service_id AS service, created_at, resolved_at FROM incidents INDEXED BY incidents_resolved
        WHERE resolved_at > @from AND created_at < @to AND ${outage}
        UNION ALL
        SELECT service_id, created_at, resolved_at FROM incidents INDEXED BY incidents_open
        WHERE resolved_at IS NULL AND created_at < @to AND ${outage}
        ORDER BY 1, 2`);
      return allRows<OutageRow>(statement, {
        from: window.fromMs, to: window.toMs, services: JSON.stringify(services),
        severities: JSON.stringify(severities), priorities: JSON.stringify(pagerdutyPriorities),
      });
    },

    /** Latency P95 samples per service and slice: request-weighted sums where requests are known, plain otherwise. */
    latencySlices(cuts: readonly number[], services: ScopeServices): LatencySliceRow[] {
      // Each P95 sample is paired with the requests of its service, time and source (sample_points, migration 010).
      const statement = prepared(`latency:${services === null}`, () => `
        SELECT service_id AS service, ? AS slice, count(*) AS n,
          total(CASE WHEN requests > 0 THEN latency_p95_ms * requests END) AS weighted, total(CASE WHEN requests > 0 THEN requests END) AS weight,
          total(latency_p95_ms) AS sum, sum(NOT coalesce(requests > 0, 0)) AS unweighted
        FROM sample_points
        WHERE at >= ? AND at < ? AND latency_p95_ms IS NOT NULL AND service_id IN (${serviceList(services)})
        GROUP BY service_id`);
      return sliceBySlice<LatencySliceRow>(statement, cuts, [], services);
    },

    /**
     * Error and request counts per service and slice (errors paired with the requests of the same
     * service, time and source); pre-computed rates weighted by those requests, or plain when a
     * rate has no request count.
     */
    errorSlices(cuts: readonly number[], services: ScopeServices): ErrorSliceRow[] {
      const paired = "requests IS NOT NULL AND (errors IS NOT NULL OR error_rate_pct IS NOT NULL)";
      const alone = "error_rate_pct IS NOT NULL AND requests IS NULL";
      const statement = prepared(`errors:${services === null}`, () => `
        SELECT service_id AS service, ? AS slice, count(*) AS n,
          total(CASE WHEN ${paired} THEN errors END) AS errors,
          total(CASE WHEN ${paired} AND errors IS NOT NULL THEN requests END) AS requests,
          total(CASE WHEN ${paired} AND errors IS NULL THEN error_rate_pct * requests END) AS rate_weighted,
          total(CASE WHEN ${paired} AND errors IS NULL THEN requests END) AS rate_requests,
          total(CASE WHEN ${alone} THEN error_rate_pct END) AS rate_sum,
          sum(${alone}) AS rate_plain
        FROM sample_points
        WHERE at >= ? AND at < ? AND ((${paired}) OR (${alone})) AND service_id IN (${serviceList(services)})
        GROUP BY service_id`);
      return sliceBySlice<ErrorSliceRow>(statement, cuts, [], services);
    },

    /** Samples of a level (coverage, debt) in the window, plus each service's last one before it. */
    levelSamples(name: string, window: Window, services: ScopeServices): LevelSampleRow[] {
      const statement = prepared(`levels:${services === null}`, () => `
        SELECT service_id AS service, max(at) AS at, value FROM samples
        WHERE name = @name AND at < @from AND service_id <> ''${scopeSql("service_id", services).replace("?", "@services")} GROUP BY service_id
        UNION ALL
        SELECT service_id AS service, at, avg(value) AS value FROM samples
        WHERE name = @name AND at >= @from AND at < @to AND service_id <> ''${scopeSql("service_id", services).replace("?", "@services")} GROUP BY 1, 2
        ORDER BY 1, 2`);
      const args: Record<string, unknown> = { name, from: window.fromMs, to: window.toMs };
      if (services !== null) args["services"] = JSON.stringify(services);
      return allRows<LevelSampleRow>(statement, args);
    },

    /** Σ value and count per service and slice ('' = organisation-wide, e.g. untagged cost). */
    sumSlices(name: string, cuts: readonly number[], services: ScopeServices, includeOrgWide: boolean): SumSliceRow[] {
      const statement = prepared(key(`sums:${includeOrgWide}`, cuts, services), () => `
        SELECT service_id AS service, ${sliceOf("at", cuts.length)} AS slice, total(value) AS total, count(*) AS n
        FROM samples WHERE name = ? AND at >= ? AND at < ?
          AND (${services === null ? "1" : "service_id IN (SELECT value FROM json_each(?))"}${includeOrgWide ? ` OR service_id = '${ORG_SAMPLE_SERVICE}'` : ""})
        GROUP BY 1, 2`);
      return allRows<SumSliceRow>(statement, ...innerCuts(cuts), name, cuts[0], cuts[cuts.length - 1], ...scopeArgs(services));
    },

    /** Σ value per slice over every service-tagged sample (the denominator of untagged cost sharing). */
    taggedTotals(name: string, cuts: readonly number[]): Array<{ slice: number; total: number }> {
      const statement = prepared(key(`tagged`, cuts, null), () => `
        SELECT ${sliceOf("at", cuts.length)} AS slice, total(value) AS total
        FROM samples WHERE name = ? AND at >= ? AND at < ? AND service_id <> '' GROUP BY 1`);
      return allRows<{ slice: number; total: number }>(statement, ...innerCuts(cuts), name, cuts[0], cuts[cuts.length - 1]);
    },

    /** Annotations in the window that concern the scope (its services, its team, or everyone). */
    annotations(window: Window, services: ScopeServices, team: string | null): AnnotationReadRow[] {
      const statement = prepared(`annotations:${services === null}`, () => `
        SELECT at, text, service_id, team_id FROM annotations WHERE at >= ? AND at < ?
        ${services === null ? "" : "AND (service_id IN (SELECT value FROM json_each(?)) OR (service_id IS NULL AND (team_id IS NULL OR team_id = ?)))"}
        ORDER BY at`);
      const args = services === null ? [] : [JSON.stringify(services), team];
      return allRows<AnnotationReadRow>(statement, window.fromMs, window.toMs, ...args);
    },

    /** Services that have any data (the catalog plus what imports created). */
    knownServices(): string[] {
      return prepared("services", () => `SELECT id FROM services ORDER BY id`).pluck().all() as string[];
    },
  };
}

export type MetricReads = ReturnType<typeof metricReads>;
