import type { FileConfig } from "../config/file.js";
import { DAY_MS } from "../domain/scope.js";
import type { CountRow, ExplainReads, IncidentCoverage, SampleCoverage } from "../store/explain-reads.js";
import { SHAPLEY_MAX_GROUPS } from "./decompose.js";
import type { BreachMeasures, BreachPick } from "./breach.js";
import type { ExplainInput } from "./spec.js";
import { HOUR_MS } from "../domain/scope.js";

// Words several metric modules share: where a definition comes from, the settings they name, the
// attribution and test phrases of docs/metrics.md "Change, attribution and significance", the
// source hints, and the coverage lines of `explain`.

export const SPEC = "METRICS.md" as const;
export const DORA = "DORA" as const;
export { SHAPLEY_MAX_GROUPS };

export const RATIO = "shift-share of the ratio Σa ÷ Σb by service (team: by service; organisation: by team and by service): part = mean weight × Δrate + (mean rate − pooled mean rate) × Δweight, midpoint weights, so the parts add up to the change exactly";
export const MEAN = "weighted mix of means, split like a ratio of sums (Σ durations ÷ count, or the mean over services): the parts add up to the change exactly";
export const REST = "the five largest parts are shown, the rest is one remainder driver (`rest: true`); `share` is percent of the change and a decomposition's shares add to 100";
export const TREND = "and the 12 weekly points are tested for a sustained trend (Mann–Kendall, α = 0.05, with a Theil–Sen slope per week)";
export const THIN = "no test (null) when either window has fewer than `metrics.min_sample_size` samples";

/** Deployments come from either forge; the same settings text wherever a metric needs them. */
export const FORGE = "GitHub or GitLab";
export const FORGE_SETUP = "set `GITHUB_TOKEN` and `services[].github.repo` (GitHub) or `GITLAB_TOKEN` and `services[].gitlab.project` (GitLab)";
export const INCIDENTS_FROM_PAGERDUTY = "incidents come from PagerDuty: set `PAGERDUTY_TOKEN` and `services[].pagerduty.service_id`, then `vitals sync` (or `/kpi sync`)";

export const envSetting = (config: FileConfig) => ({ name: "production_environment", value: config.production_environment });
export const changeFailureFilter = (input: ExplainInput) => ({ name: "incidents.change_failure", value: input.filters.changeFailure });
export const recoveryFilter = (input: ExplainInput) => ({ name: "incidents.recovery", value: input.filters.recovery });
export const outageSettings = (config: FileConfig) => [
  { name: "metrics.outage_severities", value: config.metrics.outage_severities.join(", ") || "(none)" },
  { name: "pagerduty.outage_priorities", value: `${config.pagerduty.outage_priorities.join(", ") || "(none)"} (with high urgency)` },
];

export const count = (value: number): string => value.toLocaleString("en-US");

export function day(atMs: number | null): string {
  return atMs === null ? "?" : new Date(atMs).toISOString().slice(0, 10);
}

function ageDays(nowMs: number, atMs: number): number {
  return Math.max(0, Math.floor((nowMs - atMs) / DAY_MS));
}

function list(rows: readonly CountRow[]): string {
  return rows.map((r) => `${r.key ?? "unnamed"}: ${r.n.toLocaleString("en-US")}`).join(", ");
}

export function sampleOf(samples: readonly SampleCoverage[], name: string): SampleCoverage | undefined {
  return samples.find((s) => s.name === name && s.n > 0);
}

export async function incidentCoverage(reads: ExplainReads, config: FileConfig): Promise<IncidentCoverage> {
  return await reads.incidents(config.metrics.outage_severities, config.pagerduty.outage_priorities);
}

export function unmappedLine(lines: string[], unmapped: number, top: readonly CountRow[], consequence: string): void {
  if (unmapped === 0) {
    lines.push("Every incident is on a known service.");
    return;
  }
  lines.push(`${unmapped.toLocaleString("en-US")} incidents are on unmapped services (${list(top)}): they ${consequence}. Map them in the config (services[].pagerduty.service_id).`);
}

/** The deployment lines every delivery metric's coverage starts with. */
export async function deploymentLines(reads: ExplainReads, config: FileConfig): Promise<string[]> {
  const lines: string[] = [];
  const env = config.production_environment;
  const d = await reads.deployments();
  if (d.prod_success === 0) {
    lines.push(`No successful "${env}" deployments in the store yet.`);
  } else {
    lines.push(`${count(d.prod_success)} successful "${env}" deployments stored (${day(d.first_at)} to ${day(d.last_at)}); ${count(d.prod_failed)} failed ones are not counted as deployments.`);
  }
  const others = await reads.otherEnvironments();
  if (d.other_env > 0) lines.push(`${count(d.other_env)} deployments to other environments are ignored (${list(others)}).`);
  return lines;
}

/** Rollbacks naming a deployment the store does not hold (change failure and rework rate). */
export async function unresolvedRollbacks(reads: ExplainReads): Promise<string[]> {
  const d = await reads.deployments();
  return d.unresolved_rollbacks > 0 ? [`${count(d.unresolved_rollbacks)} rollbacks name a deployment that is not in the store, so they mark nothing as failed.`] : [];
}

/** The incident lines MTTR and MTTA share. */
export async function incidentLines(reads: ExplainReads, input: ExplainInput, acknowledgement: boolean): Promise<string[]> {
  const lines: string[] = [];
  const i = await incidentCoverage(reads, input.config);
  lines.push(`${count(i.total)} incidents stored: ${count(i.resolved)} resolved, ${count(i.open)} open${i.oldest_open_at !== null ? ` (oldest opened ${day(i.oldest_open_at)}, ${ageDays(input.nowMs, i.oldest_open_at)} days ago)` : ""}; open incidents are excluded and counted.`);
  if (acknowledgement) lines.push(`${count(i.unacknowledged)} incidents were never acknowledged (no time-to-acknowledge sample).`);
  lines.push(`Incidents that count toward MTTR and MTTA (incidents.recovery): ${input.filters.recovery}; ${count(i.recovery_filtered)} stored incidents left out.`);
  unmappedLine(lines, i.unmapped, await reads.unmappedServices(), "count at org scope only, not for any team or service");
  return lines;
}

/** A level's coverage (code coverage, technical debt). */
export async function levelLines(reads: ExplainReads, sample: string): Promise<string[]> {
  const s = sampleOf(await reads.samples(), sample);
  const total = await reads.serviceCount();
  return [s ? `${count(s.n)} samples for ${s.services} of ${total} services (${day(s.first_at)} to ${day(s.last_at)}); services without a sample have no value.` : "No samples stored."];
}

/** A breach of change failure or rework rate: the incidents that failed a deployment in the window, latest first. */
export const deploymentCausedIncidents = ({ within }: BreachMeasures): BreachPick => ({
  noun: "deployment-caused incident",
  hoursMeasure: false,
  weight: (r) => (r.deployment !== null && within(r.created_at) ? r.created_at / HOUR_MS : null),
});
