import type { FileConfig } from "../../config/file.js";
import { formatValue } from "../digest-format.js";
import { METRICS } from "../../domain/metric-ids.js";
import type { RenderedMessage } from "./answer.js";
import { escapeMrkdwn } from "./format-slack.js";
import { bulletSection, context, header } from "./kit.js";

// `/kpi config`: the settings in force, marking those changed from Slack (they win over the YAML).

export interface ConfigListing {
  readonly config: FileConfig;
  /** Threshold keys `metric|team|service` set from Slack, with who set them. */
  readonly thresholdsFromSlack: ReadonlyMap<string, { by: string; atIso: string }>;
  readonly channelsFromSlack: ReadonlyMap<string, { by: string; atIso: string }>;
  readonly admins: readonly string[];
}

export function thresholdKey(t: { metric: string; team?: string | undefined; service?: string | undefined }): string {
  return `${t.metric}|${t.team ?? ""}|${t.service ?? ""}`;
}

export function configBlocks(listing: ConfigListing): RenderedMessage {
  const { config } = listing;
  const origin = (by?: { by: string; atIso: string }) => (by ? ` _(set in Slack by <@${by.by}> ${by.atIso.slice(0, 10)})_` : " _(vitals.yml)_");
  const thresholds = config.thresholds.map((t) => {
    const unit = METRICS[t.metric].unit;
    const scope = t.team ? `team ${t.team}` : t.service ? `service ${t.service}` : "org";
    return `\`${t.metric}\` for ${escapeMrkdwn(scope)}: warn ${formatValue(t.warn, unit)}, critical ${formatValue(t.critical, unit)}${origin(listing.thresholdsFromSlack.get(thresholdKey(t)))}`;
  });
  const teams = config.teams.map(
    (t) => `*${escapeMrkdwn(t.name)}* (\`${t.id}\`): ${t.services.length} services, channel ${t.channel ? `<#${t.channel}>` : "none"}${t.channel ? origin(listing.channelsFromSlack.get(t.id)) : ""}, ${t.timezone ?? config.timezone}`,
  );
  return {
    text: `Vitals settings: ${config.thresholds.length} thresholds, ${config.teams.length} teams`,
    blocks: [
      header("Vitals settings in force"),
      bulletSection("Thresholds", thresholds.length > 0 ? thresholds : ["none: `/kpi threshold set <metric> warn <x> critical <y>`"]),
      bulletSection("Teams", teams.length > 0 ? teams : ["none configured in vitals.yml"]),
      context([
        `time zone ${config.timezone} · CFR attribution window ${config.metrics.attribution_window_hours} h · admins: ${listing.admins.length > 0 ? listing.admins.map((a) => `<@${a}>`).join(", ") : "workspace admins only"}`,
      ]),
    ],
  };
}
