import type { AnswerAnnotation, KpiAnswer } from "../query/answer.js";

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
  /** No KPI moved and none has data this week: the digest says so in one line. */
  readonly quiet: boolean;
  readonly biggestMover: DigestKpi | null;
  readonly annotations: readonly AnswerAnnotation[];
  readonly reviews: readonly DigestReview[];
  /** SEV1/SEV2 incidents resolved in the last 90 days with a completed review. */
  readonly reviewCompletion: { readonly incidents: number; readonly done: number };
  /** Annotations of the chart's 12 weeks (markers). */
  readonly chartAnnotations: readonly ChartAnnotation[];
  /** `metrics.min_sample_size`: below it a KPI's sample is marked thin. */
  readonly minSampleSize: number;
}

export interface ChartAnnotation {
  readonly atMs: number;
  readonly text: string;
  readonly service?: string | null;
}

/** What the digest is built from: the model's facts, with the answers in place of the derived KPI rows. */
export interface DigestInput extends Pick<DigestModel, "team" | "zone" | "fromMs" | "toMs" | "weekLabel" | "reviews" | "reviewCompletion"> {
  readonly answers: readonly KpiAnswer[];
  readonly chartAnnotations?: readonly ChartAnnotation[];
  readonly minSampleSize?: number;
}

/** The config default of `metrics.min_sample_size` (src/config/file.ts). */
const DEFAULT_MIN_SAMPLE_SIZE = 5;

/** Level metrics (the latest reading, METRICS.md) count repositories, not events: no sample is "thin". */
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
  const withData = input.answers.filter((a) => a.value !== null || a.previous.value !== null || a.series.some((p) => p.value !== null));
  const kpis = withData.map((answer) => ({ answer, fourWeekAverage: fourWeekAverage(answer, input.fromMs) }));
  const moved = kpis.filter((k) => k.answer.change.absolute !== null && k.answer.change.absolute !== 0);
  const quiet = moved.length === 0;
  const biggestMover = quiet ? null : pickBiggestMover(moved);
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

/** The largest relative move, in either direction; percent metrics compare their point change. */
function pickBiggestMover(moved: readonly DigestKpi[]): DigestKpi {
  const score = (k: DigestKpi) => {
    const { absolute, percent } = k.answer.change;
    if (k.answer.unit === "percent") return Math.abs(absolute ?? 0) * 10;
    return Math.abs(percent ?? 0);
  };
  // Enough samples to talk about drivers first; thin metrics only when nothing else moved.
  const solid = moved.filter((k) => k.answer.drivers.length > 0);
  const pool = solid.length > 0 ? solid : moved;
  return [...pool].sort((a, b) => score(b) - score(a))[0]!;
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
 * DORA's failed deployment recovery time beside MTTR (METRICS.md: MTTR over change-caused incidents
 * only), one line for the digest; null when the week has no MTTR answer or no change-caused incident.
 */
export function failedDeploymentRecoveryLine(kpis: readonly DigestKpi[], format: (hours: number | null) => string): string | null {
  const mttr = kpis.find((k) => k.answer.metric === "mttr")?.answer;
  const n = mttr?.stats["change_caused_count"] ?? 0;
  if (!mttr || !n) return null;
  const mean = mttr.stats["failed_deployment_recovery_mean_hours"] ?? null;
  return `Failed deployment recovery time: ${format(mean)} mean over ${n} change-caused incident${n === 1 ? "" : "s"} (MTTR ${format(mttr.value)} over ${mttr.sample_size}).`;
}
