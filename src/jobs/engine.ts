import type { MetricId } from "../domain/metric-ids.js";
import type { Scope } from "../domain/scope.js";
import type { KpiAnswer } from "../query/answer.js";
import type { KpiRequest, QueryContext } from "../query/types.js";

// The KPI engine the jobs ask (src/query/run.ts and src/query/thresholds.ts, METRICS engineer),
// passed in rather than imported so the jobs and their tests can run against any implementation
// of the same contract (docs: /work/notes/interfaces.md).

export interface ThresholdEvaluation {
  readonly metric: MetricId;
  readonly scope: Scope;
  readonly status: "ok" | "warn" | "critical" | null;
  readonly value: number | null;
  readonly warn: number;
  readonly critical: number;
  readonly answer: KpiAnswer;
}

export interface KpiEngine {
  answerKpi(ctx: QueryContext, request: KpiRequest): KpiAnswer;
  evaluateThresholds(ctx: QueryContext, options?: { windowDays?: number }): ThresholdEvaluation[];
}
