import type { Window } from "../domain/scope.js";
import type { ErrorSliceRow, LatencySliceRow, LevelSampleRow, SumSliceRow, TimedSampleRow } from "./rows.js";
import { ORG_SAMPLE_SERVICE } from "./samples.js";
import type { ReadSql, ScopeServices } from "./read-sql.js";

// Pushed and scraped samples: availability, latency, errors, levels (coverage, debt) and sums (cost, users).

export function sampleReads(kit: ReadSql) {
  const { prepared, sliceOf, innerCuts, allRows, scopeSql, scopeArgs, key, sliceBySlice, serviceList } = kit;
  return {
    /** Samples of one name in [from, to), by service and time (for time weighting). */
    timedSamples(name: string, window: Window, services: ScopeServices): TimedSampleRow[] {
      // By the primary key (service, name, time), service by service: rows arrive grouped and in order.
      const statement = prepared(`timed:${services === null}`, () => `
        SELECT service_id AS service, at, avg(value) AS value FROM samples
        WHERE name = ? AND at >= ? AND at < ? AND service_id IN (${serviceList(services)})
        GROUP BY service_id, at ORDER BY service_id, at`);
      return allRows<TimedSampleRow>(statement, name, window.fromMs, window.toMs, ...scopeArgs(services));
    },

    /** Latency P95 samples per service and slice: request-weighted sums where requests are known, plain otherwise. */
    latencySlices(cuts: readonly number[], services: ScopeServices): LatencySliceRow[] {
      // Each P95 sample is paired with the requests of its service, time and source (sample_points, src/store/derived/definitions.ts).
      const statement = prepared(`latency:${services === null}`, () => `
        SELECT service_id AS service, ? AS slice, count(*) AS n,
          total(CASE WHEN requests > 0 THEN latency_p95_ms * requests END) AS weighted, total(CASE WHEN requests > 0 THEN requests END) AS weight,
          total(latency_p95_ms) AS sum, total(latency_p95_ms * latency_p95_ms) AS sum_squares, sum(NOT coalesce(requests > 0, 0)) AS unweighted
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
  };
}
