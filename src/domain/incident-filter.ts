// Which incidents count (docs/metrics.md "Which incidents count"): a filter by severity, urgency and
// priority. Every list given must match; an absent list matches anything, and an absent filter
// counts every incident. An incident without the attribute a list asks about does not match it
// (a PagerDuty incident has urgency and priority but no severity). Severities and priorities
// compare case-insensitively, as the review policy does.

export interface IncidentFilter {
  readonly severities?: readonly string[] | undefined;
  readonly urgencies?: readonly ("high" | "low")[] | undefined;
  readonly priorities?: readonly string[] | undefined;
}

/** The two filters in force for one service, each resolved on its own (service, else team, else top level). */
export interface ResolvedIncidentFilters {
  /** Incidents that can mark a deployment failed. */
  readonly changeFailure: IncidentFilter | undefined;
  /** Incidents that count toward MTTR and MTTA. */
  readonly recovery: IncidentFilter | undefined;
}

export interface IncidentFilters {
  /** Changes whenever any service's resolved filters change: the store re-derives when it does. */
  readonly fingerprint: string;
  forService(service: string | null): ResolvedIncidentFilters;
  /** Where each filter differs from the top level: "team payments" / "service checkout" with its filters (for explain). */
  readonly overrides: readonly { readonly where: string; readonly kind: "change_failure" | "recovery"; readonly filter: IncidentFilter | undefined }[];
  readonly topLevel: ResolvedIncidentFilters;
}

export interface FilterableIncident {
  readonly severity?: string | null | undefined;
  readonly urgency?: string | null | undefined;
  readonly priority?: string | null | undefined;
}

const inList = (list: readonly string[] | undefined, value: string | null | undefined): boolean => {
  if (!list) return true;
  if (value === null || value === undefined) return false;
  const upper = value.toUpperCase();
  return list.some((item) => item.toUpperCase() === upper);
};

export function matchesFilter(filter: IncidentFilter | undefined, incident: FilterableIncident): boolean {
  if (!filter) return true;
  return inList(filter.severities, incident.severity) && inList(filter.urgencies, incident.urgency) && inList(filter.priorities, incident.priority);
}

/** "severities SEV1, SEV2 and urgency high", or "every incident". */
export function describeFilter(filter: IncidentFilter | undefined): string {
  const parts: string[] = [];
  if (filter?.severities) parts.push(`severity ${filter.severities.join(" or ")}`);
  if (filter?.urgencies) parts.push(`urgency ${filter.urgencies.join(" or ")}`);
  if (filter?.priorities) parts.push(`priority ${filter.priorities.join(" or ")}`);
  return parts.length === 0 ? "every incident" : parts.join(" and ");
}

export const NO_INCIDENT_FILTERS: IncidentFilters = {
  fingerprint: "",
  forService: () => ({ changeFailure: undefined, recovery: undefined }),
  overrides: [],
  topLevel: { changeFailure: undefined, recovery: undefined },
};
