import type { FileConfig, TeamConfig } from "./file.js";
import type { Scope } from "../domain/scope.js";

// Look-ups in the (effective) config that the jobs, the alerts, the reviews and the listeners share.

export function teamById(config: FileConfig, id: string | null | undefined): TeamConfig | undefined {
  return id ? config.teams.find((t) => t.id === id) : undefined;
}

export function teamOfService(config: FileConfig, service: string): TeamConfig | undefined {
  return config.teams.find((t) => t.services.includes(service));
}

/** Where alerts about a scope go: its team's channel; org-wide ones to `alerts.channel`. */
export function channelForScope(config: FileConfig, scope: Scope): string | undefined {
  if (scope.kind === "team") return teamById(config, scope.id)?.channel;
  if (scope.kind === "service") return teamOfService(config, scope.id)?.channel;
  return config.alerts.channel;
}
