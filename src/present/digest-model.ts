import { ALPHA, holm } from "../metrics/significance.js";
import type { AnswerAnnotation, KpiAnswer } from "../domain/answer.js";

// What a weekly digest says, decided from the week's KPI answers (pure). The text and Block Kit
// renderers and the chart all draw from this one model.

export interface DigestReview {
  readonly id: number;
  readonly title: string;
  readonly severity: string | null;
  readonly ownerSlackId: string | null;
  readonly ownerName: string | null;
  readonly dueAtMs: number;
  readonly overdue: boolean;
  readonly url: string | null;
}

export interface DigestKpi {
  readonly answer: KpiAnswer;
  /** Mean of the four complete weeks before the reported week (null without data). */
  readonly fourWeekAverage: number | null;
}

export interface DigestModel {
  readonly team: { readonly id: string; readonly name: string };
  readonly zone: string;
  /** The reported week, UTC ms [from, to). */
  readonly fromMs: number;
  readonly toMs: number;
  /** "9–15 Nov 2026" */
  readonly weekLabel: string;
  readonly kpis: readonly DigestKpi[];
  /** No KPI moved beyond normal week-to-week variation (after Holm): the digest says so. */
  readonly quiet: boolean;
  readonly biggestMover: BiggestMover | null;
  /** KPIs past a warn or critical threshold (listed on a quiet week). */
  readonly breaches: readonly DigestKpi[];
  /** No data at all for the team: the sources to connect ("GitHub deployments", ...). */
  readonly missingSources: readonly string[];
  readonly annotations: readonly AnswerAnnotation[];
  readonly reviews: readonly DigestReview[];
  /** SEV1/SEV2 incidents resolved in the last 90 days with a completed review. */
  readonly reviewCompletion: { readonly incidents: number; readonly done: number };
  /** Annotations of the chart's 12 weeks (markers). */
  readonly chartAnnotations: readonly ChartAnnotation[];
  /** `metrics.min_sample_size`: below it a KPI's sample is marked thin. */
  readonly minSampleSize: number;
}

/** The KPI whose change (or 12-week trend) stays significant after Holm over every test compared. */
export interface BiggestMover extends DigestKpi {
  /** What is significant: the week-over-week change or the sustained trend. */
  readonly basis: "change" | "trend";
  readonly pValue: number;
  /** Holm-adjusted over every KPI's change and trend test of the digest. */
  readonly adjustedP: number;
  /** How many tests were compared. */
  readonly tests: number;
}

interface ChartAnnotation {
  readonly atMs: number;
  readonly text: string;
  readonly service?: string | null;
}

/** What the digest is built from: the model's facts, with the answers in place of the derived KPI rows. */
export interface DigestInput extends Pick<DigestModel, "team" | "zone" | "fromMs" | "toMs" | "weekLabel" | "reviews" | "reviewCompletion"> {
  readonly answers: readonly KpiAnswer[];
  /** Sources to name when the team has no data ("connect <sources>"). */
  readonly missingSources?: readonly string[];
  readonly chartAnnotations?: readonly ChartAnnotation[];
  readonly minSampleSize?: number;
}

/** The config default of `metrics.min_sample_size` (src/config/file.ts). */
const DEFAULT_MIN_SAMPLE_SIZE = 5;

/** Level metrics (the latest reading, docs/metrics.md) count repositories, not events: no sample is "thin". */
const LEVEL_METRICS: ReadonlySet<string> = new Set(["coverage", "tech_debt_ratio"]);

/** Fewer samples than `metrics.min_sample_size` behind a flow KPI's value this week. */
export function isThinSample(kpi: DigestKpi, minSampleSize: number): boolean {
  return !LEVEL_METRICS.has(kpi.answer.metric) && kpi.answer.value !== null && kpi.answer.sample_size < minSampleSize;
}

/** The change is within normal week-to-week variation (issue 13's test said so; untested is not muted). */
export function isWithinNoise(kpi: DigestKpi): boolean {
  return kpi.answer.change.significant === false;
}

export function buildDigestModel(input: DigestInput): DigestModel {
  // KPIs with no data in the last 12 weeks are left out instead of a row of "N/A".
  // Deployment frequency is 0 per day without deployments: "data" means samples, not a value.
  const withData = input.answers.filter((a) => {
    const values = a.value !== null || a.previous.value !== null || a.series.some((p) => p.value !== null);
    return a.metric === "deployment_frequency" ? a.sample_size > 0 || a.previous.sample_size > 0 || a.series.some((p) => p.sample_size > 0) : values;
  });
  const kpis = withData.map((answer) => ({ answer, fourWeekAverage: fourWeekAverage(answer, input.fromMs) }));
  const biggestMover = pickBiggestMover(kpis);
  const quiet = biggestMover === null;
  const breaches = kpis.filter((k) => k.answer.threshold.status === "warn" || k.answer.threshold.status === "critical");
  const annotations = dedupeAnnotations(withData.flatMap((a) => a.annotations)).filter((a) => {
    const at = Date.parse(a.at);
    return at >= input.fromMs && at < input.toMs;
  });
  return {
    team: input.team,
    zone: input.zone,
    fromMs: input.fromMs,
    toMs: input.toMs,
    weekLabel: input.weekLabel,
    kpis,
    quiet,
    biggestMover,
    breaches,
    missingSources: kpis.length === 0 ? (input.missingSources ?? []) : [],
    annotations,
    reviews: input.reviews,
    reviewCompletion: input.reviewCompletion,
    chartAnnotations: input.chartAnnotations ?? [],
    minSampleSize: input.minSampleSize ?? DEFAULT_MIN_SAMPLE_SIZE,
  };
}

function fourWeekAverage(answer: KpiAnswer, reportFromMs: number): number | null {
  const before = answer.series.filter((p) => Date.parse(p.to) <= reportFromMs && p.value !== null);
  const last = before.slice(-4).map((p) => p.value as number);
  return last.length === 0 ? null : last.reduce((s, v) => s + v, 0) / last.length;
}

/**
 * Every KPI's change test and trend test, corrected together (Holm); the smallest adjusted p-value
 * below α wins. Null when nothing moved beyond normal week-to-week variation.
 */
function pickBiggestMover(kpis: readonly DigestKpi[]): BiggestMover | null {
  const tests: Array<{ kpi: DigestKpi; basis: "change" | "trend"; p: number }> = [];
  for (const kpi of kpis) {
    if (kpi.answer.change.p_value !== null) tests.push({ kpi, basis: "change", p: kpi.answer.change.p_value });
    if (kpi.answer.trend.p_value !== null) tests.push({ kpi, basis: "trend", p: kpi.answer.trend.p_value });
  }
  if (tests.length === 0) return null;
  const adjusted = holm(tests.map((t) => t.p));
  let best: BiggestMover | null = null;
  tests.forEach((t, i) => {
    const adjustedP = adjusted[i]!;
    if (adjustedP >= ALPHA) return;
    // Ties (Holm caps at 1 and steps monotonically): the change beats the trend, then the raw p.
    if (!best || adjustedP < best.adjustedP || (adjustedP === best.adjustedP && t.p < best.pValue)) {
      best = { ...t.kpi, basis: t.basis, pValue: t.p, adjustedP, tests: tests.length };
    }
  });
  return best;
}

function dedupeAnnotations(list: readonly AnswerAnnotation[]): AnswerAnnotation[] {
  const seen = new Set<string>();
  const out: AnswerAnnotation[] = [];
  for (const a of [...list].sort((x, y) => x.at.localeCompare(y.at))) {
    const key = `${a.at}|${a.text}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(a);
  }
  return out;
}

/**
 * DORA's failed deployment recovery time beside MTTR (docs/metrics.md: MTTR over change-caused incidents
 * only), one line for the digest; null when the week has no MTTR answer or no change-caused incident.
 */
export function failedDeploymentRecoveryLine(kpis: readonly DigestKpi[], format: (hours: number | null) => string): string | null {
  const mttr = kpis.find((k) => k.answer.metric === "mttr")?.answer;
  const n = mttr?.stats["change_caused_count"] ?? 0;
  if (!mttr || !n) return null;
  const mean = mttr.stats["failed_deployment_recovery_mean_hours"] ?? null;
  return `Failed deployment recovery time: ${format(mean)} mean over ${n} change-caused incident${n === 1 ? "" : "s"} (MTTR ${format(mttr.value)} over ${mttr.sample_size}).`;
}
