import { matchesFilter, type IncidentFilters } from "../domain/incident-filter.js";
import type { IncidentRecord } from "../domain/records.js";
import type { Dialect, RecordColumn } from "./sql/dialect.js";
import { all, column, get, type Sql } from "./sql/query.js";
import { keyOf, occurrenceWaves } from "./sql/waves.js";
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

/** An incident as a row of the batch relation; `i` is its position in the batch. */
const INCIDENT_COLUMNS: readonly RecordColumn[] = [
  ["i", "integer"],
  ["source", "text"],
  ["external_id", "text"],
  ["service_id", "text"],
  ["external_service", "text"],
  ["title", "text"],
  ["severity", "text"],
  ["urgency", "text"],
  ["priority", "text"],
  ["status", "text"],
  ["created_at", "integer"],
  ["acknowledged_at", "integer"],
  ["resolved_at", "integer"],
  ["owner_name", "text"],
  ["owner_email", "text"],
  ["escalation_policy", "text"],
  ["url", "text"],
  ["deployment_ref", "text"],
  ["change_caused", "integer"],
  ["counts_change_failure", "integer"],
  ["counts_recovery", "integer"],
];

/** The stored values of an incident record: the status it implies, flags as 0/1, the filters in force. */
function incidentRow(record: IncidentRecord, i: number, filters: IncidentFilters) {
  const inForce = filters.forService(record.service ?? null);
  return {
    i,
    source: record.source,
    external_id: record.externalId,
    service_id: orNull(record.service),
    external_service: orNull(record.externalService),
    title: record.title,
    severity: orNull(record.severity),
    urgency: orNull(record.urgency),
    priority: orNull(record.priority),
    status: record.status ?? (record.resolvedAtMs !== undefined ? "resolved" : "triggered"),
    created_at: record.createdAtMs,
    acknowledged_at: orNull(record.acknowledgedAtMs),
    resolved_at: orNull(record.resolvedAtMs),
    owner_name: orNull(record.ownerName),
    owner_email: orNull(record.ownerEmail),
    escalation_policy: orNull(record.escalationPolicy),
    url: orNull(record.url),
    deployment_ref: orNull(record.deploymentRef),
    change_caused: record.changeCaused === undefined ? null : record.changeCaused ? 1 : 0,
    counts_change_failure: matchesFilter(inForce.changeFailure, record) ? 1 : 0,
    counts_recovery: matchesFilter(inForce.recovery, record) ? 1 : 0,
  };
}

export function incidentOps(d: Dialect, filters: IncidentFilters) {
  // Which of a wave's incidents are stored already: the rest are inserted.
  const EXISTING = `SELECT r.i FROM ${d.records("r", INCIDENT_COLUMNS)}
     ${d.orderedJoin} incidents ON incidents.source = r.source AND incidents.external_id = r.external_id`;
  // RETURNING: the rows inserted or changed, none for an incident stored unchanged. In batch order,
  // so that new rows get their ids as one-by-one writes give them; `WHERE true` lets SQLite parse
  // ON CONFLICT after a SELECT.
  const UPSERT = `INSERT INTO incidents (source, external_id, service_id, external_service, title, severity, urgency, priority, status,
                            created_at, acknowledged_at, resolved_at, owner_name, owner_email, escalation_policy, url, deployment_ref,
                            change_caused, counts_change_failure, counts_recovery)
     SELECT r.source, r.external_id, r.service_id, r.external_service, r.title, r.severity, r.urgency, r.priority, r.status,
            r.created_at, r.acknowledged_at, r.resolved_at, r.owner_name, r.owner_email, r.escalation_policy, r.url, r.deployment_ref,
            r.change_caused, r.counts_change_failure, r.counts_recovery
     FROM ${d.records("r", INCIDENT_COLUMNS)} WHERE true ORDER BY r.i
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
     RETURNING id, source, external_id`;

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
      const rows = records.map((record, i) => incidentRow(record, i, filters));
      const keyOfRow = (row: { source: string; external_id: string }) => keyOf(row.source, row.external_id);
      const changedIdAt = new Map<number, number>();
      for (const wave of occurrenceWaves(rows, keyOfRow)) {
        const batch = JSON.stringify(wave.map(({ item }) => item));
        const existing = new Set(yield* column<number>(EXISTING, [batch]));
        const written = yield* all<{ id: number; source: string; external_id: string }>(UPSERT, [batch]);
        // A wave holds each key once, so a returned row names one of its incidents.
        const writtenId = new Map(written.map((row) => [keyOfRow(row), row.id]));
        for (const { item: row } of wave) {
          const id = writtenId.get(keyOfRow(row));
          if (id !== undefined) {
            if (existing.has(row.i)) stats.updated++;
            else stats.inserted++;
            changedIdAt.set(row.i, id);
          } else {
            // Unchanged; also when another writer (a replica on PostgreSQL) inserted the same incident
            // between the lookup and the upsert, which then found nothing to change.
            stats.unchanged++;
          }
        }
      }
      // In record order, as one-by-one writes report them (an incident changed twice, twice).
      for (const [, id] of [...changedIdAt].sort(([a], [b]) => a - b)) stats.changedIds.push(id);
      return stats;
    },
  };
}
