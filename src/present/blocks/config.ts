import type { FileConfig } from "../../config/file.js";
import { describeFilter, type IncidentFilters } from "../../domain/incident-filter.js";
import { formatValue } from "../format-value.js";
import { METRICS } from "../../metrics/catalog.js";
import type { RenderedMessage } from "./answer.js";
import { escapeMrkdwn } from "./format-slack.js";
import { bulletSection, context, header } from "./kit.js";

// `/kpi config`: the settings in force, marking those changed from Slack (they win over the YAML).

/** A person's verdict on an incident, as the audit lists it. */
interface IncidentVerdictRow {
  readonly external_id: string;
  readonly title: string;
  readonly verdict: "deployment" | "unrelated";
  readonly deployment_external_id: string | null;
  readonly verdict_by: string | null;
  readonly verdict_at: number | null;
  readonly verdict_via: "command" | "confirmation" | null;
}

export interface ConfigListing {
  readonly config: FileConfig;
  /** Threshold keys `metric|team|service` set from Slack, with who set them. */
  readonly thresholdsFromSlack: ReadonlyMap<string, { by: string; atIso: string }>;
  readonly channelsFromSlack: ReadonlyMap<string, { by: string; atIso: string }>;
  readonly admins: readonly string[];
  /** Which incidents count (resolved config `incidents`) and the links people set, newest first. */
  readonly incidentFilters?: IncidentFilters;
  readonly verdicts?: { readonly rows: readonly IncidentVerdictRow[]; readonly total: number };
}

/** One audit line per person's verdict: what, by whom, when, how. */
function verdictLine(v: IncidentVerdictRow): string {
  const what = v.verdict === "unrelated" ? "not caused by a deployment" : `caused by deployment \`${escapeMrkdwn(v.deployment_external_id ?? "(deleted)")}\``;
  const who = v.verdict_by && v.verdict_by !== "unknown" ? `<@${v.verdict_by}>` : "someone";
  const when = v.verdict_at !== null ? ` ${new Date(v.verdict_at).toISOString().slice(0, 16).replace("T", " ")} UTC` : "";
  return `\`${escapeMrkdwn(v.external_id)}\` ${escapeMrkdwn(v.title.slice(0, 80))}: ${what} _(${who}${when}, ${v.verdict_via === "confirmation" ? "confirmation message" : "/kpi link"})_`;
}

function filterLines(filters: IncidentFilters): string[] {
  const lines = [
    `change failure: ${describeFilter(filters.topLevel.changeFailure)} · recovery (MTTR, MTTA): ${describeFilter(filters.topLevel.recovery)}`,
  ];
  for (const o of filters.overrides) lines.push(`${o.where}, ${o.kind === "change_failure" ? "change failure" : "recovery"}: ${describeFilter(o.filter)}`);
  return lines.map(escapeMrkdwn);
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
      ...(listing.incidentFilters ? [bulletSection("Incidents that count", filterLines(listing.incidentFilters))] : []),
      ...(listing.verdicts
        ? [bulletSection(
            `Incident links set by people (${listing.verdicts.total})`,
            listing.verdicts.rows.length > 0
              ? [...listing.verdicts.rows.map(verdictLine), ...(listing.verdicts.total > listing.verdicts.rows.length ? [`… and ${listing.verdicts.total - listing.verdicts.rows.length} older`] : [])]
              : ["none: `/kpi link <incident> <deployment|unrelated>`, or answers to confirmation messages"],
          )]
        : []),
      context([
        `time zone ${config.timezone} · CFR attribution window ${config.metrics.attribution_window_hours} h · admins: ${listing.admins.length > 0 ? listing.admins.map((a) => `<@${a}>`).join(", ") : "workspace admins only"}`,
      ]),
    ],
  };
}
