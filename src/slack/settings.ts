import type { FileConfig, ThresholdConfig } from "../config/file.js";
import type { StoredSubscription, StoredThreshold } from "../store/slack-settings.js";

// Settings changed from Slack win over the YAML defaults (issue 8): a stored threshold replaces the
// YAML one for the same metric and scope; a subscription sets the team's channel. Pure, so the
// composition root can rebuild the effective config whenever the stored settings change.

export interface SlackSettings {
  readonly thresholds: readonly StoredThreshold[];
  readonly subscriptions: readonly StoredSubscription[];
}

export function effectiveConfig(config: FileConfig, settings: SlackSettings): FileConfig {
  if (settings.thresholds.length === 0 && settings.subscriptions.length === 0) return config;
  const key = (metric: string, team?: string, service?: string) => `${metric}|${team ?? ""}|${service ?? ""}`;
  const stored = new Map(
    settings.thresholds.map((t) => {
      const threshold: ThresholdConfig = {
        metric: t.metric,
        warn: t.warn,
        critical: t.critical,
        ...(t.scope_kind === "team" ? { team: t.scope_id } : {}),
        ...(t.scope_kind === "service" ? { service: t.scope_id } : {}),
      };
      return [key(t.metric, threshold.team, threshold.service), threshold] as const;
    }),
  );
  const thresholds = [
    ...config.thresholds.filter((t) => !stored.has(key(t.metric, t.team, t.service))),
    ...stored.values(),
  ];
  const channels = new Map(settings.subscriptions.map((s) => [s.team_id, s.channel]));
  const teams = config.teams.map((team) => (channels.has(team.id) ? { ...team, channel: channels.get(team.id) } : team));
  return Object.freeze({ ...config, thresholds, teams });
}

/** Where a threshold in the effective config came from, for `/kpi config`. */
export function thresholdOrigin(t: ThresholdConfig, settings: SlackSettings): StoredThreshold | undefined {
  const kind = t.team ? "team" : t.service ? "service" : "org";
  const id = t.team ?? t.service ?? "";
  return settings.thresholds.find((s) => s.metric === t.metric && s.scope_kind === kind && s.scope_id === id);
}
