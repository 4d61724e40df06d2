import type { FileConfig } from "../config/file.js";
import type { MetricId } from "../domain/metric-ids.js";
import type { Scope, Window } from "../domain/scope.js";
import type { Store } from "../store/index.js";

// The contract between the `/kpi` language and everything that asks KPI questions (Slack listeners,
// the CLI, the digest and alert jobs). `parse.ts` turns text into a KpiRequest (pure); `run.ts`
// answers a KpiRequest from the store (see answer.ts for the KpiAnswer shape).

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
