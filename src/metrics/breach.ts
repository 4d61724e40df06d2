import type { MetricId } from "../domain/metric-ids.js";
import { METRICS } from "./catalog.js";
import type { Driver } from "../domain/answer.js";
import { formatValue } from "../present/format-value.js";
import type { BreachIncidentRow, TimedSampleRow } from "../store/rows.js";

// A breach explained (issue 13): the segments whose own value is past the warn line, furthest into
// the breach first, whatever the change against the previous window; and, for the metrics incidents
// move, the incidents or outages of those services that put them there.

const HOUR_MS = 3_600_000;
/** Incidents named per service past the line, and in all. */
const PER_SERVICE = 3;
const IN_ALL = 6;

export function pastTheLine(metric: MetricId, warn: number, drivers: readonly Driver[]): Driver[] {
  const worse = METRICS[metric].direction === "higher_is_worse";
  const seen = new Set<string>();
  const past = drivers
    .filter((d) => !d.rest && (d.kind === "service" || d.kind === "team") && typeof d.current === "number")
    .filter((d) => (worse ? d.current! >= warn : d.current! <= warn))
    .filter((d) => (seen.has(d.label) ? false : (seen.add(d.label), true)))
    .sort((a, b) => (worse ? b.current! - a.current! : a.current! - b.current!));
  // The services over the line name the breach; teams only when no single service is.
  const services = past.filter((d) => d.kind === "service");
  return services.length > 0 ? services : past;
}

/** What one service's incidents say about its breach: how many, their weight, the heaviest. */
export interface BreachCause {
  readonly service: string;
  readonly count: number;
  /** Hours the chosen measure adds up to (outage time, time to resolve, ...); null for counts. */
  readonly hours: number | null;
  /** "outage", "incident", "deployment-caused incident", "period below 100 %". */
  readonly noun: string;
  readonly top: { readonly title: string; readonly at: number; readonly hours: number | null };
}

/** Which incidents explain a breach of one metric, and how much each weighs (the metric's module says). */
export interface BreachPick {
  readonly noun: string;
  /** The incident's weight for this metric, or null when it does not explain this metric. */
  readonly weight: (row: BreachIncidentRow) => number | null;
  readonly hoursMeasure: boolean;
}

/** What a metric module weighs a breach's incidents with, over the answer's window. */
export interface BreachMeasures {
  /** Hours the incident was open inside the window (open ones: until now). */
  readonly overlap: (row: BreachIncidentRow) => number;
  /** Whether a time falls inside the window. */
  readonly within: (at: number | null) => at is number;
}

function measuresOf(window: { fromMs: number; toMs: number }, nowMs: number): BreachMeasures {
  const end = Math.min(window.toMs, nowMs);
  return {
    overlap: (r) => Math.max(0, Math.min(r.resolved_at ?? nowMs, end) - Math.max(r.created_at, window.fromMs)) / HOUR_MS,
    within: (at): at is number => at !== null && at >= window.fromMs && at < window.toMs,
  };
}

/**
 * The incidents or outages of the services past the line (in the order given, furthest in first):
 * per service its heaviest few as drivers (no part of a decomposition: `contribution: null`),
 * and a summary per service for the breach's question.
 */
export function breachIncidents(
  metric: MetricId,
  rows: readonly BreachIncidentRow[],
  services: readonly string[],
  window: { fromMs: number; toMs: number },
  nowMs: number,
  formatHours: (hours: number) => string,
): { drivers: Driver[]; causes: BreachCause[] } {
  const pick = METRICS[metric].breach?.(measuresOf(window, nowMs));
  if (!pick) return { drivers: [], causes: [] };
  const drivers: Driver[] = [];
  const causes: BreachCause[] = [];
  for (const service of services) {
    const weighed = rows
      .filter((r) => r.service === service)
      .map((r) => ({ r, w: pick.weight(r) }))
      .filter((x): x is { r: BreachIncidentRow; w: number } => x.w !== null && x.w >= 0)
      .sort((a, b) => b.w - a.w);
    if (weighed.length === 0) continue;
    const hoursOf = (w: number): number | null => (pick.hoursMeasure ? w : null);
    causes.push({
      service,
      count: weighed.length,
      hours: pick.hoursMeasure ? weighed.reduce((sum, x) => sum + x.w, 0) : null,
      noun: pick.noun,
      top: { title: weighed[0]!.r.title, at: weighed[0]!.r.created_at, hours: hoursOf(weighed[0]!.w) },
    });
    for (const { r, w } of weighed.slice(0, PER_SERVICE)) {
      if (drivers.length >= IN_ALL) break;
      const what = !pick.hoursMeasure ? `failed deployment ${r.deployment}` : pick.noun === "outage" ? `outage, ${formatHours(w)} down in the window` : metric === "mttr" ? `${formatHours(w)} to resolve` : metric === "mtta" ? `${formatHours(w)} to acknowledge` : `open ${formatHours(w)} in the window`;
      drivers.push({
        kind: "incident",
        label: r.title,
        contribution: null,
        share: null,
        service,
        detail: `${r.severity ? `${r.severity} ` : ""}${what}, ${new Date(r.created_at).toISOString().slice(0, 10)}; ${service} is past the line`,
        ...(r.url ? { url: r.url } : {}),
      });
    }
  }
  return { drivers, causes };
}

/** "2 outages, 7.0 h in all, the longest "…" on 2026-11-14" */
export function causeText(cause: BreachCause, formatHours: (hours: number) => string): string {
  const plural = cause.count === 1 ? cause.noun : cause.noun.startsWith("period ") ? cause.noun.replace("period ", "periods ") : `${cause.noun}s`;
  const day = new Date(cause.top.at).toISOString().slice(0, 10);
  if (cause.hours === null) return `${cause.count} ${plural}, the latest "${cause.top.title}" on ${day}`;
  const heaviest = cause.count === 1 ? `"${cause.top.title}"` : `the longest "${cause.top.title}"`;
  return `${cause.count} ${plural}, ${formatHours(cause.hours)}${cause.count === 1 ? "" : " in all"}: ${heaviest} on ${day}`;
}

/**
 * Uptime from availability samples without outage incidents to name: the samples below 100 % are
 * the outages, each down for (100 − value) % of the time it covers (until the service's next
 * sample, or the window's end, as uptime weighs them), longest first.
 */
export function sampleOutages(
  samples: readonly TimedSampleRow[],
  services: readonly string[],
  window: { fromMs: number; toMs: number },
  nowMs: number,
  formatHours: (hours: number) => string,
): { drivers: Driver[]; causes: BreachCause[] } {
  const end = Math.min(window.toMs, nowMs);
  const drivers: Driver[] = [];
  const causes: BreachCause[] = [];
  for (const service of services) {
    const own = samples.filter((s) => s.service === service).sort((a, b) => a.at - b.at);
    const down = own
      .map((s, i) => ({ s, hours: ((100 - s.value) / 100) * (Math.max(0, Math.min(own[i + 1]?.at ?? end, end) - s.at) / HOUR_MS) }))
      .filter((x) => x.s.value < 100 && x.hours > 0)
      .sort((a, b) => b.hours - a.hours);
    if (down.length === 0) continue;
    const day = (at: number): string => new Date(at).toISOString().slice(0, 10);
    const title = (s: TimedSampleRow): string => `availability ${formatValue(s.value, "percent")} from ${day(s.at)}`;
    causes.push({
      service,
      count: down.length,
      hours: down.reduce((sum, x) => sum + x.hours, 0),
      noun: "period below 100 %",
      top: { title: title(down[0]!.s), at: down[0]!.s.at, hours: down[0]!.hours },
    });
    for (const { s, hours } of down.slice(0, PER_SERVICE)) {
      if (drivers.length >= IN_ALL) break;
      drivers.push({ kind: "outage", label: title(s), contribution: null, share: null, current: s.value, service, detail: `${formatHours(hours)} down per availability samples; ${service} is past the line` });
    }
  }
  return { drivers, causes };
}
