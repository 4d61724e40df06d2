import type { Window } from "../domain/scope.js";
import { parseIntegers } from "./packed-list.js";
import type { BreachIncidentRow, IncidentRow, IncidentSliceRow, IncidentTitleRow, OpenIncidents, OutageRow } from "./rows.js";
import type { ReadSql, ScopeServices } from "./read-sql.js";

// Incidents: per-slice totals, the incidents of two windows, open ones, and outages (MTTR, MTTA, uptime).

export function incidentReads(kit: ReadSql) {
  const { prepared, allRows, scopeSql, scopeArgs } = kit;
  return {
    /**
     * Incidents per slice of `timeColumn` (resolved_at for MTTR, acknowledged_at for MTTA): count
     * and summed ms from creation (the weekly series; the windows use the incidents themselves).
     */
    incidentSlices(timeColumn: "resolved_at" | "acknowledged_at", cuts: readonly number[], services: ScopeServices): IncidentSliceRow[] {
      const statement = prepared(`incSlices:${timeColumn}:${services === null}`, () => `
        SELECT ? AS slice, count(*) AS n, total(${timeColumn} - created_at) AS ms
        FROM incidents WHERE ${timeColumn} >= ? AND ${timeColumn} < ? AND counts_recovery = 1${scopeSql("service_id", services)}`);
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
          group_concat(coalesce(service_id, ''), char(31)) AS services, group_concat(coalesce(severity, ''), char(31)) AS severities
        FROM incidents WHERE ${timeColumn} >= ? AND ${timeColumn} < ? AND counts_recovery = 1${scopeSql("service_id", services)}`);
      const packed = statement.get(window.fromMs, window.toMs, ...scopeArgs(services)) as Record<"ids" | "created" | "acknowledged" | "resolved" | "linked" | "services" | "severities", string | null>;
      if (packed.ids === null) return [];
      const [ids, created, acknowledged, resolved, linked] = [packed.ids, packed.created, packed.acknowledged, packed.resolved, packed.linked].map((list) => parseIntegers(list!));
      // Unit separators: no service id contains them; -1 stands for NULL (times and ids are positive).
      const serviceOf = packed.services!.split("\x1f");
      const severityOf = packed.severities!.split("\x1f");
      const orNull = (value: number): number | null => (value < 0 ? null : value);
      return Array.from(ids!, (id, i): IncidentRow => {
        const row: IncidentRow = {
          id, service: serviceOf[i] === "" ? null : serviceOf[i]!, created_at: created![i]!,
          acknowledged_at: orNull(acknowledged![i]!), resolved_at: orNull(resolved![i]!), linked_deployment_id: orNull(linked![i]!), at: 0,
          severity: severityOf[i] === "" ? null : severityOf[i]!,
        };
        row.at = (timeColumn === "resolved_at" ? row.resolved_at : row.acknowledged_at)!;
        return row;
      });
    },

    /**
     * Incidents of the scope the filters leave out in [from, to) of `timeColumn`: the recovery
     * filter (MTTR by resolution, MTTA by acknowledgement) or the change-failure filter (by
     * creation), and for the latter also those not caused by a change (source or person).
     */
    leftOut(kind: "recovery" | "change_failure", timeColumn: "resolved_at" | "acknowledged_at" | "created_at", window: Window, services: ScopeServices): { filtered: number; unrelated: number } {
      const statement = prepared(`leftOut:${kind}:${timeColumn}:${services === null}`, () => `
        SELECT count(*) FILTER (WHERE ${kind === "recovery" ? "counts_recovery" : "counts_change_failure"} = 0) AS filtered,
          count(*) FILTER (WHERE ${kind === "recovery" ? "0" : "counts_change_failure = 1 AND (verdict = 'unrelated' OR (verdict IS NULL AND change_caused = 0))"}) AS unrelated
        FROM incidents WHERE ${timeColumn} >= ? AND ${timeColumn} < ?${scopeSql("service_id", services)}`);
      return statement.get(window.fromMs, window.toMs, ...scopeArgs(services)) as { filtered: number; unrelated: number };
    },

    /** Which of the services have ever had an incident recorded (an incident source is connected for them). */
    servicesWithIncidents(services: readonly string[]): string[] {
      if (services.length === 0) return [];
      const statement = prepared("servicesWithIncidents", () => `
        SELECT value FROM json_each(?) j WHERE EXISTS (SELECT 1 FROM incidents WHERE service_id = j.value)`);
      return statement.pluck().all(JSON.stringify(services)) as string[];
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
          SELECT created_at FROM incidents WHERE resolved_at IS NULL AND +created_at < @at AND counts_recovery = 1${waiting}${scopeSql("service_id", services).replace("?", "@services")}
          UNION ALL
          SELECT created_at FROM incidents WHERE resolved_at >= @at AND +created_at < @at AND counts_recovery = 1${waiting}${scopeSql("service_id", services).replace("?", "@services")})`);
      const args: Record<string, unknown> = { at: atMs };
      if (services !== null) args["services"] = JSON.stringify(services);
      return statement.get(args) as OpenIncidents;
    },

    /**
     * Every incident of the given services overlapping the window (created before its end, not
     * resolved before its start), flagged as an outage by the same rule as uptime's, with the
     * deployment it is linked to: what puts a service past a threshold line.
     */
    breachIncidents(window: Window, severities: readonly string[], pagerdutyPriorities: readonly string[], services: readonly string[]): BreachIncidentRow[] {
      if (services.length === 0) return [];
      const statement = prepared("breachIncidents", () => `
        SELECT i.service_id AS service, i.title, i.url, i.severity, i.created_at, i.acknowledged_at, i.resolved_at, i.counts_recovery,
          (i.severity IN (SELECT value FROM json_each(@severities))
            OR (i.source = 'pagerduty' AND i.urgency = 'high' AND i.priority IN (SELECT value FROM json_each(@priorities)))) AS outage,
          d.external_id AS deployment
        FROM incidents i INDEXED BY incidents_service_created LEFT JOIN deployments d ON d.id = i.linked_deployment_id
        WHERE i.service_id IN (SELECT value FROM json_each(@services)) AND i.created_at < @to AND (i.resolved_at IS NULL OR i.resolved_at > @from)
        ORDER BY i.service_id, i.created_at`);
      return allRows<BreachIncidentRow>(statement, {
        from: window.fromMs, to: window.toMs, services: JSON.stringify(services),
        severities: JSON.stringify(severities), priorities: JSON.stringify(pagerdutyPriorities),
      });
    },

    /**
     * Outage incidents of the given services overlapping the window (docs/metrics.md: outage
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
  };
}
