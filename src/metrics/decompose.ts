import type { Driver } from "../query/answer.js";
import { percentile, percentileReplacing, sortNumbers } from "./percentile.js";

// "Why is it moving": each segment's contribution is the change in the metric if only that segment
// had changed (its previous cell replaced by its current one, everything else as before). For ratios
// the contribution splits into a rate effect (the segment's own ratio changed, at its previous weight)
// and a mix effect (its weight in the pool changed).

export interface RatioCell {
  num: number;
  den: number;
}

export const addCell = (a: RatioCell, b: RatioCell): RatioCell => ({ num: a.num + b.num, den: a.den + b.den });

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

export interface DecomposeOptions {
  kind: Driver["kind"];
  factor: number;
  /** Unit suffix for the mix/rate detail ("pp" for percentages, "h" for hours). */
  unit: string;
  /** Whether to describe mix and rate effects (ratios of counts) or not (means over services). */
  mixAndRate: boolean;
}

export function decomposeRatio(previous: ReadonlyMap<string, RatioCell>, current: ReadonlyMap<string, RatioCell>, options: DecomposeOptions): Driver[] {
  const prevTotal = totalOf(previous.values());
  const curTotal = totalOf(current.values());
  const before = ratio(prevTotal, options.factor);
  const after = ratio(curTotal, options.factor);
  const change = before !== null && after !== null ? after - before : null;
  const drivers: Driver[] = [];
  for (const segment of new Set([...previous.keys(), ...current.keys()])) {
    const p = previous.get(segment) ?? { num: 0, den: 0 };
    const c = current.get(segment) ?? { num: 0, den: 0 };
    const counterfactual = ratio({ num: prevTotal.num - p.num + c.num, den: prevTotal.den - p.den + c.den }, options.factor);
    const contribution = before !== null && counterfactual !== null ? counterfactual - before : null;
    const segBefore = ratio(p, options.factor);
    const segAfter = ratio(c, options.factor);
    const driver: Driver = {
      kind: options.kind,
      label: segment,
      contribution,
      share: contribution !== null && change ? contribution / change : null,
      previous: segBefore,
      current: segAfter,
    };
    if (options.mixAndRate && contribution !== null && segBefore !== null && segAfter !== null && prevTotal.den > 0) {
      const rate = (p.den / prevTotal.den) * (segAfter - segBefore);
      driver.detail = `rate ${signed(rate)} ${options.unit}, mix ${signed(contribution - rate)} ${options.unit}`;
    }
    drivers.push(driver);
  }
  return largestFirst(drivers);
}

/** Percentile (median) decomposition over pooled samples, segment by segment (each segment's list sorted). */
export function decomposePercentile(
  previous: ReadonlyMap<string, number[]>,
  current: ReadonlyMap<string, number[]>,
  q: number,
  kind: Driver["kind"],
  /** The pooled samples of each window, sorted, when the caller has them already. */
  pools?: { readonly previous: ArrayLike<number>; readonly current: ArrayLike<number> },
): Driver[] {
  const pool = pools?.previous ?? sortNumbers([...previous.values()].flat());
  const before = percentile(pool, q);
  const after = percentile(pools?.current ?? sortNumbers([...current.values()].flat()), q);
  const change = before !== null && after !== null ? after - before : null;
  const drivers: Driver[] = [];
  for (const segment of new Set([...previous.keys(), ...current.keys()])) {
    const p = previous.get(segment) ?? [];
    const c = current.get(segment) ?? [];
    const counterfactual = percentileReplacing(pool, p, c, q);
    const contribution = before !== null && counterfactual !== null ? counterfactual - before : null;
    drivers.push({
      kind,
      label: segment,
      contribution,
      share: contribution !== null && change ? contribution / change : null,
      previous: percentile(p, q),
      current: percentile(c, q),
      detail: `${p.length} → ${c.length} samples`,
    });
  }
  return largestFirst(drivers);
}

export function largestFirst(drivers: Driver[]): Driver[] {
  return drivers.sort((a, b) => Math.abs(b.contribution ?? 0) - Math.abs(a.contribution ?? 0) || a.label.localeCompare(b.label));
}

export function signed(value: number, digits = 2): string {
  const rounded = Number(value.toFixed(digits));
  return `${rounded >= 0 ? "+" : ""}${rounded}`;
}
