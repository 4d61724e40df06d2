import type { AppDeps } from "../app-deps.js";
import type { FileConfig, TeamConfig } from "../config/file.js";
import type { Scope } from "../domain/scope.js";
import type { KpiEngine } from "./engine.js";
import type { SlackCallOptions, SlackClient } from "./slack-calls.js";

/** What every job run needs: the app's deps, a Slack client and the KPI engine. */
export interface JobContext {
  readonly deps: AppDeps;
  readonly slack: SlackClient;
  readonly engine: KpiEngine;
  /** Waits between rate-limited retries (tests pass a recorder instead of a real sleep). */
  readonly sleep?: (ms: number) => Promise<void>;
}

export function callOptions(ctx: JobContext): SlackCallOptions {
  return { logger: ctx.deps.logger, ...(ctx.sleep ? { sleep: ctx.sleep } : {}) };
}

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
