import { DAY_MS, type Window } from "../domain/scope.js";
import { STAGE_DAYS } from "./derived/definitions.js";
import { parseIntegers } from "./packed-list.js";
import type { DeploymentDetailRow, DeploymentSliceRow, FailedDeploymentRow, LeadTimeSliceRow, LeadTimeStageSumRow, LeadTimeStagesRow } from "./rows.js";
import { all, column, get, type Sql } from "./sql/query.js";
import { byServiceThenSlice, summedColumns, type ReadKit, type ScopeServices } from "./read-sql.js";

// Deployments and changes: deployment counts per slice, deploy days, the deployments that failed or
// were rework, lead-time samples and stage figures (docs/metrics.md "Delivery"). "Caused a failure",
// "rework", lead seconds and the PR-size bucket are columns the store derives once
// (src/store/derived/definitions.ts); the reads take them from the covering indexes.

/**
 * SQL transport only, decoded below: one small integer per deployment (1 = successful, + 2 = caused
 * a failure, + 4 = rework), and per change lead seconds × 8 + PR-size bucket (−1: lead ≤ 0), so
 * that an org-wide range comes back as one list instead of thousands of row objects.
 */
const DEPLOY_CODE = "(CASE WHEN status = 'success' THEN 1 ELSE 0 END + 2 * caused_failure + 4 * is_rework)";
const LEAD_CODE = "coalesce(lead_seconds * 8 + pr_size_bucket, -1)";

/** A list of LEAD_CODE items (and, org-wide, their services) as a decoded lead-time row. */
function decodeLeadTimes(slice: number, codes: string, service: string | null, serviceList: string | null): LeadTimeSliceRow {
  const values = parseIntegers(codes);
  const all = serviceList === null ? null : serviceList.split("\x1f");
  const leadSeconds = new Float64Array(values.length);
  const bucket = new Uint8Array(values.length);
  let k = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (value < 0) continue;
    const b = value % 8;
    leadSeconds[k] = (value - b) / 8;
    bucket[k++] = b;
  }
  // Services of the samples kept (the whole list when none was excluded, the common case).
  const services = all === null || k === values.length ? all : all.filter((_, i) => values[i]! >= 0);
  return { slice, service, services, leadSeconds: leadSeconds.subarray(0, k), bucket: bucket.subarray(0, k), excluded: values.length - k };
}

const STAGE_COLUMNS = ["coding", "coding_n", "pickup", "pickup_n", "review", "review_n", "deploy", "deploy_n"] as const;

export function deliveryReadOps(kit: ReadKit) {
  const { d, text, sliceOf, innerCuts, scopeSql, scopeArgs, changesIndex, changesByService, deploymentsIndex, key, sliceBySlice } = kit;

  const failedSum = (withFailed: boolean): string => (withFailed ? "sum(d.caused_failure)" : "0");
  // The order SQLite's time indexes deliver rows in (migration 015), for the lists PostgreSQL packs:
  // two lists of one statement line up, and lead-time samples come in the same order on both.
  const deploymentTimeOrder = `finished_at, status, ${d.textOrder("service_id")}, caused_failure, is_rework, id`;
  // Changes that tie on these columns pack the same code and service, so the lists need no
  // further tie-break: none that takes PostgreSQL off the covering index (the id) or lengthens its sort.
  const changeOrder = "first_deployed_at, lead_seconds NULLS FIRST, pr_size_bucket NULLS FIRST";
  const changeTimeOrder = `${changeOrder}, ${d.textOrder("service_id")}`;
  const changeServiceOrder = changeOrder;

  const orgDeploymentSlicesSql = `
      SELECT ${d.packed("service_id", "\x1f", deploymentTimeOrder)} AS services, ${d.packed(DEPLOY_CODE, ",", deploymentTimeOrder)} AS flags
      FROM deployments ${d.indexedBy("deployments_metrics_time")} WHERE environment = ? AND finished_at >= ? AND finished_at < ?`;
  /**
   * deploymentSlices org-wide: one range of the time index per slice without grouping (grouping by
   * service costs a seek per service and slice), the services and DEPLOY_CODE as two aligned lists,
   * tallied here. Rows come back ordered by service, then slice.
   */
  function* orgDeploymentSlices(env: string, cuts: readonly number[], withFailed: boolean): Sql<DeploymentSliceRow[]> {
    const cells = new Map<string, DeploymentSliceRow>();
    for (let slice = 0; slice + 1 < cuts.length; slice++) {
      const lists = (yield* get<{ services: string | null; flags: string | null }>(orgDeploymentSlicesSql, [env, cuts[slice], cuts[slice + 1]]))!;
      if (lists.services === null) continue;
      const services = lists.services.split("\x1f");
      const flags = parseIntegers(lists.flags!);
      for (let i = 0; i < services.length; i++) {
        const cellKey = `${services[i]!}\x1f${slice}`;
        let cell = cells.get(cellKey);
        if (!cell) cells.set(cellKey, (cell = { service: services[i]!, slice, attempts: 0, n: 0, failed: 0, rework: 0 }));
        const flag = flags[i]!;
        cell.attempts++;
        cell.n += flag & 1;
        if (withFailed) cell.failed += (flag >> 1) & 1;
        cell.rework += (flag >> 2) & 1;
      }
    }
    return [...cells.values()].sort(byServiceThenSlice);
  }

  // better-sqlite3 binds every JS number as a REAL: without the cast, t + offset is a REAL and the
  // division keeps the time of day (one "day" per deployment).
  const offsetSql = (count: number): string =>
    `CAST(${count === 1 ? "?" : `CASE ${Array.from({ length: count - 1 }, () => "WHEN finished_at < ? THEN ?").join(" ")} ELSE ? END`} AS bigint)`;
  const offsetArgs = (offsets: ReadonlyArray<{ fromMs: number; offsetMs: number }>): number[] => {
    const args: number[] = [];
    for (let i = 1; i < offsets.length; i++) args.push(offsets[i]!.fromMs, offsets[i - 1]!.offsetMs);
    args.push(offsets[offsets.length - 1]!.offsetMs);
    return args;
  };
  const byNumber = (x: number, y: number): number => x - y;

  const flaggedSql = (which: "failed" | "rework", services: ScopeServices): string => `
        SELECT d.id, d.service_id AS service, d.finished_at, d.caused_failure, CASE WHEN d.successful_rollbacks > 0 THEN 1 ELSE 0 END AS rolled_back,
          d.linked_incidents AS incidents, d.is_rework,
          (SELECT count(*) FROM incidents i WHERE i.linked_deployment_id = d.id AND i.link_rule = 'manual') AS confirmed,
          (SELECT count(*) FROM incidents i WHERE i.linked_deployment_id = d.id AND i.link_rule = 'explicit') AS explicit,
          (SELECT count(*) FROM incidents i WHERE i.linked_deployment_id = d.id AND i.link_rule = 'heuristic') AS heuristic
        FROM deployments d ${deploymentsIndex(services)}
        WHERE d.environment = ? AND d.status = 'success' AND d.finished_at >= ? AND d.finished_at < ?${scopeSql("d.service_id", services)}
          AND ${which === "failed" ? "d.caused_failure = 1" : "d.is_rework = 1"}
        ORDER BY d.finished_at${d.indexOrder(`${d.textOrder("d.service_id")}, d.caused_failure, d.is_rework, d.id`)}`;
  const deploymentDetailsSql = `
        SELECT d.id, d.external_id, d.url, d.sha, i.title AS incident_title, i.url AS incident_url
        FROM (${d.integerList()}) j JOIN deployments d ON d.id = j.value
        LEFT JOIN incidents i ON i.id = (SELECT id FROM incidents WHERE linked_deployment_id = d.id ORDER BY created_at${d.indexOrder("id")} LIMIT 1)`;
  const leadOrgSql = `
          SELECT ${d.packed(LEAD_CODE, ",", changeTimeOrder)} AS codes, ${d.packed("service_id", "\x1f", changeTimeOrder)} AS services
          FROM changes ${d.indexedBy("changes_metrics_time")} WHERE first_deployed_at >= ? AND first_deployed_at < ?`;
  // PostgreSQL: every slice's lists from one statement (a round trip and an executor start per slice spared).
  const leadOrgSlicesSql = (cutCount: number): string => `
          SELECT ${sliceOf("first_deployed_at", cutCount)} AS slice, ${d.packed(LEAD_CODE, ",", changeTimeOrder)} AS codes,
            ${d.packed("service_id", "\x1f", changeTimeOrder)} AS services
          FROM changes WHERE first_deployed_at >= ? AND first_deployed_at < ? GROUP BY 1 ORDER BY 1`;
  const leadSql = (services: ScopeServices): string => `
        SELECT service_id AS service, CAST(? AS bigint) AS slice, ${d.packed(LEAD_CODE, ",", changeServiceOrder)} AS codes
        FROM changes ${changesByService("first_deployed_at >= ? AND first_deployed_at < ?", services)}
        GROUP BY service_id`;
  const stageSumsSql = (services: ScopeServices, byService: boolean): string => {
    // The partial days at the edges: STAGE_DAYS's own SELECT over the changes of the edge (org-wide,
    // one range of the time index, not one per service), so the stage spans are defined once.
    const edge = (from: string, to: string) => `
        SELECT service_id, coding, coding_n, pickup, pickup_n, review, review_n, deploy, deploy_n FROM (${STAGE_DAYS.select(`(
          SELECT * FROM changes
          ${services === null
            ? `${d.indexedBy("changes_metrics_time")} WHERE first_deployed_at >= ${from} AND first_deployed_at < ${to}`
            : changesByService(`first_deployed_at >= ${from} AND first_deployed_at < ${to}`, services, "@services")}) AS c`)}) AS edge`;
    return `
        SELECT ${byService ? "service_id" : "''"} AS service, ${STAGE_COLUMNS.map((c) => `${d.summed(c)} AS ${c}`).join(", ")}
        FROM (
          SELECT service_id, coding, coding_n, pickup, pickup_n, review, review_n, deploy, deploy_n FROM stage_days
          WHERE day >= @firstDay AND day < @endDay AND changes > 0${scopeSql("service_id", services, "@services")}
          UNION ALL ${edge("@from", "@firstEdgeEnd")}
          UNION ALL ${edge("@lastEdgeStart", "@to")}
        ) AS parts
        ${byService ? "GROUP BY 1" : ""}`;
  };
  const negative = (a: string, b: string): string => `coalesce(sum(CASE WHEN ${a} < ${b} THEN 1 ELSE 0 END), 0)`;
  const stagesSql = (services: ScopeServices): string => `
        SELECT ${d.median("CASE WHEN pr_opened_at >= committed_at THEN pr_opened_at - committed_at END")} AS coding,
          ${d.median("CASE WHEN pr_first_review_at >= pr_opened_at THEN pr_first_review_at - pr_opened_at END")} AS pickup,
          ${d.median("CASE WHEN pr_merged_at >= pr_first_review_at THEN pr_merged_at - pr_first_review_at END")} AS review,
          ${d.median("CASE WHEN first_deployed_at >= pr_merged_at THEN first_deployed_at - pr_merged_at END")} AS deploy,
          ${negative("pr_opened_at", "committed_at")} + ${negative("pr_first_review_at", "pr_opened_at")}
            + ${negative("pr_merged_at", "pr_first_review_at")} + ${negative("first_deployed_at", "pr_merged_at")} AS negative_spans
        FROM changes ${changesIndex(services)}
        WHERE first_deployed_at >= ? AND first_deployed_at < ? AND lead_seconds IS NOT NULL${scopeSql("service_id", services)}`;

  return {
    /** Successful production deployments per service and slice, with failed (caused a failure; 0 unless withFailed) and rework counts. */
    *deploymentSlices(env: string, cuts: readonly number[], services: ScopeServices, withFailed = true): Sql<DeploymentSliceRow[]> {
      // PostgreSQL groups the org's range in one statement (a hash aggregate): the slice-by-slice
      // lists spare SQLite's B-tree grouping, and would cost it a round trip and a sort per slice.
      if (services === null && d.name === "sqlite") return yield* orgDeploymentSlices(env, cuts, withFailed);
      const statement = text(`${key("deploySlices", cuts, services)}:${withFailed}`, () => `
        SELECT d.service_id AS service, ${sliceOf("d.finished_at", cuts.length)} AS slice, count(*) AS attempts,
          sum(CASE WHEN d.status = 'success' THEN 1 ELSE 0 END) AS n,
          ${failedSum(withFailed)} AS failed,
          sum(d.is_rework) AS rework
        FROM deployments d ${deploymentsIndex(services)}
        WHERE d.environment = ? AND d.finished_at >= ? AND d.finished_at < ?${scopeSql("d.service_id", services)}
        GROUP BY 1, 2`);
      // SQLite's grouping already delivers this order; PostgreSQL's hash aggregate does not.
      return (yield* all<DeploymentSliceRow>(statement, [...innerCuts(cuts), env, cuts[0], cuts[cuts.length - 1], ...scopeArgs(services)])).sort(byServiceThenSlice);
    },

    /** Distinct local calendar days with a deployment, ascending (offsets from src/metrics/frame.ts offsetSegments). */
    *deployDays(env: string, window: Window, offsets: ReadonlyArray<{ fromMs: number; offsetMs: number }>, services: ScopeServices): Sql<number[]> {
      const statement = text(`deployDays:${offsets.length}:${services === null}`, () => `
        SELECT DISTINCT (finished_at + ${offsetSql(offsets.length)}) / 86400000 AS day FROM deployments ${deploymentsIndex(services)}
        WHERE environment = ? AND status = 'success' AND finished_at >= ? AND finished_at < ?${scopeSql("service_id", services)}`);
      // Sorted here: DISTINCT leaves the order to the engine's plan.
      return (yield* column<number>(statement, [...offsetArgs(offsets), env, window.fromMs, window.toMs, ...scopeArgs(services)])).sort(byNumber);
    },

    /** Successful deployments per local calendar day of the window, by day (the base rate of weekday findings). */
    *deployDayCounts(env: string, window: Window, offsets: ReadonlyArray<{ fromMs: number; offsetMs: number }>, services: ScopeServices): Sql<Array<{ day: number; n: number }>> {
      const statement = text(`deployDayCounts:${offsets.length}:${services === null}`, () => `
        SELECT (finished_at + ${offsetSql(offsets.length)}) / 86400000 AS day, count(*) AS n FROM deployments ${deploymentsIndex(services)}
        WHERE environment = ? AND status = 'success' AND finished_at >= ? AND finished_at < ?${scopeSql("service_id", services)}
        GROUP BY 1`);
      const rows = yield* all<{ day: number; n: number }>(statement, [...offsetArgs(offsets), env, window.fromMs, window.toMs, ...scopeArgs(services)]);
      return rows.sort((x, y) => x.day - y.day);
    },

    /** Deployments in the window that caused a failure (or were rework), with what marked them. */
    *flaggedDeployments(which: "failed" | "rework", env: string, window: Window, services: ScopeServices): Sql<FailedDeploymentRow[]> {
      const statement = text(`flagged:${which}:${services === null}`, () => flaggedSql(which, services));
      return yield* all<FailedDeploymentRow>(statement, [env, window.fromMs, window.toMs, ...scopeArgs(services)]);
    },

    /** Ids, link and first linked incident of a few deployments (the ones an answer lists), in the order of `ids`. */
    *deploymentDetails(ids: readonly number[]): Sql<DeploymentDetailRow[]> {
      const rows = yield* all<DeploymentDetailRow>(deploymentDetailsSql, [JSON.stringify(ids)]);
      // SQLite joins in the list's order; PostgreSQL may hash-join: put them back in that order.
      const position = new Map<number, number>();
      ids.forEach((id, i) => { if (!position.has(id)) position.set(id, i); });
      return rows.sort((x, y) => position.get(x.id)! - position.get(y.id)!);
    },

    /**
     * Lead-time samples per slice (and service, for a team or service), decoded: SQL sends one
     * LEAD_CODE list per row from the covering index (one row per change costs more).
     */
    *leadTimes(cuts: readonly number[], services: ScopeServices): Sql<LeadTimeSliceRow[]> {
      const rows: LeadTimeSliceRow[] = [];
      if (services === null && d.name === "postgres") {
        const statement = text(key("leadOrgSlices", cuts, null), () => leadOrgSlicesSql(cuts.length));
        for (const row of yield* all<{ slice: number; codes: string; services: string }>(statement, [...innerCuts(cuts), cuts[0], cuts[cuts.length - 1]])) {
          rows.push(decodeLeadTimes(row.slice, row.codes, null, row.services));
        }
        return rows;
      }
      if (services === null) {
        // Org-wide, one range of the time index per slice without grouping (grouping by service
        // costs a seek per service and slice): codes and their services as two aligned lists.
        for (let slice = 0; slice + 1 < cuts.length; slice++) {
          const lists = (yield* get<{ codes: string | null; services: string | null }>(leadOrgSql, [cuts[slice], cuts[slice + 1]]))!;
          if (lists.codes !== null) rows.push(decodeLeadTimes(slice, lists.codes, null, lists.services));
        }
        return rows;
      }
      const statement = text("lead:scoped", () => leadSql(services));
      for (const row of yield* sliceBySlice<{ service: string; slice: number; codes: string }>(statement, cuts, [], services)) {
        rows.push(decodeLeadTimes(row.slice, row.codes, row.service, null));
      }
      return rows;
    },

    /**
     * Per service (or for the whole scope, as one row with service ''), each stage's summed
     * duration (ms) and how many changes shipped in the window have it: whole UTC days from
     * stage_days (src/store/derived/definitions.ts), the partial days at the window's edges from the changes themselves.
     */
    *leadTimeStageSums(window: Window, services: ScopeServices, byService = true): Sql<LeadTimeStageSumRow[]> {
      const statement = text(`stageSums:${services === null}:${byService}`, () => stageSumsSql(services, byService));
      const firstDay = Math.ceil(window.fromMs / DAY_MS) * DAY_MS;
      const endDay = Math.floor(window.toMs / DAY_MS) * DAY_MS;
      const args: Record<string, unknown> = {
        from: window.fromMs, to: window.toMs, firstDay, endDay,
        firstEdgeEnd: Math.min(firstDay, window.toMs), lastEdgeStart: Math.max(endDay, firstDay),
      };
      if (services !== null) args["services"] = JSON.stringify(services);
      const rows = summedColumns(yield* all<LeadTimeStageSumRow>(statement, args), STAGE_COLUMNS);
      return byService ? rows.sort((x, y) => (x.service < y.service ? -1 : x.service > y.service ? 1 : 0)) : rows;
    },

    /**
     * Each stage's median (ms) over the window: the engine's percentile function (linear
     * interpolation, NULLs ignored: docs/metrics.md's definition), so no per-change list leaves SQL.
     */
    *leadTimeStages(window: Window, services: ScopeServices): Sql<LeadTimeStagesRow> {
      const statement = text(`stages:${services === null}`, () => stagesSql(services));
      return (yield* get<LeadTimeStagesRow>(statement, [window.fromMs, window.toMs, ...scopeArgs(services)]))!;
    },
  };
}
