import type { MetricId } from "../domain/metric-ids.js";
import type { Scope } from "../domain/scope.js";
import type { KpiAnswer } from "../domain/answer.js";
import type { KpiQuestion, KpiRequest, QueryContext, QuestionResult } from "./types.js";

// The KPI engine the jobs ask (src/query/run.ts and src/query/thresholds.ts; the composition root,
// src/app/engines.ts, binds them), passed in rather than imported so that the decision tests can walk a value across
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
  answerKpi(ctx: QueryContext, request: KpiRequest): Promise<KpiAnswer>;
  evaluateThresholds(ctx: QueryContext, options?: { windowDays?: number }): Promise<ThresholdEvaluation[]>;
}

/** What the Slack listeners ask (src/query/ask.ts routes a question; src/app/engines.ts binds it). */
export interface QuestionEngine {
  answerQuestion(ctx: QueryContext, question: KpiQuestion): Promise<QuestionResult>;
}
