import type { Window } from "../domain/scope.js";
import { parseIntegers } from "./packed-list.js";
import type { BreachIncidentRow, IncidentRow, IncidentSliceRow, IncidentTitleRow, OpenIncidents, OutageRow } from "./rows.js";
import { summedColumns, type ReadKit, type ScopeServices } from "./read-sql.js";
import { all, column, get, pure, type Sql } from "./sql/query.js";

// Incidents: per-slice totals, the incidents of two windows, open ones, and outages (MTTR, MTTA, uptime).

export function incidentReadOps(kit: ReadKit) {
  const { d, text, scopeSql, scopeArgs, sliceOf, innerCuts } = kit;
  // The order SQLite's pinned indexes deliver incidents in (migration 014), for PostgreSQL's lists.
  const incidentOrder = (timeColumn: string, services: ScopeServices): string =>
    services === null
      ? `${timeColumn}, ${d.textOrder("service_id")} NULLS FIRST, created_at, linked_deployment_id NULLS FIRST, counts_recovery, id`
      : `${d.textOrder("service_id")}, ${timeColumn}, created_at, linked_deployment_id NULLS FIRST, counts_recovery, id`;
  const incidentsSql = (timeColumn: "resolved_at" | "acknowledged_at", services: ScopeServices): string => {
    const order = incidentOrder(timeColumn, services);
    const list = (expression: string, separator = ","): string => d.packed(expression, separator, order);
    return `
        SELECT ${list("id")} AS ids, ${list("created_at")} AS created, ${list("coalesce(acknowledged_at, -1)")} AS acknowledged,
          ${list("coalesce(resolved_at, -1)")} AS resolved, ${list("coalesce(linked_deployment_id, -1)")} AS linked,
          ${list("coalesce(service_id, '')", "\x1f")} AS services, ${list("coalesce(severity, '')", "\x1f")} AS severities
        FROM incidents WHERE ${timeColumn} >= ? AND ${timeColumn} < ? AND counts_recovery = 1${scopeSql("service_id", services)}`;
  };
  // An outage by the same rule as uptime's; NULL where SQL's three-valued logic leaves it unknown (a
  // NULL severity and no PagerDuty match), as the comparison itself answered before it was a CASE.
  const outageRule = `(i.severity IN (${d.textList("@severities")})
            OR (i.source = 'pagerduty' AND i.urgency = 'high' AND i.priority IN (${d.textList("@priorities")})))`;
  // The linked deployment by its key, row by row: PostgreSQL plans the LEFT JOIN SQLite reads
  // that way as a hash of the whole deployments table, for the thousand incidents of an org-wide window.
  const [linkedDeployment, linkedJoin] = d.name === "sqlite"
    ? ["d.external_id", " LEFT JOIN deployments d ON d.id = i.linked_deployment_id"]
    : ["(SELECT d.external_id FROM deployments d WHERE d.id = i.linked_deployment_id)", ""];
  const breachSql = `
        SELECT i.service_id AS service, i.title, i.url, i.severity, i.created_at, i.acknowledged_at, i.resolved_at, i.counts_recovery,
          CASE WHEN ${outageRule} THEN 1 WHEN NOT ${outageRule} THEN 0 END AS outage,
          ${linkedDeployment} AS deployment
        FROM incidents i ${d.indexedBy("incidents_service_created")}${linkedJoin}
        WHERE ${d.inList("i.service_id", d.textList("@services"))} AND i.created_at < @to AND (i.resolved_at IS NULL OR i.resolved_at > @from)
        ORDER BY ${d.textOrder("i.service_id")}, i.created_at${d.indexOrder("i.id")}`;
  const outage = `${d.inList("service_id", d.textList("@services"))} AND (severity IN (${d.textList("@severities")})
        OR (source = 'pagerduty' AND urgency = 'high' AND priority IN (${d.textList("@priorities")})))`;
  const outagesSql = `
        SELECT ${d.textOrder("service_id")} AS service, created_at, resolved_at FROM incidents ${d.indexedBy("incidents_resolved")}
        WHERE resolved_at > @from AND created_at < @to AND ${outage}
        UNION ALL
        SELECT ${d.textOrder("service_id")}, created_at, resolved_at FROM incidents ${d.indexedBy("incidents_open")}
        WHERE resolved_at IS NULL AND created_at < @to AND ${outage}
        ORDER BY 1, 2`;
  const servicesWithIncidentsSql = `
        SELECT j.value FROM (${d.textList()}) j WHERE EXISTS (SELECT 1 FROM incidents WHERE service_id = j.value)`;
  // SQLite reads an IN list on the rowid in ascending order: the ORDER BY costs it nothing.
  const incidentTitlesSql = `SELECT id, title, url FROM incidents WHERE id IN (${d.integerList()}) ORDER BY id`;

  /**
   * PostgreSQL: every slice from one grouped statement (a statement per slice costs it a round trip
   * and an executor start each; SQLite reads each slice's range of its index for free). A slice
   * without incidents has no group: it reads as SQLite's, 0 and 0.
   */
  function* groupedIncidentSlices(timeColumn: "resolved_at" | "acknowledged_at", cuts: readonly number[], services: ScopeServices): Sql<IncidentSliceRow[]> {
    const statement = text(`incSlicesGrouped:${timeColumn}:${cuts.length}:${services === null}`, () => `
        SELECT ${sliceOf(timeColumn, cuts.length)} AS slice, count(*) AS n, ${d.summed(`${timeColumn} - created_at`)} AS ms
        FROM incidents WHERE ${timeColumn} >= ? AND ${timeColumn} < ? AND counts_recovery = 1${scopeSql("service_id", services)}
        GROUP BY 1`);
    const grouped = new Map<number, IncidentSliceRow>();
    for (const row of yield* all<IncidentSliceRow>(statement, [...innerCuts(cuts), cuts[0], cuts[cuts.length - 1], ...scopeArgs(services)])) grouped.set(row.slice, row);
    const rows: IncidentSliceRow[] = [];
    for (let slice = 0; slice + 1 < cuts.length; slice++) rows.push(grouped.get(slice) ?? { slice, n: 0, ms: 0 });
    return summedColumns(rows, ["ms"]);
  }

  return {
    /**
     * Incidents per slice of `timeColumn` (resolved_at for MTTR, acknowledged_at for MTTA): count
     * and summed ms from creation (the weekly series; the windows use the incidents themselves).
     */
    *incidentSlices(timeColumn: "resolved_at" | "acknowledged_at", cuts: readonly number[], services: ScopeServices): Sql<IncidentSliceRow[]> {
      if (d.name === "postgres") return yield* groupedIncidentSlices(timeColumn, cuts, services);
      const statement = text(`incSlices:${timeColumn}:${services === null}`, () => `
        SELECT CAST(? AS bigint) AS slice, count(*) AS n, ${d.summed(`${timeColumn} - created_at`)} AS ms
        FROM incidents WHERE ${timeColumn} >= ? AND ${timeColumn} < ? AND counts_recovery = 1${scopeSql("service_id", services)}`);
      const rows: IncidentSliceRow[] = [];
      for (let slice = 0; slice + 1 < cuts.length; slice++) rows.push((yield* get<IncidentSliceRow>(statement, [slice, cuts[slice], cuts[slice + 1], ...scopeArgs(services)]))!);
      return summedColumns(rows, ["ms"]);
    },

    /**
     * The incidents themselves for [from, to) of `timeColumn` (current and previous window), each
     * column packed by SQL into one list (thousands of rows at org scope cost more as row objects
     * than as text; one list per column spares SQLite a string concatenation per row).
     */
    *incidents(timeColumn: "resolved_at" | "acknowledged_at", window: Window, services: ScopeServices): Sql<IncidentRow[]> {
      const statement = text(`inc:${timeColumn}:${services === null}`, () => incidentsSql(timeColumn, services));
      const packed = (yield* get<Record<"ids" | "created" | "acknowledged" | "resolved" | "linked" | "services" | "severities", string | null>>(statement, [window.fromMs, window.toMs, ...scopeArgs(services)]))!;
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
    *leftOut(kind: "recovery" | "change_failure", timeColumn: "resolved_at" | "acknowledged_at" | "created_at", window: Window, services: ScopeServices): Sql<{ filtered: number; unrelated: number }> {
      const statement = text(`leftOut:${kind}:${timeColumn}:${services === null}`, () => `
        SELECT count(*) FILTER (WHERE ${kind === "recovery" ? "counts_recovery" : "counts_change_failure"} = 0) AS filtered,
          count(*) FILTER (WHERE ${kind === "recovery" ? "FALSE" : "counts_change_failure = 1 AND (verdict = 'unrelated' OR (verdict IS NULL AND change_caused = 0))"}) AS unrelated
        FROM incidents WHERE ${timeColumn} >= ? AND ${timeColumn} < ?${scopeSql("service_id", services)}`);
      return (yield* get<{ filtered: number; unrelated: number }>(statement, [window.fromMs, window.toMs, ...scopeArgs(services)]))!;
    },

    /** Which of the services have ever had an incident recorded (an incident source is connected for them). */
    *servicesWithIncidents(services: readonly string[]): Sql<string[]> {
      if (services.length === 0) return [];
      // In the order given, as SQLite's scan of the list keeps it (PostgreSQL may hash it).
      const found = new Set(yield* column<string>(servicesWithIncidentsSql, [JSON.stringify(services)]));
      return services.filter((service) => found.has(service));
    },

    /** Titles and links of a few incidents (the drivers), by id. */
    incidentTitles(ids: readonly number[]): Sql<IncidentTitleRow[]> {
      return all<IncidentTitleRow>(incidentTitlesSql, [JSON.stringify(ids)]);
    },

    /** Incidents still open at `atMs` (MTTR), or still waiting for an acknowledgement (MTTA). */
    *openAt(kind: "unresolved" | "unacknowledged", atMs: number, services: ScopeServices): Sql<OpenIncidents> {
      const waiting = kind === "unresolved" ? "" : " AND (acknowledged_at IS NULL OR acknowledged_at >= @at)";
      const scope = scopeSql("service_id", services, "@services");
      const statement = text(`open:${kind}:${services === null}`, () => `
        SELECT count(*) AS open_count, min(created_at) AS oldest_created_at FROM (
          SELECT created_at FROM incidents WHERE resolved_at IS NULL AND +created_at < @at AND counts_recovery = 1${waiting}${scope}
          UNION ALL
          SELECT created_at FROM incidents WHERE resolved_at >= @at AND +created_at < @at AND counts_recovery = 1${waiting}${scope}) AS still_open`);
      const args: Record<string, unknown> = { at: atMs };
      if (services !== null) args["services"] = JSON.stringify(services);
      return (yield* get<OpenIncidents>(statement, args))!;
    },

    /**
     * Every incident of the given services overlapping the window (created before its end, not
     * resolved before its start), flagged as an outage by the same rule as uptime's, with the
     * deployment it is linked to: what puts a service past a threshold line.
     */
    breachIncidents(window: Window, severities: readonly string[], pagerdutyPriorities: readonly string[], services: readonly string[]): Sql<BreachIncidentRow[]> {
      if (services.length === 0) return pure([]);
      return all<BreachIncidentRow>(breachSql, {
        from: window.fromMs, to: window.toMs, services: JSON.stringify(services),
        severities: JSON.stringify(severities), priorities: JSON.stringify(pagerdutyPriorities),
      });
    },

    /**
     * Outage incidents of the given services overlapping the window (docs/metrics.md: outage
     * severities, or PagerDuty high urgency + priority): those resolved after it starts, by the
     * resolution index (by creation, every earlier incident would be read), and those still open.
     */
    outages(window: Window, severities: readonly string[], pagerdutyPriorities: readonly string[], services: readonly string[]): Sql<OutageRow[]> {
      if (services.length === 0) return pure([]);
      return all<OutageRow>(outagesSql, {
        from: window.fromMs, to: window.toMs, services: JSON.stringify(services),
        severities: JSON.stringify(severities), priorities: JSON.stringify(pagerdutyPriorities),
      });
    },
  };
}
