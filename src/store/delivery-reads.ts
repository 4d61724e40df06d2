import { DAY_MS, type Window } from "../domain/scope.js";
import { STAGE_DAYS } from "./derived/definitions.js";
import { parseIntegers } from "./packed-list.js";
import type { DeploymentDetailRow, DeploymentSliceRow, FailedDeploymentRow, LeadTimeSliceRow, LeadTimeStageSumRow, LeadTimeStagesRow } from "./rows.js";
import type { ReadSql, ScopeServices } from "./read-sql.js";

// Deployments and changes: deployment counts per slice, deploy days, the deployments that failed or
// were rework, lead-time samples and stage figures (docs/metrics.md "Delivery"). "Caused a failure",
// "rework", lead seconds and the PR-size bucket are columns the store derives once
// (src/store/derived/definitions.ts); the reads take them from the covering indexes.

/**
 * SQL transport only, decoded below: one small integer per deployment (1 = successful, + 2 = caused
 * a failure, + 4 = rework), and per change lead seconds × 8 + PR-size bucket (−1: lead ≤ 0), so
 * that an org-wide range comes back as one list instead of thousands of row objects.
 */
const DEPLOY_CODE = "((status = 'success') + 2 * caused_failure + 4 * is_rework)";
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

export function deliveryReads(kit: ReadSql) {
  const { prepared, sliceOf, innerCuts, allRows, scopeSql, scopeArgs, changesIndex, changesByService, deploymentsIndex, key, sliceBySlice } = kit;

  const failedSum = (withFailed: boolean): string => (withFailed ? "sum(d.caused_failure)" : "0");

  /**
   * deploymentSlices org-wide: one range of the time index per slice without grouping (grouping by
   * service costs a seek per service and slice), the services and DEPLOY_CODE as two aligned lists,
   * tallied here. Rows come back ordered by service, then slice.
   */
  const orgDeploymentSlices = (env: string, cuts: readonly number[], withFailed: boolean): DeploymentSliceRow[] => {
    const statement = prepared("deploySlicesOrg", () => `
      SELECT group_concat(service_id, char(31)) AS services, group_concat(${DEPLOY_CODE}) AS flags
      FROM deployments INDEXED BY deployments_metrics_time WHERE environment = ? AND finished_at >= ? AND finished_at < ?`);
    const cells = new Map<string, DeploymentSliceRow>();
    for (let slice = 0; slice + 1 < cuts.length; slice++) {
      const lists = statement.get(env, cuts[slice], cuts[slice + 1]) as { services: string | null; flags: string | null };
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
          sum(d.is_rework) AS rework
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

    /** Successful deployments per local calendar day of the window (the base rate of weekday findings). */
    deployDayCounts(env: string, window: Window, offsets: ReadonlyArray<{ fromMs: number; offsetMs: number }>, services: ScopeServices): Array<{ day: number; n: number }> {
      const arms = offsets.slice(1).map(() => "WHEN finished_at < ? THEN ?").join(" ");
      const offsetSql = `CAST(${offsets.length === 1 ? "?" : `CASE ${arms} ELSE ? END`} AS INTEGER)`;
      const statement = prepared(`deployDayCounts:${offsets.length}:${services === null}`, () => `
        SELECT (finished_at + ${offsetSql}) / 86400000 AS day, count(*) AS n FROM deployments ${deploymentsIndex(services)}
        WHERE environment = ? AND status = 'success' AND finished_at >= ? AND finished_at < ?${scopeSql("service_id", services)}
        GROUP BY 1`);
      const offsetArgs: number[] = [];
      for (let i = 1; i < offsets.length; i++) offsetArgs.push(offsets[i]!.fromMs, offsets[i - 1]!.offsetMs);
      offsetArgs.push(offsets[offsets.length - 1]!.offsetMs);
      return allRows<{ day: number; n: number }>(statement, ...offsetArgs, env, window.fromMs, window.toMs, ...scopeArgs(services));
    },

    /** Deployments in the window that caused a failure (or were rework), with what marked them. */
    flaggedDeployments(which: "failed" | "rework", env: string, window: Window, services: ScopeServices): FailedDeploymentRow[] {
      const flagged = which === "failed" ? "d.caused_failure = 1" : "d.is_rework = 1";
      const statement = prepared(`flagged:${which}:${services === null}`, () => `
        SELECT d.id, d.service_id AS service, d.finished_at, d.caused_failure, d.successful_rollbacks > 0 AS rolled_back,
          d.linked_incidents AS incidents, d.is_rework,
          (SELECT count(*) FROM incidents i WHERE i.linked_deployment_id = d.id AND i.link_rule = 'manual') AS confirmed,
          (SELECT count(*) FROM incidents i WHERE i.linked_deployment_id = d.id AND i.link_rule = 'explicit') AS explicit,
          (SELECT count(*) FROM incidents i WHERE i.linked_deployment_id = d.id AND i.link_rule = 'heuristic') AS heuristic
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
     * Lead-time samples per slice (and service, for a team or service), decoded: SQL sends one
     * LEAD_CODE list per row from the covering index (one row per change costs more).
     */
    leadTimes(cuts: readonly number[], services: ScopeServices): LeadTimeSliceRow[] {
      const rows: LeadTimeSliceRow[] = [];
      if (services === null) {
        // Org-wide, one range of the time index per slice without grouping (grouping by service
        // costs a seek per service and slice): codes and their services as two aligned lists.
        const statement = prepared("leadOrg", () => `
          SELECT group_concat(${LEAD_CODE}) AS codes, group_concat(service_id, char(31)) AS services
          FROM changes INDEXED BY changes_metrics_time WHERE first_deployed_at >= ? AND first_deployed_at < ?`);
        for (let slice = 0; slice + 1 < cuts.length; slice++) {
          const lists = statement.get(cuts[slice], cuts[slice + 1]) as { codes: string | null; services: string | null };
          if (lists.codes !== null) rows.push(decodeLeadTimes(slice, lists.codes, null, lists.services));
        }
        return rows;
      }
      const statement = prepared(`lead:${services === null}`, () => `
        SELECT service_id AS service, ? AS slice, group_concat(${LEAD_CODE}) AS codes
        FROM changes ${changesByService("first_deployed_at >= ? AND first_deployed_at < ?", services)}
        GROUP BY service_id`);
      for (const row of sliceBySlice<{ service: string; slice: number; codes: string }>(statement, cuts, [], services)) {
        rows.push(decodeLeadTimes(row.slice, row.codes, row.service, null));
      }
      return rows;
    },

    /**
     * Per service (or for the whole scope, as one row with service ''), each stage's summed
     * duration (ms) and how many changes shipped in the window have it: whole UTC days from
     * stage_days (src/store/derived/definitions.ts), the partial days at the window's edges from the changes themselves.
     */
    leadTimeStageSums(window: Window, services: ScopeServices, byService = true): LeadTimeStageSumRow[] {
      // The partial days at the edges: STAGE_DAYS's own SELECT over the changes of the edge (org-wide,
      // one range of the time index, not one per service), so the stage spans are defined once.
      const edge = (from: string, to: string) => `
        SELECT service_id, coding, coding_n, pickup, pickup_n, review, review_n, deploy, deploy_n FROM (${STAGE_DAYS.select(`(
          SELECT * FROM changes
          ${services === null
            ? `INDEXED BY changes_metrics_time WHERE first_deployed_at >= ${from} AND first_deployed_at < ${to}`
            : changesByService(`first_deployed_at >= ${from} AND first_deployed_at < ${to}`, services).replace("?", "@services")}) AS c`)})`;
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
     * interpolation, NULLs ignored: docs/metrics.md's definition), so no per-change list leaves SQL.
     */
    leadTimeStages(window: Window, services: ScopeServices): LeadTimeStagesRow {
      const statement = prepared(`stages:${services === null}`, () => `
        SELECT median(CASE WHEN pr_opened_at >= committed_at THEN pr_opened_at - committed_at END) AS coding,
          median(CASE WHEN pr_first_review_at >= pr_opened_at THEN pr_first_review_at - pr_opened_at END) AS pickup,
          median(CASE WHEN pr_merged_at >= pr_first_review_at THEN pr_merged_at - pr_first_review_at END) AS review,
          median(CASE WHEN first_deployed_at >= pr_merged_at THEN first_deployed_at - pr_merged_at END) AS deploy,
          coalesce(sum(pr_opened_at < committed_at), 0) + coalesce(sum(pr_first_review_at < pr_opened_at), 0)
            + coalesce(sum(pr_merged_at < pr_first_review_at), 0) + coalesce(sum(first_deployed_at < pr_merged_at), 0) AS negative_spans
        FROM changes ${changesIndex(services)}
        WHERE first_deployed_at >= ? AND first_deployed_at < ? AND lead_seconds IS NOT NULL${scopeSql("service_id", services)}`);
      return statement.get(window.fromMs, window.toMs, ...scopeArgs(services)) as LeadTimeStagesRow;
    },
  };
}
