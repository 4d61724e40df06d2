import type { FileConfig } from "../config/file.js";
import type { MetricInfo } from "../domain/metric-ids.js";
import type { ExplainReads } from "../store/explain-reads.js";
import type { MetricReads, ScopeServices } from "../store/metric-reads.js";
import type { BreachMeasures, BreachPick } from "./breach.js";
import type { Frame } from "./frame.js";
import type { MetricOutcome, WindowResult } from "./types.js";

// Everything one metric is (issue 12 "a metric is one module"): its vocabulary, its words for
// answers, `explain` and the no-data hint, its read and its computation. One module per metric in
// src/metrics/<family>/<id>.ts, registered in src/metrics/catalog.ts, whose Record<MetricId, MetricSpec> makes
// the compiler list what a new metric must provide.

/** What the read of one answer needs besides the store's reads. */
export interface ReadInput {
  readonly frame: Frame;
  /** Scope services, or null for the organisation. */
  readonly services: ScopeServices;
  readonly productionEnvironment: string;
  readonly config: FileConfig;
  readonly nowMs: number;
}

/** What the pure computation of one answer needs besides the data read. */
interface ComputeInput {
  readonly frame: Frame;
  readonly config: FileConfig;
  /** Injected clock (UTC epoch ms): open incidents and outages run until now. */
  readonly nowMs: number;
}

/** The definition `explain` shows: docs/metrics.md with this installation's settings filled in. */
export interface MetricDefinition {
  readonly definition: string;
  readonly formula: string;
  /** Tier boundaries, or why there is none. */
  readonly tiers: string;
  readonly basis: readonly { readonly source: "METRICS.md" | "DORA"; readonly text: string }[];
  readonly settings: readonly { readonly name: string; readonly value: string }[];
}

/** How a change is attributed and tested, in words (docs/metrics.md "Change, attribution and significance"). */
export interface MetricMethods {
  /** How a change splits into parts that add up to it exactly. */
  readonly attribution: string;
  /** The two-sided test of the change against the previous window (α = 0.05). */
  readonly test: string;
  /** The interval shown for the headline. */
  readonly interval: string;
}

/** What `explain` fills a definition and the coverage lines from. */
export interface ExplainInput {
  readonly config: FileConfig;
  /** The incident filters in force over the organisation, described (src/query/incident-counting.ts). */
  readonly filters: { readonly changeFailure: string; readonly recovery: string };
  readonly nowMs: number;
}

export interface MetricSpec<Data = unknown> extends MetricInfo {
  /**
   * The words people type for it (matching is on whole words, longest first; the id spelt with
   * `_`, `-` or spaces always works). The first is the one help and "expected" lists show.
   */
  readonly aliases: readonly [string, ...string[]];
  /** What `sample_size` counts (docs/metrics.md): "deployments", "resolved incidents", … */
  readonly sampleNoun: string;
  /** Which source feeds it and how to connect one (the no-data answer, Slack and CLI alike). */
  readonly howToConnect: string;
  /** The answer's one-line `definition`: "median of 41 changes first deployed …". */
  definitionLine(result: WindowResult, windowLabel: string): string;
  /** `explain`: the definition in force, formula, tiers and where each part comes from. */
  explain(input: ExplainInput): MetricDefinition;
  readonly methods: MetricMethods;
  /** `explain`: what the stored data covers and what is left out, one line each (I/O: awaited like `read`). */
  coverage(reads: ExplainReads, input: ExplainInput): string[] | Promise<string[]>;
  /**
   * The I/O of one answer, through the store's reads only; the answer builder (src/query/run.ts)
   * is the one caller and awaits it before computing, so a store that answers asynchronously (the
   * PostgreSQL one, issue 19) returns a Promise and SQLite returns the data itself. Follow-up
   * lookups (the few failed deployments or incidents an answer names, the outages of services
   * without samples, the per-service stage sums) are decided from what was read first by pure
   * helpers of the family's compute.ts and awaited here too, so `compute` makes no read.
   */
  read(reads: MetricReads, input: ReadInput): Data | Promise<Data>;
  /**
   * Which incident filter of docs/metrics.md "Which incidents count" applies (the answer states it
   * and what it left out): the recovery filter over the time column it is measured to, or the
   * change-failure filter; absent for metrics incidents do not feed.
   */
  readonly incidentFilter?: { readonly kind: "recovery"; readonly column: "resolved_at" | "acknowledged_at" } | { readonly kind: "change_failure" };
  /**
   * Which incidents explain a breach of its threshold and their weight (src/metrics/breach.ts);
   * absent when no incident does (lead time, coverage, cost).
   */
  readonly breach?: (measures: BreachMeasures) => BreachPick;
  /** The pure computation over what `read` returned: value, series, drivers, test, findings. */
  compute(data: Data, input: ComputeInput): MetricOutcome;
}
