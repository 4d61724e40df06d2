import type { FileConfig } from "../config/file.js";
import { METRICS, type MetricId } from "../domain/metric-ids.js";
import type { Scope } from "../domain/scope.js";
import { definitionLine, sampleNoun } from "../metrics/definitions.js";
import { deploymentFrequency, deploymentRatio } from "../metrics/delivery.js";
import { buildFrame, offsetSegments, type Frame } from "../metrics/frame.js";
import { incidentTimes } from "../metrics/incidents.js";
import { leadTime } from "../metrics/lead-time.js";
import { buildPrompts } from "../metrics/prompts.js";
import { costPerUser, errorRate, latencyP95, level, uptime } from "../metrics/reliability.js";
import { thresholdFor, thresholdStatus } from "../metrics/thresholds.js";
import type { MetricOutcome, WindowResult } from "../metrics/types.js";
import type { Db } from "../store/db.js";
import { metricReads, type MetricReads, type ScopeServices } from "../store/metric-reads.js";
import type { AnswerAnnotation, Driver, KpiAnswer, SeriesPoint } from "./answer.js";
import { incidentCounting } from "./incident-counting.js";
import type { KpiRequest, QueryContext } from "./types.js";

// Answers one KPI question from the store: the metric over the window, the previous window, the
// 12-week series, tier, threshold status, drivers, prompts, annotations (src/query/answer.ts).

const readsByDb = new WeakMap<Db, MetricReads>();

function readsOf(db: Db): MetricReads {
  let reads = readsByDb.get(db);
  if (!reads) readsByDb.set(db, (reads = metricReads(db)));
  return reads;
}

export interface ResolvedScope {
  /** Scope services, or null for the organisation. */
  services: ScopeServices;
  team: string | null;
  zone: string;
  /** Service → team for the org's "by team" drivers. */
  teamOf: (service: string) => string;
}

export function resolveScope(config: FileConfig, scope: Scope, catalogTeams: ReadonlyMap<string, string | null>): ResolvedScope {
  const teamOfService = new Map<string, string>();
  for (const [service, team] of catalogTeams) if (team) teamOfService.set(service, team);
  for (const team of config.teams) for (const service of team.services) teamOfService.set(service, team.id);
  const teamOf = (service: string): string => teamOfService.get(service) ?? "(no team)";
  const zoneOf = (team: string | null): string => config.teams.find((t) => t.id === team)?.timezone ?? config.timezone;
  if (scope.kind === "org") return { services: null, team: null, zone: config.timezone, teamOf };
  if (scope.kind === "service") {
    const team = teamOfService.get(scope.id) ?? null;
    return { services: [scope.id], team, zone: zoneOf(team), teamOf };
  }
  const services = [...teamOfService].filter(([, team]) => team === scope.id).map(([service]) => service).sort();
  return { services, team: scope.id, zone: zoneOf(scope.id), teamOf };
}

/** Run the metric's reads and pure computation. */
export function computeMetric(ctx: QueryContext, metric: MetricId, scope: ResolvedScope, frame: Frame): MetricOutcome {
  const reads = readsOf(ctx.store.db);
  const env = ctx.store.options.productionEnvironment;
  const { services } = scope;
  const current = frame.current;
  switch (metric) {
    case "deployment_frequency":
      return deploymentFrequency(
        reads.deploymentSlices(env, frame.cuts, services, false),
        reads.deployDays(env, current, offsetSegments(current, frame.zone), services),
        frame,
      );
    case "change_failure_rate":
    case "rework_rate":
      return deploymentRatio(
        metric,
        reads.deploymentSlices(env, frame.cuts, services, metric === "change_failure_rate"),
        reads.flaggedDeployments(metric === "change_failure_rate" ? "failed" : "rework", env, current, services),
        frame,
        (ids) => reads.deploymentDetails(ids),
      );
    case "lead_time":
      return leadTime(
        {
          samples: reads.leadTimes(frame.cuts, services),
          stages: reads.leadTimeStages(current, services),
          stageSums: { previous: reads.leadTimeStageSums(frame.previous, services, false), current: reads.leadTimeStageSums(current, services, false) },
          stageSumsByService: () => ({ previous: reads.leadTimeStageSums(frame.previous, services), current: reads.leadTimeStageSums(current, services) }),
        },
        frame,
      );
    case "mttr":
    case "mtta": {
      const column = metric === "mttr" ? "resolved_at" : "acknowledged_at";
      return incidentTimes(
        metric,
        reads.incidentSlices(column, frame.cuts, services),
        reads.incidents(column, { fromMs: frame.previous.fromMs, toMs: current.toMs }, services),
        reads.openAt(metric === "mttr" ? "unresolved" : "unacknowledged", current.toMs, services),
        frame,
        ctx.nowMs,
        (ids) => reads.incidentTitles(ids),
      );
    }
    case "uptime":
      return uptime(
        services ?? reads.knownServices(),
        reads.timedSamples("uptime_pct", frame.range, services),
        (derived) => reads.outages(frame.range, ctx.config.metrics.outage_severities, ctx.config.pagerduty.outage_priorities, derived),
        frame,
        ctx.nowMs,
      );
    case "latency_p95":
      return latencyP95(reads.latencySlices(frame.cuts, services), frame);
    case "error_rate":
      return errorRate(reads.errorSlices(frame.cuts, services), frame);
    case "coverage":
    case "tech_debt_ratio":
      return level(reads.levelSamples(metric === "coverage" ? "coverage_pct" : "tech_debt_ratio_pct", frame.range, services), frame);
    case "cost_per_user":
      return costPerUser(
        reads.sumSlices("infra_cost_usd", frame.cuts, services, true),
        reads.taggedTotals("infra_cost_usd", frame.cuts),
        reads.sumSlices("active_users", frame.cuts, services, true),
        services,
        ctx.config.cost.share_untagged,
        frame,
      );
  }
}

const iso = (ms: number): string => new Date(ms).toISOString();

export function answerKpi(ctx: QueryContext, request: KpiRequest): KpiAnswer {
  const { config } = ctx;
  const info = METRICS[request.metric];
  const catalog = new Map(ctx.store.catalog.services().map((s) => [s.id, s.team_id]));
  const scope = resolveScope(config, request.scope, catalog);
  const frame = buildFrame(request.window, scope.zone);
  const outcome = computeMetric(ctx, request.metric, scope, frame);
  const { current, previous } = outcome;

  const absolute = current.value !== null && previous.value !== null ? current.value - previous.value : null;
  const change = {
    absolute: absolute === null ? null : Number(absolute.toFixed(4)),
    percent: absolute !== null && previous.value ? Number(((100 * absolute) / Math.abs(previous.value)).toFixed(2)) : null,
  };

  const threshold = thresholdFor(config, request.metric, request.scope, scope.team);
  const annotations: AnswerAnnotation[] = readsOf(ctx.store.db)
    .annotations(request.window, scope.services, scope.team)
    .map((a) => ({ at: iso(a.at), text: a.text, service: a.service_id, team: a.team_id }));

  const counting = incidentCounting(readsOf(ctx.store.db), ctx.store.incidentFilters, request.metric, request.window, scope.services);
  if (counting) Object.assign(current.stats, counting.stats);

  const notes = [...outcome.notes];
  const minimum = config.metrics.min_sample_size;
  const noun = sampleNoun(request.metric);
  let drivers: Driver[] = [];
  let prompts: string[] = [];
  if (current.sample_size < minimum || previous.sample_size < minimum) {
    // Too few samples to say what moved it: say so rather than invent drivers (issue 3). Items
    // that are facts rather than attributions (the failed deployments themselves) still show.
    const thin = `Only ${current.sample_size} ${noun} in this window and ${previous.sample_size} in the previous one (fewer than ${minimum}): too thin to say what moved it.`;
    notes.push(thin);
    prompts = [thin];
    drivers = outcome.details.filter((d) => d.contribution === null);
  } else {
    const segments: Driver[] = [];
    if (request.scope.kind === "org") segments.push(...meaningful(outcome.decompose(scope.teamOf, "team")).slice(0, 5));
    if (request.scope.kind !== "service") segments.push(...meaningful(outcome.decompose((s) => s, "service")).slice(0, 5));
    drivers = [...segments, ...outcome.details];
    const format = (v: number | null): string => formatValue(v, info.unit);
    prompts = buildPrompts({ metric: request.metric, hints: outcome.hints, segments, annotations, change: change.absolute, format });
  }
  if (current.value === null) notes.push(`No ${noun} in the window: the value is N/A.`);

  return {
    metric: request.metric,
    label: info.label,
    window: { from: iso(request.window.fromMs), to: iso(request.window.toMs), label: request.windowLabel },
    scope: { kind: request.scope.kind, id: request.scope.id },
    value: current.value,
    unit: info.unit,
    sample_size: current.sample_size,
    stats: current.stats,
    previous: { window: { from: iso(frame.previous.fromMs), to: iso(frame.previous.toMs) }, value: previous.value, sample_size: previous.sample_size },
    change,
    tier: outcome.tier,
    threshold: {
      status: threshold ? thresholdStatus(current.value, threshold, info.direction) : null,
      warn: threshold?.warn ?? null,
      critical: threshold?.critical ?? null,
    },
    series: frame.weeks.map((w, i): SeriesPoint => point(w, outcome.series[i]!)),
    drivers,
    prompts,
    annotations,
    definition: definitionLine(request.metric, current, request.windowLabel) + (counting?.definition ?? ""),
    notes,
  };
}

const point = (w: { fromMs: number; toMs: number }, result: WindowResult): SeriesPoint => ({
  from: iso(w.fromMs),
  to: iso(w.toMs),
  value: result.value,
  sample_size: result.sample_size,
});

/** Segments that moved the metric (a zero contribution explains nothing). */
const meaningful = (drivers: Driver[]): Driver[] => drivers.filter((d) => d.contribution !== null && Math.abs(d.contribution) > 1e-9);

function formatValue(value: number | null, unit: string): string {
  if (value === null) return "N/A";
  switch (unit) {
    case "percent":
      return `${value.toFixed(1)} %`;
    case "hours":
      return value < 1 ? `${Math.round(value * 60)} min` : `${value.toFixed(1)} h`;
    case "per_day":
      return `${value.toFixed(2)}/day`;
    case "ms":
      return `${Math.round(value)} ms`;
    default:
      return `$${value.toFixed(2)}`;
  }
}
