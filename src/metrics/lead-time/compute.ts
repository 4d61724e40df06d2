import { PR_SIZE_LABELS, UNKNOWN_PR_SIZE } from "../../domain/pr-size.js";
import { HOUR_MS } from "../../domain/scope.js";
import type { Driver, Finding } from "../../domain/answer.js";
import { formatHours, formatSigned } from "../../present/format-value.js";
import { decomposePercentile, othersLabel, SHAPLEY_MAX_GROUPS, whole } from "../decompose.js";
import { MIN_SUPPORT } from "../delivery/compute.js";
import { binomialAtLeast, mannWhitney, medianInterval } from "../significance.js";
import { sumSlices, type Frame, type SliceRange } from "../frame.js";
import { mean, percentile, selectPercentiles } from "../percentile.js";
import type { LeadTimeSliceRow, LeadTimeStageSumRow, LeadTimeStagesRow } from "../../store/rows.js";
import { leadTimeTier } from "../tiers.js";
import { finite, type MetricOutcome, type WindowResult } from "../types.js";

// Lead time for changes (docs/metrics.md): one sample per change first shipped by a successful
// production deployment in the window (the store records that deployment on the change, so a
// redeploy adds nothing); samples ≤ 0 are excluded and counted. Headline: the median.

const STAGES = ["coding", "pickup", "review", "deploy"] as const;
type Stage = (typeof STAGES)[number];

const STAGE_QUESTIONS: Record<Stage, string> = {
  coding: "are changes getting bigger, or started before they were ready?",
  pickup: "are reviews waiting on one person?",
  review: "are reviews going several rounds, or stuck on one reviewer?",
  deploy: "is the pipeline or the release train holding merged work?",
};

/** PR size buckets (additions + deletions) by the index the store gives each sample (src/domain/pr-size.ts). */
const SIZE_BUCKETS = PR_SIZE_LABELS;

/** One service's summed stage durations (ms) and how many changes have each stage. */
interface StageSum {
  service: string;
  sums: Record<Stage, number>;
  counts: Record<Stage, number>;
}

const toStageSum = (row: LeadTimeStageSumRow): StageSum => ({
  service: row.service,
  sums: { coding: row.coding, pickup: row.pickup, review: row.review, deploy: row.deploy },
  counts: { coding: row.coding_n, pickup: row.pickup_n, review: row.review_n, deploy: row.deploy_n },
});

/** Size buckets per service in a sample's tag. */
const BUCKETS = SIZE_BUCKETS.length;

/** One slice's samples: lead in whole seconds and tag (service index × BUCKETS + size bucket). */
interface SliceSamples {
  seconds: Float64Array;
  tags: Uint32Array;
}

/** Every sample of the frame, decoded once and kept by slice (windows and weeks are slice ranges). */
interface Samples {
  services: string[];
  slices: Array<SliceSamples | undefined>;
  maxSeconds: number;
  /** Samples ≤ 0 per slice (excluded, counted). */
  excluded: number[];
}

function decode(rows: readonly LeadTimeSliceRow[]): Samples {
  const out: Samples = { services: [], slices: [], maxSeconds: 0, excluded: [] };
  const indexOf = new Map<string, number>();
  const serviceIndex = (service: string): number => {
    let index = indexOf.get(service);
    if (index === undefined) indexOf.set(service, (index = out.services.push(service) - 1));
    return index;
  };
  // Index every row's services first, then fill one typed array per slice (no growing lists).
  const parsed: Array<Array<{ row: LeadTimeSliceRow; service: number; services: Uint32Array | null }>> = [];
  for (const row of rows) {
    let services: Uint32Array | null = null;
    if (row.services) {
      services = new Uint32Array(row.services.length);
      for (let i = 0; i < row.services.length; i++) services[i] = serviceIndex(row.services[i]!);
    }
    (parsed[row.slice] ??= []).push({ row, service: row.service === null ? -1 : serviceIndex(row.service), services });
  }
  parsed.forEach((lists, slice) => {
    let n = 0;
    let excluded = 0;
    for (const { row } of lists) {
      n += row.leadSeconds.length;
      excluded += row.excluded;
    }
    const seconds = new Float64Array(n);
    const tags = new Uint32Array(n);
    let k = 0;
    for (const { row, service, services } of lists) {
      for (let i = 0; i < row.leadSeconds.length; i++) {
        seconds[k] = row.leadSeconds[i]!;
        tags[k++] = (services ? services[i]! : service) * BUCKETS + row.bucket[i]!;
        if (seconds[k - 1]! > out.maxSeconds) out.maxSeconds = seconds[k - 1]!;
      }
    }
    out.slices[slice] = { seconds, tags };
    if (excluded > 0) out.excluded[slice] = excluded;
  });
  return out;
}

/** One window's samples sorted by lead time: hours (the pool) with each sample's service and bucket. */
interface WindowSamples {
  hours: Float64Array;
  service: Uint32Array;
  bucket: Uint8Array;
  excluded: number;
}

const hoursOf = (seconds: number): number => seconds * (1000 / HOUR_MS);

/**
 * The window's samples sorted once. Each sample becomes one integer key (seconds × stride + tag)
 * so a native typed-array sort orders them; walking that order then yields the pool and every
 * segment's list already sorted (no re-sort per decomposition). Keys beyond 2^53 (absurd lead
 * times) fall back to a comparator sort.
 */
function windowSamples(all: Samples, w: SliceRange): WindowSamples {
  const cells = all.slices.slice(w.first, w.end).filter((cell) => cell !== undefined);
  const n = cells.reduce((sum, cell) => sum + cell.seconds.length, 0);
  const out: WindowSamples = { hours: new Float64Array(n), service: new Uint32Array(n), bucket: new Uint8Array(n), excluded: sumSlices(all.excluded, w) };
  const put = (i: number, seconds: number, tag: number): void => {
    const bucket = tag % BUCKETS;
    out.hours[i] = hoursOf(seconds);
    out.service[i] = (tag - bucket) / BUCKETS;
    out.bucket[i] = bucket;
  };
  const stride = Math.max(1, all.services.length) * BUCKETS;
  if ((all.maxSeconds + 1) * stride <= Number.MAX_SAFE_INTEGER) {
    const keys = new Float64Array(n);
    let k = 0;
    for (const cell of cells) for (let i = 0; i < cell.seconds.length; i++) keys[k++] = cell.seconds[i]! * stride + cell.tags[i]!;
    keys.sort();
    for (let i = 0; i < n; i++) {
      const tag = keys[i]! % stride;
      put(i, (keys[i]! - tag) / stride, tag);
    }
  } else {
    const pairs = cells.flatMap((cell) => Array.from(cell.seconds, (seconds, i) => [seconds, cell.tags[i]!] as const));
    pairs.sort((a, b) => a[0] - b[0]).forEach(([seconds, tag], i) => put(i, seconds, tag));
  }
  return out;
}

function summarise(w: WindowSamples, stages?: { values: LeadTimeStagesRow; sums: readonly StageSum[] }): WindowResult {
  const samples = w.hours;
  const stats: Record<string, number | null> = {
    median: finite(percentile(samples, 0.5)),
    mean: finite(mean(samples)),
    p90: finite(percentile(samples, 0.9)),
    count: samples.length,
    excluded: w.excluded,
  };
  if (stages) {
    for (const stage of STAGES) stats[`${stage}_median`] = finite(stageMedian(stages.values[stage]));
    stats["changes_with_pr"] = stages.sums.reduce((n, r) => n + r.counts.coding, 0);
    stats["negative_stage_spans"] = stages.values.negative_spans ?? 0;
  }
  return { value: stats["median"] ?? null, sample_size: samples.length, stats };
}

const stageMedian = (ms: number | null): number | null => (ms === null ? null : ms / HOUR_MS);

/** A series point: median by selection (no sort), as 12 weeks of a large org add up. */
function weekPoint(all: Samples, w: SliceRange): WindowResult {
  const cells = all.slices.slice(w.first, w.end).filter((cell) => cell !== undefined);
  const seconds = new Float64Array(cells.reduce((n, cell) => n + cell.seconds.length, 0));
  let k = 0;
  for (const cell of cells) {
    seconds.set(cell.seconds, k);
    k += cell.seconds.length;
  }
  const [median, p90] = selectPercentiles(seconds, [0.5, 0.9], hoursOf);
  return { value: finite(median ?? null), sample_size: seconds.length, stats: { median: finite(median ?? null), p90: finite(p90 ?? null), count: seconds.length } };
}

/**
 * Segment lists (distinct labels[group] → hours), each sorted because the window's samples are
 * walked in sorted order: grouped by `groupOfService[service]`, or by size bucket when null.
 */
function samplesBy(w: WindowSamples, groupOfService: Uint32Array | null, labels: readonly string[]): Map<string, number[]> {
  const lists: number[][] = labels.map(() => []);
  const keys = groupOfService ? w.service : w.bucket;
  for (let i = 0; i < w.hours.length; i++) lists[groupOfService ? groupOfService[keys[i]!]! : keys[i]!]!.push(w.hours[i]!);
  const out = new Map<string, number[]>();
  lists.forEach((list, group) => {
    if (list.length > 0) out.set(labels[group]!, list);
  });
  return out;
}

interface StageSumsByWindow {
  readonly previous: readonly LeadTimeStageSumRow[];
  readonly current: readonly LeadTimeStageSumRow[];
}

export interface LeadTimeInput {
  /** Packed samples per service over the whole frame. */
  readonly samples: readonly LeadTimeSliceRow[];
  /** Stage samples of the current window (medians). */
  readonly stages: LeadTimeStagesRow;
  /** Stage sums per service, previous and current window (drivers). */
  readonly stageSums: StageSumsByWindow;
  /** The same per service: read only when a stage grew enough to look for where (`stageGrew`), else null. */
  readonly stageSumsByService: StageSumsByWindow | null;
}

export function leadTime(input: LeadTimeInput, frame: Frame): MetricOutcome {
  const all = decode(input.samples);
  const current = windowSamples(all, frame.current);
  const previous = windowSamples(all, frame.previous);
  const stageSums = { previous: input.stageSums.previous.map(toStageSum), current: input.stageSums.current.map(toStageSum) };
  const result = summarise(current, { values: input.stages, sums: stageSums.current });
  const excluded = result.stats["excluded"] ?? 0;
  const bySize = (previousOrCurrent: WindowSamples) => samplesBy(previousOrCurrent, null, SIZE_BUCKETS);
  // Group index per service (labels deduplicated), so the grouping walk compares integers.
  const byGroup = (w: WindowSamples, groupOf: (service: string) => string): Map<string, number[]> => {
    const labels: string[] = [];
    const indexOf = new Map<string, number>();
    const groups = Uint32Array.from(all.services, (service) => {
      const label = groupOf(service);
      let index = indexOf.get(label);
      if (index === undefined) indexOf.set(label, (index = labels.push(label) - 1));
      return index;
    });
    return samplesBy(w, groups, labels);
  };
  const previousResult = summarise(previous);
  const change = result.value !== null && previousResult.value !== null ? result.value - previousResult.value : null;
  const attribute = (before: Map<string, number[]>, after: Map<string, number[]>, kind: Driver["kind"], top?: number): Driver[] => {
    const { drivers, method } = decomposePercentile(before, after, 0.5, kind);
    return whole(drivers, change, {
      ...(top !== undefined ? { top } : {}),
      restLabel: othersLabel(kind === "size_bucket" ? "size bucket" : kind),
      ...(method === "one_at_a_time" ? { restDetail: "includes the interaction (one-at-a-time attribution of a median)" } : {}),
    });
  };
  const negative = input.stages.negative_spans ?? 0;
  const notes: string[] = [];
  if (excluded > 0) notes.push(`${excluded} change${excluded === 1 ? "" : "s"} with lead time ≤ 0 (clock skew or backdated commits) excluded.`);
  if (negative > 0) notes.push(`${negative} negative stage span${negative === 1 ? "" : "s"} (clock skew, or a review before the PR opened) left out of the stage medians.`);
  return {
    current: result,
    previous: previousResult,
    series: frame.weeks.map((w) => weekPoint(all, w)),
    tier: leadTimeTier(result.value),
    decompose: (groupOf, kind, top) => attribute(byGroup(previous, groupOf), byGroup(current, groupOf), kind, top),
    details: [...stageDrivers(stageSums.previous, stageSums.current, change), ...attribute(bySize(previous), bySize(current), "size_bucket")],
    findings: [
      ...stageFindings(stageSums.previous, stageSums.current, input.stageSumsByService && {
        previous: input.stageSumsByService.previous.map(toStageSum),
        current: input.stageSumsByService.current.map(toStageSum),
      }),
      ...sizeFindings(bySize(previous), bySize(current), result.value),
    ],
    test: mannWhitney(previous.hours, current.hours),
    interval: medianInterval(current.hours),
    method: `counterfactual medians: Shapley values over the groups (exact up to ${SHAPLEY_MAX_GROUPS} groups), beyond that one group at a time with the interaction in the remainder`,
    notes,
  };
}

/**
 * "L (500–999 lines) PRs are 30 % of changes, up from 12 %": a size bucket slower than the median
 * whose share of changes is over-represented against its previous share (one-sided binomial,
 * p < 0.05, at least MIN_SUPPORT changes).
 */
function sizeFindings(before: Map<string, number[]>, after: Map<string, number[]>, median: number | null): Finding[] {
  const nBefore = [...before.values()].reduce((sum, l) => sum + l.length, 0);
  const nAfter = [...after.values()].reduce((sum, l) => sum + l.length, 0);
  if (median === null || nBefore === 0 || nAfter === 0) return [];
  const candidates = [...after]
    .filter(([label, list]) => label !== SIZE_BUCKETS[UNKNOWN_PR_SIZE] && list.length >= MIN_SUPPORT && (percentile(list, 0.5) ?? 0) > median)
    .map(([label, list]) => {
      const base = (before.get(label)?.length ?? 0) / nBefore;
      return { label, count: list.length, base, p: base > 0 && base < 1 ? binomialAtLeast(list.length, nAfter, base) : list.length > 0 && base === 0 ? 0 : 1 };
    })
    .filter((c) => c.p < 0.05)
    .sort((a, b) => a.p - b.p);
  const best = candidates[0];
  if (!best) return [];
  return [{
    kind: "pr_size",
    text: `${best.label} pull requests are ${Math.round((100 * best.count) / nAfter)} % of changes, up from ${Math.round(100 * best.base)} %, and slower than the median: are changes getting bigger?`,
    evidence: { observed: best.count, expected: best.base * nAfter, n: nAfter, p_value: best.p },
  }];
}

/**
 * Mean of each stage (hours) over the changes that have it (with complete PR data, the stage
 * means add up to the mean lead time). Null without PR data.
 */
function stageMeans(rows: readonly StageSum[]): Record<Stage, number> | null {
  const sums: Record<Stage, number> = { coding: 0, pickup: 0, review: 0, deploy: 0 };
  const counts: Record<Stage, number> = { coding: 0, pickup: 0, review: 0, deploy: 0 };
  for (const row of rows) {
    for (const stage of STAGES) {
      sums[stage] += row.sums[stage];
      counts[stage] += row.counts[stage];
    }
  }
  if (STAGES.every((stage) => counts[stage] === 0)) return null;
  const out = {} as Record<Stage, number>;
  for (const stage of STAGES) out[stage] = counts[stage] > 0 ? sums[stage] / counts[stage] / HOUR_MS : 0;
  return out;
}

type StageSums = readonly StageSum[];

/**
 * The stages' changes in mean (which add up to the change in mean lead time of changes with PR
 * data); the remainder is what separates that from the change in the median of all changes.
 */
function stageDrivers(previous: StageSums, current: StageSums, change: number | null): Driver[] {
  const before = stageMeans(previous);
  const after = stageMeans(current);
  if (!before || !after) return [];
  const parts = STAGES.map((stage): Driver => ({
    kind: "stage",
    label: stage,
    contribution: after[stage] - before[stage],
    share: null,
    previous: before[stage],
    current: after[stage],
    detail: `mean ${formatHours(before[stage])} → ${formatHours(after[stage])} (${formatSigned(after[stage] - before[stage], "hours")})`,
  }));
  return whole(parts, change, { top: STAGES.length, restLabel: () => "median vs mean, changes without PR data", restDetail: "the stage means explain the mean of changes with PR data; this is the difference to the change in the median" });
}

/** "Pickup time doubled in payments-api (5 h → 10.1 h there): are reviews waiting on one person?" */
/** The stage whose mean grew most (by over half an hour and 25 %), if any. */
function grownStage(previous: StageSums, current: StageSums): { stage: Stage; before: Record<Stage, number>; after: Record<Stage, number> } | null {
  const before = stageMeans(previous);
  const after = stageMeans(current);
  if (!before || !after) return null;
  const grown = STAGES.filter((s) => after[s] - before[s] > 0.5 && after[s] > before[s] * 1.25).sort((a, b) => after[b] - before[b] - (after[a] - before[a]));
  const stage = grown[0];
  return stage ? { stage, before, after } : null;
}

/**
 * Whether a stage grew enough to look for the service where: the read then asks for the stage
 * sums per service before computing, so the computation makes no follow-up read (issue 19).
 */
export const stageGrew = (sums: StageSumsByWindow): boolean => grownStage(sums.previous.map(toStageSum), sums.current.map(toStageSum)) !== null;

function stageFindings(previous: StageSums, current: StageSums, services: { previous: StageSums; current: StageSums } | null): Finding[] {
  const grown = grownStage(previous, current);
  if (!grown || !services) return [];
  const { stage, before, after } = grown;
  // The service where the stage grew most, weighted by its number of changes.
  const servicesBefore = new Map(services.previous.map((r) => [r.service, r]));
  let top: { service: string; weight: number; before: number; after: number } | null = null;
  for (const row of services.current) {
    const a = stageMeans([row]);
    const b = stageMeans(servicesBefore.has(row.service) ? [servicesBefore.get(row.service)!] : []);
    if (!a || !b) continue;
    const weight = (a[stage] - b[stage]) * row.counts[stage];
    if (!top || weight > top.weight) top = { service: row.service, weight, before: b[stage], after: a[stage] };
  }
  const local = top !== null && top.after > top.before && top.before > 0;
  const [from, to] = local ? [top!.before, top!.after] : [before[stage], after[stage]];
  const ratio = to / from;
  const how =
    ratio >= 1.9 && ratio < 2.1 ? "doubled" : ratio >= 2.9 && ratio < 3.1 ? "tripled" : ratio >= 2 ? `grew ${Number(ratio.toFixed(1))}×` : `rose ${Math.round((ratio - 1) * 100)} %`;
  const where = local ? ` in ${top!.service}` : "";
  const figures = `${formatHours(from)} → ${formatHours(to)}${local ? " there" : ""}`;
  const n = local ? services.current.find((r) => r.service === top!.service)!.counts[stage] : current.reduce((sum, r) => sum + r.counts[stage], 0);
  return [{ kind: "stage", text: `${capitalise(stage)} time ${how}${where} (${figures}): ${STAGE_QUESTIONS[stage]}`, evidence: { observed: to, expected: from, n, p_value: null } }];
}

const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

