import type { FileConfig } from "../config/file.js";
import type { MetricId } from "../domain/metric-ids.js";
import { METRICS } from "../metrics/catalog.js";
import type { Scope } from "../domain/scope.js";
import { buildFrame, type Frame } from "../metrics/frame.js";
import { breachIncidents, causeText, pastTheLine, sampleOutages, type BreachCause } from "../metrics/breach.js";
import { buildFindings } from "../metrics/findings.js";
import { mannKendall, NO_TEST } from "../metrics/significance.js";
import { thresholdFor, thresholdStatus } from "../metrics/thresholds.js";
import type { MetricOutcome, WindowResult } from "../metrics/types.js";
import type { ScopeServices } from "../store/metric-reads.js";
import type { AnswerAnnotation, Driver, Finding, KpiAnswer, SeriesPoint } from "../domain/answer.js";
import { incidentCounting } from "./incident-counting.js";
import { formatHours, formatSigned, formatValue } from "../present/format-value.js";
import type { KpiRequest, QueryContext } from "./types.js";

// Answers one KPI question from the store: the metric over the window, the previous window, the
// 12-week series, tier, threshold status, drivers, prompts, annotations (src/domain/answer.ts), from
// the metric's module in the catalog (src/metrics/catalog.ts).

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

/**
 * The metric's read (all I/O, through the store's reads, awaited: issue 19) and then its pure,
 * synchronous computation, both from the metric's module (src/metrics/<family>/<id>.ts).
 */
async function computeMetric(ctx: QueryContext, metric: MetricId, scope: ResolvedScope, frame: Frame): Promise<MetricOutcome> {
  const spec = METRICS[metric];
  const data = await spec.read(ctx.store.reads.metric, { frame, services: scope.services, productionEnvironment: ctx.store.options.productionEnvironment, config: ctx.config, nowMs: ctx.nowMs });
  return spec.compute(data, { frame, config: ctx.config, nowMs: ctx.nowMs });
}

const iso = (ms: number): string => new Date(ms).toISOString();

export async function answerKpi(ctx: QueryContext, request: KpiRequest): Promise<KpiAnswer> {
  const { config } = ctx;
  const info = METRICS[request.metric];
  const catalog = new Map((await ctx.store.catalog.services()).map((s) => [s.id, s.team_id]));
  const scope = resolveScope(config, request.scope, catalog);
  const frame = buildFrame(request.window, scope.zone);
  const outcome = await computeMetric(ctx, request.metric, scope, frame);
  const { current, previous } = outcome;

  const absolute = current.value !== null && previous.value !== null ? current.value - previous.value : null;
  const minimum = config.metrics.min_sample_size;
  const thin = current.sample_size < minimum || previous.sample_size < minimum;
  // Below the minimum sample size in either window no test applies (docs/metrics.md "Significance").
  const test = thin || absolute === null ? NO_TEST : outcome.test;
  const change = {
    absolute,
    percent: absolute !== null && previous.value ? (100 * absolute) / Math.abs(previous.value) : null,
    significant: test.significant,
    p_value: test.p_value,
    test: test.test,
  };
  const trend = mannKendall(outcome.series.map((r) => r.value));

  const threshold = thresholdFor(config, request.metric, request.scope, scope.team);
  const status = threshold ? thresholdStatus(current.value, threshold, info.direction) : null;
  const annotations: AnswerAnnotation[] = (await ctx.store.reads.metric.annotations(request.window, scope.services, scope.team)).map((a) => ({ at: iso(a.at), text: a.text, service: a.service_id, team: a.team_id }));

  const counting = await incidentCounting(ctx.store.reads.metric, ctx.store.incidentFilters, request.metric, request.window, scope.services);
  if (counting) Object.assign(current.stats, counting.stats);

  const notes = [...outcome.notes];
  const noun = info.sampleNoun;
  const format = (v: number | null): string => formatValue(v, info.unit);
  let drivers: Driver[] = [];
  let prompts: string[] = [];
  let findings: Finding[] = [];
  const segmentsOf = (): Driver[] => [
    ...(request.scope.kind === "org" ? outcome.decompose(scope.teamOf, "team") : []),
    ...(request.scope.kind !== "service" ? outcome.decompose((s) => s, "service") : []),
  ];
  if (thin) {
    // Too few samples to say what moved it: say so rather than invent drivers (issue 3). Items
    // that are facts rather than attributions (the failed deployments themselves) still show.
    const thinNote = `Only ${current.sample_size} ${noun} in this window and ${previous.sample_size} in the previous one (fewer than ${minimum}): too thin to say what moved it.`;
    notes.push(thinNote);
    prompts = [thinNote];
    drivers = outcome.details.filter((d) => d.contribution === null);
  } else {
    const segments = segmentsOf();
    drivers = [...segments, ...outcome.details];
    findings = buildFindings({
      metric: request.metric,
      own: outcome.findings,
      segments,
      annotations,
      scope: { services: scope.services, team: scope.team },
      change: absolute,
      test,
      trend,
      series: frame.weeks.map((w, i) => ({ fromMs: w.fromMs, value: outcome.series[i]!.value })),
      n: { previous: previous.sample_size, current: current.sample_size },
      format,
      // A small change keeps its digits ("+0.04 pp", not "+0.0 pp").
      formatChange: (v) => formatSigned(v, info.unit),
    });
    prompts = findings.map((f) => f.text);
  }
  if (status === "warn" || status === "critical") {
    // What is over the line, whatever the change: every service's own value (not only the movers).
    const everyService = request.scope.kind === "service" ? [] : outcome.decompose((s) => s, "service", Infinity);
    const shown = new Set(drivers.filter((d) => d.kind === "service").map((d) => d.label));
    const past = pastTheLine(request.metric, threshold!.warn, everyService).filter((d) => !shown.has(d.label));
    drivers = [...drivers, ...past.map((d): Driver => ({ kind: "service", label: d.label, contribution: null, share: null, current: d.current ?? null, service: d.label, detail: `past the warn line (${format(threshold!.warn)})` }))];
    // And what put those services there: their incidents or outages in the window.
    const overTheLine = request.scope.kind === "service" ? [request.scope.id!] : pastTheLine(request.metric, threshold!.warn, drivers).filter((d) => d.kind === "service").map((d) => d.label);
    // A second awaited round: which incidents to read depends on the computed drivers.
    const rows = await ctx.store.reads.metric.breachIncidents(request.window, config.metrics.outage_severities, config.pagerduty.outage_priorities, overTheLine);
    const explained = breachIncidents(request.metric, rows, overTheLine, request.window, ctx.nowMs, formatHours);
    const unexplained = request.metric === "uptime" ? overTheLine.filter((s) => !explained.causes.some((c) => c.service === s)) : [];
    if (unexplained.length > 0) {
      // Availability samples without outage incidents: the periods below 100 % are the outages.
      const fromSamples = sampleOutages(await ctx.store.reads.metric.timedSamples("uptime_pct", request.window, unexplained), unexplained, request.window, ctx.nowMs, formatHours);
      explained.drivers.push(...fromSamples.drivers);
      explained.causes.push(...fromSamples.causes);
      explained.causes.sort((a, b) => overTheLine.indexOf(a.service) - overTheLine.indexOf(b.service));
    }
    // The failed deployments already name their incidents; MTTR's incident drivers are the same incidents.
    const alreadyShown = new Set(drivers.map((d) => d.url).filter((u) => u !== undefined));
    const failedShown = drivers.some((d) => d.kind === "deployment");
    drivers = [...drivers, ...explained.drivers.filter((d) => !failedShown && !(d.url && alreadyShown.has(d.url)))];
    const breach = breachFinding(request.metric, status, threshold!, drivers, format, new Map(explained.causes.map((c) => [c.service, c])), request.scope.kind === "service" ? (current.value ?? null) : null);
    if (breach) {
      findings = [breach, ...findings];
      prompts = [breach.text, ...prompts];
    }
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
    interval: outcome.interval,
    trend,
    tier: outcome.tier,
    threshold: {
      status,
      warn: threshold?.warn ?? null,
      critical: threshold?.critical ?? null,
    },
    series: frame.weeks.map((w, i): SeriesPoint => point(w, outcome.series[i]!)),
    drivers,
    prompts,
    findings,
    annotations,
    definition: info.definitionLine(current, request.windowLabel) + (counting?.definition ?? ""),
    notes,
  };
}

const point = (w: { fromMs: number; toMs: number }, result: WindowResult): SeriesPoint => ({
  from: iso(w.fromMs),
  to: iso(w.toMs),
  value: result.value,
  sample_size: result.sample_size,
});

/**
 * A breach explained: the segments (services, teams) whose own value is past the line, furthest
 * first, even when the change against the previous window is small.
 */
function breachFinding(
  metric: MetricId,
  status: "warn" | "critical",
  levels: { warn: number; critical: number },
  drivers: readonly Driver[],
  format: (v: number | null) => string,
  causes: ReadonlyMap<string, BreachCause>,
  serviceValue: number | null,
): Finding | null {
  const line = status === "critical" ? levels.critical : levels.warn;
  const lead = `${status === "critical" ? "Critical" : "Warn"} (line ${format(line)})`;
  const because = (service: string): string => {
    const cause = causes.get(service);
    return cause ? `: ${causeText(cause, formatHours)}` : "";
  };
  if (serviceValue !== null) {
    // A service's own answer: the service is the breach; its incidents say what put it there.
    const [service] = [...causes.keys()];
    if (service) return {
      kind: "breach",
      text: `${lead}: ${service} is past the warn line with ${causeText(causes.get(service)!, formatHours)}: ${causes.get(service)!.count === 1 ? "what caused it, and could it recur?" : "what do they have in common?"}`,
      evidence: { observed: serviceValue, expected: line, n: causes.get(service)!.count, p_value: null },
    };
  }
  const unique = pastTheLine(metric, levels.warn, drivers);
  if (unique.length === 0) return null;
  const named = unique.slice(0, 3).map((d) => `${d.label} (${format(d.current ?? null)}${because(d.label)})`).join(", ");
  return {
    kind: "breach",
    text: `${lead}: past the warn line ${named}: what is different there?`,
    evidence: { observed: unique[0]!.current!, expected: line, n: unique.length, p_value: null },
  };
}
