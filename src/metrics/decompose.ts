import type { Driver } from "../domain/answer.js";
import { formatSigned } from "../present/format-value.js";
import { percentile, percentileOfLists, percentileReplacing } from "./percentile.js";

// "Why is it moving" (docs/metrics.md "Attribution is whole"): a decomposition splits the change into
// parts that add up to it exactly, plus a remainder driver (`rest: true`) for the parts not shown
// (and, for one-at-a-time percentile attribution, the interaction). `share` is percent of the
// change, so a decomposition's shares add to 100.
//
// - Ratios of sums Σa/Σb (CFR, rework, error rate; means such as MTTR, uptime across services,
//   request-weighted latency): shift-share with midpoint weights. For group g with weight
//   w = b_g/Σb and rate r = a_g/b_g, part_g = w̄·Δr + (r̄ − R̄)·Δw (x̄ the mean of the two windows,
//   R the pooled rate), which adds up exactly to Σw1r1 − Σw0r0, the change (Σ Δw = 0, so the R̄
//   term sums to nothing). A group absent from one window takes the other window's rate there
//   (its rate effect is 0, its whole part is mix).
// - Medians: Shapley values over the groups (exact, up to SHAPLEY_MAX_GROUPS), else one group at a
//   time with the interaction in the remainder.

export interface RatioCell {
  num: number;
  den: number;
}

const addCell = (a: RatioCell, b: RatioCell): RatioCell => ({ num: a.num + b.num, den: a.den + b.den });

export function totalOf(cells: Iterable<RatioCell>): RatioCell {
  let total = { num: 0, den: 0 };
  for (const cell of cells) total = addCell(total, cell);
  return total;
}

export function groupCells(cells: ReadonlyMap<string, RatioCell>, groupOf: (segment: string) => string): Map<string, RatioCell> {
  const grouped = new Map<string, RatioCell>();
  for (const [segment, cell] of cells) {
    const group = groupOf(segment);
    grouped.set(group, addCell(grouped.get(group) ?? { num: 0, den: 0 }, cell));
  }
  return grouped;
}

const ratio = (cell: RatioCell, factor: number): number | null => (cell.den > 0 ? (cell.num / cell.den) * factor : null);

/** How many groups exact Shapley attribution handles (2^n medians); beyond, one at a time. */
export const SHAPLEY_MAX_GROUPS = 8;

/** Parts shown per decomposition before the remainder. */
const TOP_PARTS = 5;

export interface DecomposeOptions {
  kind: Driver["kind"];
  factor: number;
  /** Whether to describe mix and rate effects, in percentage points (rates of counts), or not (means over services). */
  mixAndRate: boolean;
}

/** Midpoint shift-share of a ratio of sums; every group's part, unsorted (see `whole`). */
export function decomposeRatio(previous: ReadonlyMap<string, RatioCell>, current: ReadonlyMap<string, RatioCell>, options: DecomposeOptions): Driver[] {
  const prevTotal = totalOf(previous.values());
  const curTotal = totalOf(current.values());
  const before = ratio(prevTotal, options.factor);
  const after = ratio(curTotal, options.factor);
  if (before === null || after === null) return [];
  const drivers: Driver[] = [];
  for (const segment of new Set([...previous.keys(), ...current.keys()])) {
    const p = previous.get(segment) ?? { num: 0, den: 0 };
    const c = current.get(segment) ?? { num: 0, den: 0 };
    const segBefore = ratio(p, options.factor);
    const segAfter = ratio(c, options.factor);
    const r0 = segBefore ?? segAfter ?? 0;
    const r1 = segAfter ?? segBefore ?? 0;
    const w0 = p.den / prevTotal.den;
    const w1 = c.den / curTotal.den;
    const rate = ((w0 + w1) / 2) * (r1 - r0);
    // Σ Δw = 0, so measuring the mix against the pooled mean rate changes no total, only who gets
    // it: a segment gaining weight moves the pool only as far as its rate differs from the pool's.
    const mix = ((r0 + r1) / 2 - (before + after) / 2) * (w1 - w0);
    const driver: Driver = { kind: options.kind, label: segment, contribution: rate + mix, share: null, previous: segBefore, current: segAfter };
    if (options.mixAndRate) driver.detail = `rate ${formatSigned(rate, "percent")}, mix ${formatSigned(mix, "percent")}`;
    drivers.push(driver);
  }
  return drivers;
}

export interface PercentileAttribution {
  drivers: Driver[];
  /** "shapley" (exact, the parts add up) or "one_at_a_time" (the interaction is in the remainder). */
  method: "shapley" | "one_at_a_time";
}

/**
 * Attribution of the change of a percentile of pooled samples to groups (each group's list sorted
 * ascending): exact Shapley values over the groups when there are few, otherwise each group's
 * one-at-a-time counterfactual (only that group's previous samples replaced by its current ones).
 */
export function decomposePercentile(previous: ReadonlyMap<string, ArrayLike<number>>, current: ReadonlyMap<string, ArrayLike<number>>, q: number, kind: Driver["kind"]): PercentileAttribution {
  const groups = [...new Set([...previous.keys(), ...current.keys()])].sort();
  const empty = new Float64Array(0);
  const before = groups.map((g) => previous.get(g) ?? empty);
  const after = groups.map((g) => current.get(g) ?? empty);
  const value = (mask: number): number | null => percentileOfLists(groups.map((_, i) => (mask & (1 << i) ? after[i]! : before[i]!)), q);
  const base = value(0);
  const describe = (i: number, contribution: number): Driver => ({
    kind,
    label: groups[i]!,
    contribution,
    share: null,
    previous: percentile(before[i]!, q),
    current: percentile(after[i]!, q),
    detail: `${before[i]!.length} → ${after[i]!.length} samples`,
  });
  const n = groups.length;
  if (base === null || percentileOfLists(after, q) === null) return { drivers: [], method: n <= SHAPLEY_MAX_GROUPS ? "shapley" : "one_at_a_time" };
  if (n <= SHAPLEY_MAX_GROUPS) {
    const values = new Float64Array(1 << n);
    for (let mask = 0; mask < 1 << n; mask++) values[mask] = value(mask) ?? Number.NaN;
    const weight = shapleyWeights(n);
    const drivers = groups.map((_, i) => {
      let phi = 0;
      for (let mask = 0; mask < 1 << n; mask++) {
        if (mask & (1 << i)) continue;
        const withI = values[mask | (1 << i)]!;
        const without = values[mask]!;
        // A coalition with no samples at all has no percentile: it contributes nothing.
        if (Number.isFinite(withI) && Number.isFinite(without)) phi += weight[popcount(mask)]! * (withI - without);
      }
      return describe(i, phi);
    });
    return { drivers, method: "shapley" };
  }
  // Many groups: the previous pool sorted once, then each group's counterfactual in O(log² n).
  const pool = new Float64Array(before.reduce((sum, list) => sum + list.length, 0));
  let k = 0;
  for (const list of before) for (let j = 0; j < list.length; j++) pool[k++] = list[j]!;
  pool.sort();
  const drivers = groups.map((_, i) => {
    const counterfactual = percentileReplacing(pool, before[i]!, after[i]!, q);
    return describe(i, counterfactual === null ? 0 : counterfactual - base);
  });
  return { drivers, method: "one_at_a_time" };
}

/** |S|!(n−|S|−1)!/n! for |S| = 0..n−1. */
function shapleyWeights(n: number): Float64Array {
  const factorial = (k: number): number => (k <= 1 ? 1 : k * factorial(k - 1));
  return Float64Array.from({ length: n }, (_, s) => (factorial(s) * factorial(n - s - 1)) / factorial(n));
}

function popcount(mask: number): number {
  let count = 0;
  for (let m = mask; m; m &= m - 1) count++;
  return count;
}

export interface WholeOptions {
  /** How many parts to show before the remainder. */
  top?: number;
  /** The remainder's label given how many parts it stands for ("3 other services"). */
  restLabel: (others: number) => string;
  /** Detail of the remainder (e.g. that it holds the interaction). */
  restDetail?: string;
}

/**
 * A complete decomposition: the largest parts (by |contribution|), then a remainder of the same
 * kind (`rest: true`) so that the parts add up to `change` exactly; shares in percent of the change
 * (summing to 100; null when nothing changed).
 */
export function whole(parts: readonly Driver[], change: number | null, options: WholeOptions): Driver[] {
  if (change === null || !Number.isFinite(change) || parts.length === 0) return [];
  const top = options.top ?? TOP_PARTS;
  const sorted = largestFirst([...parts]);
  const moved = sorted.filter((d) => Math.abs(d.contribution ?? 0) > 1e-12);
  // Every part when asked for all of them (a breach lists each segment past the line), else those that moved.
  const shown = (top === Infinity ? sorted : moved).slice(0, top);
  const others = sorted.length - shown.length;
  const explained = shown.reduce((sum, d) => sum + (d.contribution ?? 0), 0);
  const rest = change - explained;
  const drivers = [...shown];
  const tolerance = 1e-9 * Math.max(1, Math.abs(change));
  // A floating-point residue is no driver: it goes to the largest part, so the whole still adds up.
  if (Math.abs(rest) <= tolerance && drivers.length > 0) drivers[0]!.contribution = (drivers[0]!.contribution ?? 0) + rest;
  else if (Math.abs(rest) > tolerance || drivers.length === 0) {
    drivers.push({
      kind: sorted[0]!.kind,
      label: options.restLabel(others),
      contribution: rest,
      share: null,
      rest: true,
      ...(options.restDetail ? { detail: options.restDetail } : {}),
    });
  }
  for (const d of drivers) d.share = change !== 0 ? (100 * (d.contribution ?? 0)) / change : null;
  return drivers;
}

/** "3 other services", "1 other team". */
export const othersLabel = (noun: string) => (n: number): string => (n === 0 ? "interaction and rounding" : `${n} other ${noun}${n === 1 ? "" : "s"}`);

function largestFirst(drivers: Driver[]): Driver[] {
  return drivers.sort((a, b) => Math.abs(b.contribution ?? 0) - Math.abs(a.contribution ?? 0) || a.label.localeCompare(b.label));
}

