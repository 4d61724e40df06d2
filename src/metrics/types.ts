import type { Driver, Finding, Tier } from "../domain/answer.js";
import type { ChangeTest, Interval } from "./significance.js";

/** The value of a metric over one window. */
export interface WindowResult {
  value: number | null;
  sample_size: number;
  stats: Record<string, number | null>;
}

/** Everything one metric computes for an answer; run.ts adds thresholds, annotations and wording. */
export interface MetricOutcome {
  current: WindowResult;
  previous: WindowResult;
  series: WindowResult[];
  tier: Tier | null;
  /**
   * Whole decomposition of the change by segment (parts + remainder add up to the change, see
   * decompose.ts); `groupOf` maps a service to its segment (service or team).
   */
  decompose(groupOf: (service: string) => string, kind: Driver["kind"], top?: number): Driver[];
  /**
   * The metric's own drivers: whole decompositions (stages, size buckets, severities, incidents)
   * and items that are no part of one (failed deployments: contribution null).
   */
  details: Driver[];
  /** Metric-specific findings with their evidence (a test against the base rate), most specific first. */
  findings: Finding[];
  /** The standard test of the change against the previous window (significance.ts). */
  test: ChangeTest;
  /** Interval of the current value (null when none applies). */
  interval: Interval | null;
  /** How the segments are attributed, for `explain` and notes. */
  method: string;
  notes: string[];
}

/** JSON carries full precision (docs/metrics.md): only text and Block Kit round. A non-finite number is no value. */
export const finite = (value: number | null): number | null => (value === null || !Number.isFinite(value) ? null : value);

/** Per-service per-slice accumulator. */
export class SliceTable<T> {
  private readonly rows = new Map<string, T[]>();
  constructor(private readonly slices: number, private readonly empty: () => T) {}
  cell(service: string, slice: number): T {
    let row = this.rows.get(service);
    if (!row) {
      row = Array.from({ length: this.slices }, this.empty);
      this.rows.set(service, row);
    }
    return row[slice]!;
  }
  /** Per service, the cells of a slice range folded with `fold`. */
  fold<R>(first: number, end: number, init: () => R, fold: (acc: R, cell: T) => R): Map<string, R> {
    const out = new Map<string, R>();
    for (const [service, row] of this.rows) {
      let acc = init();
      for (let i = first; i < end; i++) acc = fold(acc, row[i]!);
      out.set(service, acc);
    }
    return out;
  }
}
