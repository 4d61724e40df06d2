import { HOUR_MS } from "../domain/scope.js";
import type { Driver } from "../query/answer.js";
import { decomposePercentile, largestFirst, signed } from "./decompose.js";
import type { Frame, FrameWindow } from "./frame.js";
import { mean, percentile, percentilesOf, sortNumbers } from "./percentile.js";
import type { LeadTimeServiceRow, LeadTimeStageSumRow, LeadTimeStagesRow } from "./rows.js";
import { leadTimeTier } from "./tiers.js";
import { round, type MetricOutcome, type WindowResult } from "./types.js";

// Lead time for changes (METRICS.md): one sample per change first shipped by a successful
// production deployment in the window (the store records that deployment on the change, so a
// redeploy adds nothing); samples ≤ 0 are excluded and counted. Headline: the median.

export const STAGES = ["coding", "pickup", "review", "deploy"] as const;
type Stage = (typeof STAGES)[number];

const STAGE_QUESTIONS: Record<Stage, string> = {
  coding: "are changes getting bigger, or started before they were ready?",
  pickup: "are reviews waiting on one person?",
  review: "are reviews going several rounds, or stuck on one reviewer?",
  deploy: "is the pipeline or the release train holding merged work?",
};

/** PR size buckets (additions + deletions), in the order the store packs them (5 = unknown). */
export const SIZE_BUCKETS = ["XS (< 10 lines)", "S (10–99 lines)", "M (100–499 lines)", "L (500–999 lines)", "XL (≥ 1000 lines)", "unknown size"] as const;

interface Cell {
  service: string;
  slice: number;
  hours: number[];
  buckets: number[];
  excluded: number;
}

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

/** A service's packed samples → one cell per slice. */
function unpack(row: LeadTimeServiceRow, cells: Cell[]): void {
  const bySlice = new Map<number, Cell>();
  const cellOf = (slice: number): Cell => {
    let cell = bySlice.get(slice);
    if (!cell) {
      cell = { service: row.service, slice, hours: [], buckets: [], excluded: 0 };
      bySlice.set(slice, cell);
      cells.push(cell);
    }
    return cell;
  };
  if (row.packed) {
    for (const item of row.packed.split(",")) {
      const value = Number(item);
      const slice = value % 64;
      const rest = (value - slice) / 64;
      const bucket = rest % 8;
      const cell = cellOf(slice);
      cell.buckets.push(bucket);
      cell.hours.push(((rest - bucket) / 8) * (1000 / HOUR_MS));
    }
  }
  if (row.excluded) for (const slice of row.excluded.split(",")) cellOf(Number(slice)).excluded++;
}

const inWindow = (cell: Cell, w: FrameWindow): boolean => cell.slice >= w.first && cell.slice < w.end;
const unpackList = (packed: string | null): number[] => (packed ? sortNumbers(packed.split(",").map((v) => Number(v) / HOUR_MS)) : []);

/** All samples of the cells, sorted. */
function pooled(cells: readonly Cell[]): number[] {
  const samples: number[] = [];
  for (const cell of cells) for (const h of cell.hours) samples.push(h);
  return sortNumbers(samples);
}

function summarise(cells: readonly Cell[], samples: readonly number[], stages?: { values: LeadTimeStagesRow; sums: readonly StageSum[] }): WindowResult {
  let excluded = 0;
  for (const cell of cells) excluded += cell.excluded;
  const stats: Record<string, number | null> = {
    median: round(percentile(samples, 0.5)),
    mean: round(mean(samples)),
    p90: round(percentile(samples, 0.9)),
    count: samples.length,
    excluded,
  };
  if (stages) {
    for (const stage of STAGES) stats[`${stage}_median`] = round(percentile(unpackList(stages.values[stage]), 0.5));
    stats["changes_with_pr"] = stages.sums.reduce((n, r) => n + r.counts.coding, 0);
  }
  return { value: stats["median"] ?? null, sample_size: samples.length, stats };
}

/** A series point: median by selection (no sort), as 12 weeks of a large org add up. */
function weekPoint(cells: readonly Cell[]): WindowResult {
  const samples: number[] = [];
  for (const cell of cells) for (const h of cell.hours) samples.push(h);
  const [median, p90] = percentilesOf(samples, [0.5, 0.9]);
  return { value: round(median ?? null), sample_size: samples.length, stats: { median: round(median ?? null), p90: round(p90 ?? null), count: samples.length } };
}

function samplesBy(cells: readonly Cell[], keyOf: (cell: Cell, index: number) => string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const cell of cells) {
    cell.hours.forEach((h, i) => {
      const key = keyOf(cell, i);
      let list = out.get(key);
      if (!list) out.set(key, (list = []));
      list.push(h);
    });
  }
  for (const list of out.values()) sortNumbers(list);
  return out;
}

export interface LeadTimeInput {
  /** Packed samples per service over the whole frame. */
  readonly samples: readonly LeadTimeServiceRow[];
  /** Stage samples of the current window (medians). */
  readonly stages: LeadTimeStagesRow;
  /** Stage sums per service, previous and current window (drivers). */
  readonly stageSums: { readonly previous: readonly LeadTimeStageSumRow[]; readonly current: readonly LeadTimeStageSumRow[] };
}

export function leadTime(input: LeadTimeInput, frame: Frame): MetricOutcome {
  const cells: Cell[] = [];
  for (const row of input.samples) unpack(row, cells);
  const current = cells.filter((c) => inWindow(c, frame.current));
  const previous = cells.filter((c) => inWindow(c, frame.previous));
  const stageSums = { previous: input.stageSums.previous.map(toStageSum), current: input.stageSums.current.map(toStageSum) };
  const pools = { previous: pooled(previous), current: pooled(current) };
  const result = summarise(current, pools.current, { values: input.stages, sums: stageSums.current });
  const excluded = result.stats["excluded"] ?? 0;
  const bucketOf = (cell: Cell, i: number): string => SIZE_BUCKETS[cell.buckets[i]!] ?? "unknown size";
  return {
    current: result,
    previous: summarise(previous, pools.previous),
    series: frame.weeks.map((w) => weekPoint(cells.filter((c) => inWindow(c, w)))),
    tier: leadTimeTier(result.value),
    decompose: (groupOf, kind) => decomposePercentile(samplesBy(previous, (c) => groupOf(c.service)), samplesBy(current, (c) => groupOf(c.service)), 0.5, kind, pools),
    details: [
      ...stageDrivers(stageSums.previous, stageSums.current),
      ...decomposePercentile(samplesBy(previous, bucketOf), samplesBy(current, bucketOf), 0.5, "size_bucket", pools).slice(0, 3),
    ],
    hints: stageHints(stageSums.previous, stageSums.current),
    notes: excluded > 0 ? [`${excluded} change${excluded === 1 ? "" : "s"} with lead time ≤ 0 (clock skew or backdated commits) excluded.`] : [],
  };
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

function stageDrivers(previous: StageSums, current: StageSums): Driver[] {
  const before = stageMeans(previous);
  const after = stageMeans(current);
  if (!before || !after) return [];
  const total = STAGES.reduce((sum, s) => sum + after[s] - before[s], 0);
  return largestFirst(
    STAGES.map((stage) => ({
      kind: "stage" as const,
      label: stage,
      contribution: after[stage] - before[stage],
      share: total ? (after[stage] - before[stage]) / total : null,
      previous: before[stage],
      current: after[stage],
      detail: `mean ${before[stage].toFixed(1)} h → ${after[stage].toFixed(1)} h (${signed(after[stage] - before[stage], 1)} h)`,
    })),
  );
}

/** "Pickup time doubled in payments-api (5.0 h → 10.1 h there): are reviews waiting on one person?" */
function stageHints(previous: StageSums, current: StageSums): string[] {
  const before = stageMeans(previous);
  const after = stageMeans(current);
  if (!before || !after) return [];
  const grown = STAGES.filter((s) => after[s] - before[s] > 0.5 && after[s] > before[s] * 1.25).sort((a, b) => after[b] - before[b] - (after[a] - before[a]));
  const stage = grown[0];
  if (!stage) return [];
  // The service where the stage grew most, weighted by its number of changes.
  const servicesBefore = new Map(previous.map((r) => [r.service, r]));
  let top: { service: string; weight: number; before: number; after: number } | null = null;
  for (const row of current) {
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
  const figures = `${from.toFixed(1)} h → ${to.toFixed(1)} h${local ? " there" : ""}`;
  return [`${capitalise(stage)} time ${how}${where} (${figures}): ${STAGE_QUESTIONS[stage]}`];
}

const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

