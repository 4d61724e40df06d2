import type { Window } from "../domain/scope.js";
import type { ErrorSliceRow, LatencySliceRow, LevelSampleRow, SumSliceRow, TimedSampleRow } from "./rows.js";
import { ORG_SAMPLE_SERVICE } from "./samples.js";
import { averagedColumns, byServiceThenSlice, summedColumns, type ReadKit, type ScopeServices } from "./read-sql.js";
import { all, type Sql } from "./sql/query.js";

// Pushed and scraped samples: availability, latency, errors, levels (coverage, debt) and sums (cost, users).

export function sampleReadOps(kit: ReadKit) {
  const { d, text, sliceOf, innerCuts, scopeSql, scopeArgs, key, sliceBySlice, serviceList } = kit;
  const timedSql = (services: ScopeServices): string => `
        SELECT service_id AS service, at, ${d.averaged("value")} AS value FROM samples
        WHERE name = ? AND at >= ? AND at < ? AND ${d.inList("service_id", serviceList(services))}
        GROUP BY service_id, at ORDER BY ${d.textOrder("service_id")}, at`;
  const latencySql = (services: ScopeServices): string => `
        SELECT service_id AS service, CAST(? AS bigint) AS slice, count(*) AS n,
          ${d.summed("CASE WHEN requests > 0 THEN latency_p95_ms * requests END")} AS weighted, ${d.summed("CASE WHEN requests > 0 THEN requests END")} AS weight,
          ${d.summed("latency_p95_ms")} AS sum, ${d.summed("latency_p95_ms * latency_p95_ms")} AS sum_squares, sum(CASE WHEN requests > 0 THEN 0 ELSE 1 END) AS unweighted
        FROM sample_points
        WHERE at >= ? AND at < ? AND latency_p95_ms IS NOT NULL AND ${d.inList("service_id", serviceList(services))}
        GROUP BY service_id`;
  const paired = "requests IS NOT NULL AND (errors IS NOT NULL OR error_rate_pct IS NOT NULL)";
  const alone = "error_rate_pct IS NOT NULL AND requests IS NULL";
  const errorsSql = (services: ScopeServices): string => `
        SELECT service_id AS service, CAST(? AS bigint) AS slice, count(*) AS n,
          ${d.summed(`CASE WHEN ${paired} THEN errors END`)} AS errors,
          ${d.summed(`CASE WHEN ${paired} AND errors IS NOT NULL THEN requests END`)} AS requests,
          ${d.summed(`CASE WHEN ${paired} AND errors IS NULL THEN error_rate_pct * requests END`)} AS rate_weighted,
          ${d.summed(`CASE WHEN ${paired} AND errors IS NULL THEN requests END`)} AS rate_requests,
          ${d.summed(`CASE WHEN ${alone} THEN error_rate_pct END`)} AS rate_sum,
          sum(CASE WHEN ${alone} THEN 1 ELSE 0 END) AS rate_plain
        FROM sample_points
        WHERE at >= ? AND at < ? AND ((${paired}) OR (${alone})) AND ${d.inList("service_id", serviceList(services))}
        GROUP BY service_id`;
  const levelsSql = (services: ScopeServices): string => {
    const scope = scopeSql("service_id", services, "@services");
    // Each service's last sample before the window: SQLite takes the bare `value` from the first row
    // of max(at) it groups: of two sources at one time, org-wide (read from samples_metrics: name,
    // at, service_id, value) the smaller value, for a scope (the primary key: service_id, name, at,
    // source) the first source. PostgreSQL has no bare columns: DISTINCT ON picks that same row (its value as text, the
    // transport of the other arm's Dialect.averaged). PostgreSQL takes it per service from the
    // primary key, newest first (DISTINCT ON would sort every earlier sample of every service);
    // every sample's service is in `services` (serviceList).
    const before = d.name === "sqlite"
      ? `SELECT service_id AS service, max(at) AS at, value FROM samples
        WHERE name = @name AND at < @from AND service_id <> ''${scope} GROUP BY service_id`
      : `SELECT ${d.textOrder("s.id")} AS service, last.at, CAST(last.value AS text) AS value
        FROM (${services === null ? "SELECT id FROM services" : `SELECT DISTINCT value AS id FROM (${d.textList("@services")}) AS listed`}) AS s
        CROSS JOIN LATERAL (SELECT at, value FROM samples WHERE service_id = s.id AND name = @name AND at < @from
          ORDER BY at DESC, ${services === null ? "value, " : ""}${d.textOrder("source")} LIMIT 1) AS last
        WHERE s.id <> ''`;
    return `
        ${before}
        UNION ALL
        SELECT ${d.textOrder("service_id")} AS service, at, ${d.averaged("value")} AS value FROM samples
        WHERE name = @name AND at >= @from AND at < @to AND service_id <> ''${scope} GROUP BY 1, 2
        ORDER BY 1, 2`;
  };
  const sumsSql = (cuts: readonly number[], services: ScopeServices, includeOrgWide: boolean): string => `
        SELECT service_id AS service, ${sliceOf("at", cuts.length)} AS slice, ${d.summed("value")} AS total, count(*) AS n
        FROM samples WHERE name = ? AND at >= ? AND at < ?
          AND (${services === null ? "TRUE" : `service_id IN (${d.textList()})`}${includeOrgWide ? ` OR service_id = '${ORG_SAMPLE_SERVICE}'` : ""})
        GROUP BY 1, 2`;

  return {
    /** Samples of one name in [from, to), by service and time (for time weighting). */
    *timedSamples(name: string, window: Window, services: ScopeServices): Sql<TimedSampleRow[]> {
      // By the primary key (service, name, time), service by service: rows arrive grouped and in order.
      const statement = text(`timed:${services === null}`, () => timedSql(services));
      return averagedColumns(yield* all<TimedSampleRow>(statement, [name, window.fromMs, window.toMs, ...scopeArgs(services)]), ["value"]);
    },

    /** Latency P95 samples per service and slice: request-weighted sums where requests are known, plain otherwise. */
    *latencySlices(cuts: readonly number[], services: ScopeServices): Sql<LatencySliceRow[]> {
      // Each P95 sample is paired with the requests of its service, time and source (sample_points, src/store/derived/definitions.ts).
      const statement = text(`latency:${services === null}`, () => latencySql(services));
      return summedColumns(yield* sliceBySlice<LatencySliceRow>(statement, cuts, [], services), ["weighted", "weight", "sum", "sum_squares"]);
    },

    /**
     * Error and request counts per service and slice (errors paired with the requests of the same
     * service, time and source); pre-computed rates weighted by those requests, or plain when a
     * rate has no request count.
     */
    *errorSlices(cuts: readonly number[], services: ScopeServices): Sql<ErrorSliceRow[]> {
      const statement = text(`errors:${services === null}`, () => errorsSql(services));
      return summedColumns(yield* sliceBySlice<ErrorSliceRow>(statement, cuts, [], services), ["errors", "requests", "rate_weighted", "rate_requests", "rate_sum"]);
    },

    /** Samples of a level (coverage, debt) in the window, plus each service's last one before it. */
    *levelSamples(name: string, window: Window, services: ScopeServices): Sql<LevelSampleRow[]> {
      const statement = text(`levels:${services === null}`, () => levelsSql(services));
      const args: Record<string, unknown> = { name, from: window.fromMs, to: window.toMs };
      if (services !== null) args["services"] = JSON.stringify(services);
      return averagedColumns(yield* all<LevelSampleRow>(statement, args), ["value"]);
    },

    /** Σ value and count per service and slice ('' = organisation-wide, e.g. untagged cost). */
    *sumSlices(name: string, cuts: readonly number[], services: ScopeServices, includeOrgWide: boolean): Sql<SumSliceRow[]> {
      const statement = text(key(`sums:${includeOrgWide}`, cuts, services), () => sumsSql(cuts, services, includeOrgWide));
      // SQLite's grouping already delivers this order; PostgreSQL's hash aggregate does not.
      const rows = yield* all<SumSliceRow>(statement, [...innerCuts(cuts), name, cuts[0], cuts[cuts.length - 1], ...scopeArgs(services)]);
      return summedColumns(rows, ["total"]).sort(byServiceThenSlice);
    },

    /** Σ value per slice over every service-tagged sample (the denominator of untagged cost sharing). */
    *taggedTotals(name: string, cuts: readonly number[]): Sql<Array<{ slice: number; total: number }>> {
      const statement = text(key(`tagged`, cuts, null), () => `
        SELECT ${sliceOf("at", cuts.length)} AS slice, ${d.summed("value")} AS total
        FROM samples WHERE name = ? AND at >= ? AND at < ? AND service_id <> '' GROUP BY 1`);
      const rows = yield* all<{ slice: number; total: number }>(statement, [...innerCuts(cuts), name, cuts[0], cuts[cuts.length - 1]]);
      return summedColumns(rows, ["total"]).sort((x, y) => x.slice - y.slice);
    },
  };
}
