import { matchesFilter, type IncidentFilters } from "../domain/incident-filter.js";
import type { IncidentRecord } from "../domain/records.js";
import type { Dialect } from "./sql/dialect.js";
import { column, get, type Sql } from "./sql/query.js";
import { emptyStats, orNull, type WriteStats } from "./write-stats.js";

/** An incident row as stored (see migrations/001_initial.sql). */
export interface StoredIncident {
  id: number;
  source: string;
  external_id: string;
  service_id: string | null;
  external_service: string | null;
  title: string;
  severity: string | null;
  urgency: "high" | "low" | null;
  priority: string | null;
  status: "triggered" | "acknowledged" | "resolved" | null;
  created_at: number;
  acknowledged_at: number | null;
  resolved_at: number | null;
  owner_name: string | null;
  owner_email: string | null;
  escalation_policy: string | null;
  url: string | null;
  deployment_ref: string | null;
  linked_deployment_id: number | null;
  link_rule: string | null;
  change_caused: 0 | 1 | null;
  counts_change_failure: 0 | 1;
  counts_recovery: 0 | 1;
  verdict: "deployment" | "unrelated" | null;
  verdict_deployment_id: number | null;
  verdict_by: string | null;
  verdict_at: number | null;
  verdict_via: "command" | "confirmation" | null;
}

export function incidentOps(d: Dialect, filters: IncidentFilters) {
  const ID_OF = `SELECT id FROM incidents WHERE source = ? AND external_id = ?`;
  // RETURNING: the id of a new row, and no row when an existing one is unchanged.
  const UPSERT = `INSERT INTO incidents (source, external_id, service_id, external_service, title, severity, urgency, priority, status,
                            created_at, acknowledged_at, resolved_at, owner_name, owner_email, escalation_policy, url, deployment_ref,
                            change_caused, counts_change_failure, counts_recovery)
     VALUES (@source, @externalId, @service, @externalService, @title, @severity, @urgency, @priority, @status,
             @createdAt, @acknowledgedAt, @resolvedAt, @ownerName, @ownerEmail, @escalationPolicy, @url, @deploymentRef,
             @changeCaused, @countsChangeFailure, @countsRecovery)
     ON CONFLICT (source, external_id) DO UPDATE SET
       service_id = excluded.service_id, external_service = excluded.external_service, title = excluded.title,
       severity = excluded.severity, urgency = excluded.urgency, priority = excluded.priority, status = excluded.status,
       created_at = excluded.created_at, acknowledged_at = excluded.acknowledged_at, resolved_at = excluded.resolved_at,
       owner_name = excluded.owner_name, owner_email = excluded.owner_email, escalation_policy = excluded.escalation_policy,
       url = excluded.url, deployment_ref = excluded.deployment_ref, change_caused = excluded.change_caused,
       counts_change_failure = excluded.counts_change_failure, counts_recovery = excluded.counts_recovery
     WHERE incidents.service_id IS DISTINCT FROM excluded.service_id OR incidents.external_service IS DISTINCT FROM excluded.external_service
       OR incidents.title IS DISTINCT FROM excluded.title OR incidents.severity IS DISTINCT FROM excluded.severity
       OR incidents.urgency IS DISTINCT FROM excluded.urgency OR incidents.priority IS DISTINCT FROM excluded.priority
       OR incidents.status IS DISTINCT FROM excluded.status OR incidents.created_at IS DISTINCT FROM excluded.created_at
       OR incidents.acknowledged_at IS DISTINCT FROM excluded.acknowledged_at OR incidents.resolved_at IS DISTINCT FROM excluded.resolved_at
       OR incidents.owner_name IS DISTINCT FROM excluded.owner_name OR incidents.owner_email IS DISTINCT FROM excluded.owner_email
       OR incidents.escalation_policy IS DISTINCT FROM excluded.escalation_policy OR incidents.url IS DISTINCT FROM excluded.url
       OR incidents.deployment_ref IS DISTINCT FROM excluded.deployment_ref OR incidents.change_caused IS DISTINCT FROM excluded.change_caused
       OR incidents.counts_change_failure IS DISTINCT FROM excluded.counts_change_failure OR incidents.counts_recovery IS DISTINCT FROM excluded.counts_recovery
     RETURNING id`;

  // Ties in the order SQLite's scan of the (source, external_id) index leaves them, on both.
  const OPEN_IDS = `SELECT external_id FROM incidents WHERE source = ? AND resolved_at IS NULL ORDER BY created_at, ${d.byteOrder("external_id")}`;
  const BY_EXTERNAL_ID = `SELECT * FROM incidents WHERE source = ? AND external_id = ?`;

  return {
    /** External ids of a source's incidents still open (a sync re-reads them until they resolve). */
    *openExternalIds(source: string): Sql<string[]> {
      return yield* column<string>(OPEN_IDS, [source]);
    },
    *get(source: string, externalId: string): Sql<StoredIncident | undefined> {
      return yield* get<StoredIncident>(BY_EXTERNAL_ID, [source, externalId]);
    },
    /**
     * Upsert in the caller's transaction (see storeOps' write, which relinks them); returns the ids
     * written (inserted or changed) for follow-up work.
     */
    *upsertMany(records: readonly IncidentRecord[]): Sql<WriteStats & { changedIds: number[] }> {
      const stats = { ...emptyStats(), changedIds: [] as number[] };
      for (const record of records) {
        const existing = yield* get<{ id: number }>(ID_OF, [record.source, record.externalId]);
        const inForce = filters.forService(record.service ?? null);
        const written = yield* get<{ id: number }>(UPSERT, {
          source: record.source,
          externalId: record.externalId,
          service: orNull(record.service),
          externalService: orNull(record.externalService),
          title: record.title,
          severity: orNull(record.severity),
          urgency: orNull(record.urgency),
          priority: orNull(record.priority),
          status: record.status ?? (record.resolvedAtMs !== undefined ? "resolved" : "triggered"),
          createdAt: record.createdAtMs,
          acknowledgedAt: orNull(record.acknowledgedAtMs),
          resolvedAt: orNull(record.resolvedAtMs),
          ownerName: orNull(record.ownerName),
          ownerEmail: orNull(record.ownerEmail),
          escalationPolicy: orNull(record.escalationPolicy),
          url: orNull(record.url),
          deploymentRef: orNull(record.deploymentRef),
          changeCaused: record.changeCaused === undefined ? null : record.changeCaused ? 1 : 0,
          countsChangeFailure: matchesFilter(inForce.changeFailure, record) ? 1 : 0,
          countsRecovery: matchesFilter(inForce.recovery, record) ? 1 : 0,
        });
        if (written) {
          if (existing) stats.updated++;
          else stats.inserted++;
          stats.changedIds.push(written.id);
        } else {
          // Unchanged; also when another writer (a replica on PostgreSQL) inserted the same incident
          // between the lookup and the upsert, which then found nothing to change.
          stats.unchanged++;
        }
      }
      return stats;
    },
  };
}
