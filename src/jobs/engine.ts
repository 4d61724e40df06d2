import type { MetricId } from "../domain/metric-ids.js";
import type { Scope } from "../domain/scope.js";
import type { KpiAnswer } from "../domain/answer.js";
import type { KpiRequest, QueryContext } from "../query/types.js";

// The KPI engine the jobs ask (src/query/run.ts and src/query/thresholds.ts; src/jobs/default-engine.ts
// binds them), passed in rather than imported so that the decision tests can walk a value across
// the thresholds step by step; test/jobs/alerts.test.ts also runs the real engine on records.

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
