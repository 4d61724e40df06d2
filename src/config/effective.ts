import type { FileConfig, ThresholdConfig } from "./file.js";

// The effective configuration: the YAML file with the settings admins changed from Slack on top
// (issue 8). A stored threshold replaces the YAML one for the same metric and scope; a subscription
// sets the team's channel. Built here only, and cached by the settings' revision, so `vitals start`,
// every listener, the jobs and `vitals ask` see the same config (issue 12 item 3).

/** A threshold set with `/kpi threshold set` (the store's row has these fields and more). */
interface ThresholdOverride {
  readonly metric: ThresholdConfig["metric"];
  readonly scope_kind: "org" | "team" | "service";
  readonly scope_id: string;
  readonly warn: number;
  readonly critical: number;
}

/** A team channel set with `/kpi subscribe`. */
interface ChannelOverride {
  readonly team_id: string;
  readonly channel: string;
}

export interface SlackSettings {
  readonly thresholds: readonly ThresholdOverride[];
  readonly subscriptions: readonly ChannelOverride[];
}

/** Where the stored settings come from (the store's `slack` part); the revision changes with every write. */
export interface SettingsSource {
  revision(): number;
  thresholds(): readonly ThresholdOverride[];
  subscriptions(): readonly ChannelOverride[];
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

/**
 * The effective config of `base` as a function, rebuilt only when the stored settings changed:
 * the one cache every part reads through (the composition root puts it behind `deps.config`).
 */
export function effectiveConfigSource(base: FileConfig, settings: SettingsSource): () => FileConfig {
  let cached: { revision: number; config: FileConfig } | undefined;
  return () => {
    const revision = settings.revision();
    if (!cached || cached.revision !== revision) {
      cached = { revision, config: effectiveConfig(base, { thresholds: settings.thresholds(), subscriptions: settings.subscriptions() }) };
    }
    return cached.config;
  };
}
