import type { IncidentFilter, IncidentFilters, ResolvedIncidentFilters } from "../domain/incident-filter.js";
import type { FileConfig, IncidentsConfig } from "./file.js";

// `incidents.change_failure` / `incidents.recovery` at the top level, under a team or under a
// service, resolved per service: the most specific wins, each filter on its own (a team that sets
// only `recovery` keeps the organisation's `change_failure`).

const canonical = (filter: IncidentFilter | undefined): IncidentFilter | undefined =>
  filter && {
    ...(filter.severities ? { severities: [...filter.severities].sort() } : {}),
    ...(filter.urgencies ? { urgencies: [...filter.urgencies].sort() } : {}),
    ...(filter.priorities ? { priorities: [...filter.priorities].sort() } : {}),
  };

export function resolveIncidentFilters(config: FileConfig): IncidentFilters {
  const top: IncidentsConfig = config.incidents ?? {};
  const teamOf = new Map<string, IncidentsConfig | undefined>();
  const teamIdOf = new Map<string, string>();
  for (const team of config.teams) for (const service of team.services) {
    teamOf.set(service, team.incidents);
    teamIdOf.set(service, team.id);
  }
  const serviceOf = new Map(config.services.map((s) => [s.id, s.incidents]));
  const pick = (kind: keyof IncidentsConfig, service: string | null): IncidentFilter | undefined =>
    canonical((service ? serviceOf.get(service)?.[kind] ?? teamOf.get(service)?.[kind] : undefined) ?? top[kind]);
  const topLevel: ResolvedIncidentFilters = { changeFailure: canonical(top.change_failure), recovery: canonical(top.recovery) };
  const byService = new Map<string, ResolvedIncidentFilters>();
  for (const service of new Set([...serviceOf.keys(), ...teamOf.keys()])) {
    byService.set(service, { changeFailure: pick("change_failure", service), recovery: pick("recovery", service) });
  }
  const overrides: IncidentFilters["overrides"][number][] = [];
  for (const team of config.teams) {
    if (team.incidents?.change_failure) overrides.push({ where: `team ${team.id}`, kind: "change_failure", filter: canonical(team.incidents.change_failure) });
    if (team.incidents?.recovery) overrides.push({ where: `team ${team.id}`, kind: "recovery", filter: canonical(team.incidents.recovery) });
  }
  for (const service of config.services) {
    if (service.incidents?.change_failure) overrides.push({ where: `service ${service.id}`, kind: "change_failure", filter: canonical(service.incidents.change_failure) });
    if (service.incidents?.recovery) overrides.push({ where: `service ${service.id}`, kind: "recovery", filter: canonical(service.incidents.recovery) });
  }
  const anyFilter = topLevel.changeFailure || topLevel.recovery || overrides.length > 0;
  // No filter anywhere is the empty fingerprint: a database that never had filters needs no pass.
  const fingerprint = anyFilter
    ? JSON.stringify({ top: topLevel, services: [...byService].sort(([a], [b]) => (a < b ? -1 : 1)) })
    : "";
  return {
    fingerprint,
    forService: (service) => (service ? byService.get(service) : undefined) ?? topLevel,
    overrides,
    topLevel,
  };
}
