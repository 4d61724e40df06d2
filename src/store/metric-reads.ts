import { deliveryReadOps } from "./delivery-reads.js";
import { incidentReadOps } from "./incident-reads.js";
import { readKit, type ScopeServices } from "./read-sql.js";
import { sampleReadOps } from "./sample-reads.js";
import type { Window } from "../domain/scope.js";
import type { AnnotationReadRow } from "./rows.js";
import type { Dialect } from "./sql/dialect.js";
import type { EitherOps, SyncOps } from "./sql/bind.js";
import { all, column, type Sql } from "./sql/query.js";

export type {                 AnnotationReadRow } from "./rows.js";
export type { ScopeServices } from "./read-sql.js";

// Every read the metrics need (src/query/run.ts), as operations for either engine (src/store/sql/).
// SQL filters by scope and time and aggregates per (service, slice) of the answer's frame; the reads
// live by subject in delivery-reads.ts, incident-reads.ts and sample-reads.ts, over the shared
// helpers of read-sql.ts.

export function metricReadOps(d: Dialect) {
  const kit = readKit(d);
  const annotationsSql = (services: ScopeServices): string => `
        SELECT at, text, service_id, team_id FROM annotations WHERE at >= ? AND at < ?
        ${services === null ? "" : `AND (service_id IN (${d.textList()}) OR (service_id IS NULL AND (team_id IS NULL OR team_id = ?)))`}
        ORDER BY at${d.indexOrder("id")}`;
  const servicesSql = `SELECT id FROM services ORDER BY ${d.textOrder("id")}`;
  return {
    ...deliveryReadOps(kit),
    ...incidentReadOps(kit),
    ...sampleReadOps(kit),

    /** Annotations in the window that concern the scope (its services, its team, or everyone). */
    annotations(window: Window, services: ScopeServices, team: string | null): Sql<AnnotationReadRow[]> {
      const statement = kit.text(`annotations:${services === null}`, () => annotationsSql(services));
      const args = services === null ? [] : [JSON.stringify(services), team];
      return all<AnnotationReadRow>(statement, [window.fromMs, window.toMs, ...args]);
    },

    /** Services that have any data (the catalog plus what imports created). */
    knownServices(): Sql<string[]> {
      return column<string>(servicesSql);
    },
  };
}

export type MetricReadOps = ReturnType<typeof metricReadOps>;
/** The SQLite store's metric reads (synchronous). */
export type SqliteMetricReads = SyncOps<MetricReadOps>;
/** The metric reads as the metrics and the answer builder see them: any store may answer asynchronously (issue 19). */
export type MetricReads = EitherOps<MetricReadOps>;
