import { describeFilter, type IncidentFilter, type IncidentFilters } from "../domain/incident-filter.js";
import type { MetricId } from "../domain/metric-ids.js";
import { METRICS } from "../metrics/catalog.js";
import type { Window } from "../domain/scope.js";
import type { MetricReads, ScopeServices } from "../store/metric-reads.js";

// Which incidents count (docs/metrics.md "Which incidents count"), as an answer states it: the filter
// in force for the scope and how many incidents of the window it left out (issue 16).

export type FilterKind = "change_failure" | "recovery";

const pickFilter = (filters: IncidentFilters, service: string | null, kind: FilterKind): IncidentFilter | undefined =>
  kind === "change_failure" ? filters.forService(service).changeFailure : filters.forService(service).recovery;

/** The filter in force over a scope: one description, or the top level's with the places that differ. */
export function filterInForce(filters: IncidentFilters, services: ScopeServices, kind: FilterKind): string {
  if (services === null) {
    const top = describeFilter(kind === "change_failure" ? filters.topLevel.changeFailure : filters.topLevel.recovery);
    const others = filters.overrides.filter((o) => o.kind === kind).map((o) => `${o.where}: ${describeFilter(o.filter)}`);
    return others.length === 0 ? top : `${top} (${others.join("; ")})`;
  }
  const byDescription = new Map<string, string[]>();
  for (const service of services) {
    const text = describeFilter(pickFilter(filters, service, kind));
    byDescription.set(text, [...(byDescription.get(text) ?? []), service]);
  }
  if (byDescription.size <= 1) return [...byDescription.keys()][0] ?? describeFilter(pickFilter(filters, null, kind));
  return [...byDescription].map(([text, list]) => `${list.join(", ")}: ${text}`).join("; ");
}

export interface IncidentCounting {
  /** Added to the answer's stats (counts, exact). */
  readonly stats: Record<string, number>;
  /** Appended to the answer's definition line; "" when every incident counts and none was left out. */
  readonly definition: string;
}

/** For the answers of metrics incidents feed (CFR, MTTR, MTTA: their modules' `incidentFilter`): the filter in force and what it left out of the window (read awaited: issue 19). */
export async function incidentCounting(reads: MetricReads, filters: IncidentFilters, metric: MetricId, window: Window, services: ScopeServices): Promise<IncidentCounting | undefined> {
  const applies = METRICS[metric].incidentFilter;
  if (applies?.kind === "recovery") {
    const { filtered } = await reads.leftOut("recovery", applies.column, window, services);
    const filter = filterInForce(filters, services, "recovery");
    const definition = filter === "every incident" && filtered === 0 ? "" : `; counting ${filter} (incidents.recovery): ${filtered} left out`;
    return { stats: { left_out_by_filter: filtered }, definition };
  }
  if (applies?.kind === "change_failure") {
    const { filtered, unrelated } = await reads.leftOut("change_failure", "created_at", window, services);
    const filter = filterInForce(filters, services, "change_failure");
    const parts: string[] = [];
    if (filter !== "every incident" || filtered > 0) parts.push(`incidents counted: ${filter} (incidents.change_failure), ${filtered} created in the window left out`);
    if (unrelated > 0) parts.push(`${unrelated} marked not caused by a deployment`);
    return { stats: { incidents_left_out_by_filter: filtered, incidents_not_change_caused: unrelated }, definition: parts.length === 0 ? "" : `; ${parts.join("; ")}` };
  }
  return undefined;
}
