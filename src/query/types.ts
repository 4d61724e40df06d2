import type { FileConfig } from "../config/file.js";
import type { Direction, MetricId, Unit } from "../domain/metric-ids.js";
import type { Scope, Window } from "../domain/scope.js";
import type { Store } from "../store/index.js";
import type { KpiAnswer } from "../domain/answer.js";
import type { MetricDefinition, MetricMethods } from "../metrics/spec.js";

// The contract between the `/kpi` language and everything that asks KPI questions (Slack listeners,
// the CLI, the digest and alert jobs). `parse.ts` turns text into a KpiRequest (pure); `run.ts`
// answers a KpiRequest from the store (see src/domain/answer.ts for the KpiAnswer shape).

export interface KpiRequest {
  readonly metric: MetricId;
  readonly scope: Scope;
  /** Half-open [from, to) in UTC; "last 30d" ends at now. */
  readonly window: Window;
  /** How the user said it, normalised: "last 30 days", "this quarter", "2026-03-01 to 2026-03-31". */
  readonly windowLabel: string;
}

export interface QueryContext {
  readonly store: Store;
  readonly config: FileConfig;
  /** Injected clock (UTC epoch ms): every answer is reproducible for a fixed now. */
  readonly nowMs: number;
}

export type ParseResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/** A parsed `/kpi` / `vitals ask` question (src/query/parse.ts); `formatKpiQuestion` prints it back. */
export type KpiQuestion =
  | { readonly kind: "metric"; readonly request: KpiRequest; readonly compareTo?: { readonly window: Window; readonly label: string } }
  | { readonly kind: "summary"; readonly scope: Scope; readonly window: Window; readonly windowLabel: string }
  | { readonly kind: "explain"; readonly metric: MetricId }
  | { readonly kind: "help" };

/** What answering a question gives (src/query/ask.ts), rendered as text (CLI) and Block Kit (Slack). */
export type QuestionResult =
  | { readonly kind: "answer"; readonly answer: KpiAnswer; readonly compared?: KpiAnswer }
  | { readonly kind: "summary"; readonly answers: KpiAnswer[] }
  | { readonly kind: "explain"; readonly explanation: MetricExplanation }
  | { readonly kind: "help"; readonly text: string };

/** `explain <metric>`: the definition actually in force (src/query/explain.ts). */
export interface MetricExplanation extends MetricDefinition {
  readonly metric: MetricId;
  readonly label: string;
  readonly unit: Unit;
  readonly direction: Direction;
  /** Configured thresholds for this metric, one line each. */
  readonly thresholds: readonly string[];
  /** What the stored data covers and what is left out, one line each. */
  readonly coverage: readonly string[];
  /** How a change is attributed, tested, and the headline's interval (the metric's module). */
  readonly methods: MetricMethods;
}
