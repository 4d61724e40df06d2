import type { FileConfig } from "../config/file.js";
import type { Driver, Tier } from "../query/answer.js";
import type { Frame } from "./frame.js";

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
  /** Decomposition of the change by segment; `groupOf` maps a service to its segment (service or team). */
  decompose(groupOf: (service: string) => string, kind: Driver["kind"]): Driver[];
  /** Item drivers: incidents, failed deployments, stages, size buckets. */
  details: Driver[];
  /** Metric-specific root-cause questions, most specific first. */
  hints: string[];
  notes: string[];
}

export interface MetricSettings {
  readonly config: FileConfig;
  readonly nowMs: number;
  readonly frame: Frame;
  /** Scope services, or null for the organisation. */
  readonly services: readonly string[] | null;
  readonly productionEnvironment: string;
}

export const round = (value: number | null, digits = 2): number | null =>
  value === null || !Number.isFinite(value) ? null : Number(value.toFixed(digits));

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
