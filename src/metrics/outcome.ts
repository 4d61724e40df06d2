import type { Driver } from "../domain/answer.js";
import { decomposeRatio, groupCells, othersLabel, totalOf, whole, type DecomposeOptions, type RatioCell } from "./decompose.js";
import type { Frame, FrameWindow } from "./frame.js";
import { SliceTable, type MetricOutcome, type WindowResult } from "./types.js";

/** A table of ratio cells (numerator, denominator) per service and slice. */
export function ratioTable(frame: Frame): SliceTable<RatioCell> {
  return new SliceTable(frame.cuts.length - 1, () => ({ num: 0, den: 0 }));
}

export function cellsOf(table: SliceTable<RatioCell>, window: FrameWindow): Map<string, RatioCell> {
  return table.fold(window.first, window.end, () => ({ num: 0, den: 0 }), (acc, cell) => ({ num: acc.num + cell.num, den: acc.den + cell.den }));
}

/**
 * current / previous / series and the segment decomposition of a metric whose value is a pooled
 * ratio Σnum ÷ Σden (rates, means, request-weighted means).
 */
export function ratioOutcome(
  table: SliceTable<RatioCell>,
  frame: Frame,
  evaluate: (pooled: RatioCell, window: FrameWindow, cells: Map<string, RatioCell>) => WindowResult,
  options: Omit<DecomposeOptions, "kind">,
): Pick<MetricOutcome, "current" | "previous" | "series" | "decompose"> {
  const at = (window: FrameWindow): WindowResult => {
    const cells = cellsOf(table, window);
    return evaluate(totalOf(cells.values()), window, cells);
  };
  const current = at(frame.current);
  const previous = at(frame.previous);
  return {
    current,
    previous,
    series: frame.weeks.map(at),
    decompose: (groupOf, kind: Driver["kind"], top?: number) =>
      wholeRatio(groupCells(cellsOf(table, frame.previous), groupOf), groupCells(cellsOf(table, frame.current), groupOf), { ...options, kind }, changeOf(current, previous), top),
  };
}

export const changeOf = (current: WindowResult, previous: WindowResult): number | null =>
  current.value !== null && previous.value !== null ? current.value - previous.value : null;

/** A whole shift-share decomposition of a ratio of sums, with "N other <kind>s" as the remainder. */
export function wholeRatio(previous: ReadonlyMap<string, RatioCell>, current: ReadonlyMap<string, RatioCell>, options: DecomposeOptions, change: number | null, top?: number): Driver[] {
  return whole(decomposeRatio(previous, current, options), change, { restLabel: othersLabel(options.kind), ...(top !== undefined ? { top } : {}) });
}
