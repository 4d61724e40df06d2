import type { Db } from "./db.js";
import { deliveryReads } from "./delivery-reads.js";
import { incidentReads } from "./incident-reads.js";
import { readSql, type ScopeServices } from "./read-sql.js";
import { sampleReads } from "./sample-reads.js";
import type { Window } from "../domain/scope.js";
import type { AnnotationReadRow } from "./rows.js";
import type { MaybeAsync } from "./maybe-async.js";

export type {                 AnnotationReadRow } from "./rows.js";
export type { ScopeServices } from "./read-sql.js";

// Every read the metrics need (src/query/run.ts). SQL filters by scope and time and aggregates per
// (service, slice) of the answer's frame; the reads live by subject in delivery-reads.ts,
// incident-reads.ts and sample-reads.ts, over the shared helpers of read-sql.ts.

export function metricReads(db: Db) {
  const kit = readSql(db);
  const { prepared, allRows } = kit;
  return {
    ...deliveryReads(kit),
    ...incidentReads(kit),
    ...sampleReads(kit),

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

/** The SQLite store's metric reads (synchronous). */
export type SqliteMetricReads = ReturnType<typeof metricReads>;
/** The metric reads as the metrics and the answer builder see them: any store may answer asynchronously (issue 19). */
export type MetricReads = MaybeAsync<SqliteMetricReads>;
