import type { MetricId } from "../domain/metric-ids.js";
import { METRICS } from "./catalog.js";
import type { AnswerAnnotation, Driver, Finding } from "../domain/answer.js";
import type { TrendTest } from "../domain/answer.js";
import { ALPHA, type ChangeTest } from "./significance.js";

// The root-cause questions of an answer, each earned by evidence (docs/metrics.md "Evidence for a
// question"): the metric's own findings (tested against their base rate), the segment holding
// the change, an annotation only when it matches the scope and falls near the series' change
// point; on a change within normal variation, the answer says so instead of inventing causes.

const DAY_MS = 86_400_000;
/** An annotation this close to the series' change point may explain it. */
const NEAR_CHANGE_POINT_MS = 7 * DAY_MS;

export interface FindingsInput {
  metric: MetricId;
  /** The metric's own findings (weekday, stage, incident, ...). */
  own: readonly Finding[];
  /** The segment decompositions shown (team, service), whole. */
  segments: readonly Driver[];
  annotations: readonly AnswerAnnotation[];
  /** The scope's services (null: the organisation) and team, for matching annotations. */
  scope: { services: readonly string[] | null; team: string | null };
  change: number | null;
  test: ChangeTest;
  trend: TrendTest;
  series: ReadonlyArray<{ fromMs: number; value: number | null }>;
  /** Samples in the previous and current window. */
  n: { previous: number; current: number };
  format: (value: number | null) => string;
  formatChange: (value: number) => string;
}

export function buildFindings(input: FindingsInput): Finding[] {
  const findings: Finding[] = [];
  const nTotal = input.n.previous + input.n.current;
  const movedBeyondNoise = input.test.significant === true || input.trend.significant === true;
  if (input.test.significant === false && input.change !== null) {
    findings.push({
      kind: "no_change",
      text: `The change (${input.formatChange(input.change)}) is within normal variation (${input.test.test}, ${pText(input.test.p_value)}, n = ${input.n.previous} vs ${input.n.current}): no cause to look for yet.`,
      evidence: { observed: input.change, expected: 0, n: nTotal, p_value: input.test.p_value },
    });
  }
  // Findings tested against their own base rate stand on their own; the others need a real move.
  for (const f of input.own) {
    if (f.evidence.p_value !== null ? f.evidence.p_value < ALPHA : input.test.significant !== false) findings.push(f);
  }
  // A segment "holding the change" is a question only when the change is a signal: a level without
  // a test (uptime, coverage, cost) earns it by a sustained trend, not by a tiny move.
  if (movedBeyondNoise && input.change) {
    const top = input.segments.find((d) => !d.rest && (d.kind === "team" || d.kind === "service") && (d.share ?? 0) >= 50);
    if (top) {
      const info = METRICS[input.metric];
      const worse = info.direction === "higher_is_worse" ? input.change > 0 : input.change < 0;
      const share = (top.share ?? 0) > 100 ? "more than the whole change (others offset part of it)" : `${Math.round(top.share ?? 0)} % of the change`;
      findings.push({
        kind: top.kind,
        text: `${top.label} accounts for ${share} (${input.format(top.previous ?? null)} → ${input.format(top.current ?? null)}): what changed there${worse ? " that made it worse" : ""}?`,
        evidence: { observed: top.contribution ?? 0, expected: input.change, n: input.segments.filter((d) => d.kind === top.kind).length, p_value: input.test.p_value },
      });
    }
  }
  if (movedBeyondNoise) {
    const point = changePoint(input.series);
    if (point) {
      // The segment holding most of the change first, then the closest to the change point.
      const topSegment = input.segments.find((d) => !d.rest && (d.kind === "service" || d.kind === "team"))?.label;
      const candidates = input.annotations
        .filter((a) => scopeMatches(a, input.scope) && Math.abs(Date.parse(a.at) - point.atMs) <= NEAR_CHANGE_POINT_MS)
        .sort((x, y) => Number(y.service === topSegment || y.team === topSegment) - Number(x.service === topSegment || x.team === topSegment) || Math.abs(Date.parse(x.at) - point.atMs) - Math.abs(Date.parse(y.at) - point.atMs));
      for (const a of candidates) {
        findings.push({
          kind: "annotation",
          text: `"${a.text}" (${a.at.slice(0, 10)}${a.service ? `, ${a.service}` : ""}) falls at the week ${METRICS[input.metric].label.toLowerCase()} moved (${input.format(point.before)} → ${input.format(point.after)} a week): did it cause it?`,
          evidence: { observed: point.after, expected: point.before, n: point.weeks, p_value: input.trend.significant ? input.trend.p_value : input.test.p_value },
        });
        break;
      }
    }
  }
  return findings.slice(0, 4);
}

/** An annotation for this scope: one of its services, its team, or (for the org) any. */
function scopeMatches(a: AnswerAnnotation, scope: FindingsInput["scope"]): boolean {
  if (scope.services === null) return true;
  if (a.service) return scope.services.includes(a.service);
  return a.team !== null && a.team === scope.team;
}

/**
 * The single change point of the weekly series: the split that maximises the difference of the
 * means before and after (at least two weeks on each side).
 */
function changePoint(series: FindingsInput["series"]): { atMs: number; before: number; after: number; weeks: number } | null {
  const points = series.filter((p): p is { fromMs: number; value: number } => p.value !== null);
  if (points.length < 4) return null;
  let best: { atMs: number; before: number; after: number; weeks: number; gap: number } | null = null;
  for (let k = 2; k <= points.length - 2; k++) {
    const before = points.slice(0, k).reduce((s, p) => s + p.value, 0) / k;
    const after = points.slice(k).reduce((s, p) => s + p.value, 0) / (points.length - k);
    const gap = Math.abs(after - before) * Math.sqrt((k * (points.length - k)) / points.length);
    if (!best || gap > best.gap) best = { atMs: points[k]!.fromMs, before, after, weeks: points.length, gap };
  }
  return best;
}

/** "p = 0.03", "p < 0.001": the p-value as a clause, so a tiny one does not read "p = < 0.001". */
export function pText(p: number | null): string {
  const text = formatP(p);
  return text.startsWith("<") ? `p ${text}` : `p = ${text}`;
}

export function formatP(p: number | null): string {
  if (p === null) return "N/A";
  if (p < 0.001) return "< 0.001";
  return p < 0.01 ? p.toFixed(3) : p.toFixed(2);
}
