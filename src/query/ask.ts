import type { MetricId } from "../domain/metric-ids.js";
import type { KpiAnswer } from "../domain/answer.js";
import { explainMetric } from "./explain.js";
import { answerKpi } from "./run.js";
import { METRIC_EXAMPLES } from "./parse.js";
import type { KpiQuestion, KpiRequest, QueryContext, QuestionResult } from "./types.js";
import { WINDOW_EXAMPLES } from "./windows.js";

// Answers a parsed question: one metric (optionally against a second window), the DORA summary,
// an explanation, or help. The metric maths lives in run.ts (answerKpi); this only routes.

/** DORA's four keys, in the order dora.dev lists them. */
const SUMMARY_METRICS: readonly MetricId[] = ["deployment_frequency", "lead_time", "change_failure_rate", "mttr"];

type AnswerKpi = (ctx: QueryContext, request: KpiRequest) => Promise<KpiAnswer>;

async function answerQuestionWith(answerKpi: AnswerKpi, ctx: QueryContext, question: KpiQuestion): Promise<QuestionResult> {
  switch (question.kind) {
    case "help":
      return { kind: "help", text: HELP_TEXT };
    case "explain":
      return { kind: "explain", explanation: await explainMetric(ctx, question.metric) };
    case "summary":
      return {
        kind: "summary",
        // One after another, not all at once: the answers share the store's one connection.
        answers: await sequentially(SUMMARY_METRICS, (metric) => answerKpi(ctx, { metric, scope: question.scope, window: question.window, windowLabel: question.windowLabel })),
      };
    case "metric": {
      const answer = await answerKpi(ctx, question.request);
      if (!question.compareTo) return { kind: "answer", answer };
      const compared = await answerKpi(ctx, { ...question.request, window: question.compareTo.window, windowLabel: question.compareTo.label });
      return { kind: "answer", answer, compared };
    }
  }
}

async function sequentially<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (const item of items) results.push(await work(item));
  return results;
}

export const HELP_TEXT = `Ask: <metric> [window] [for <team|service>] [vs <window>]
  metrics: ${METRIC_EXAMPLES}
  windows: ${WINDOW_EXAMPLES} (default: last 30 days; calendar windows in the team's time zone)
Also: summary (or dora) [window] [for …] — the four keys at once; explain <metric> — the definition in force and data coverage; help.
Examples:
  cfr last 30d for payments
  lead time this quarter for checkout vs last quarter
  mttr q1 2026
  dora last month for platform
  explain uptime`;

/** Answer a parsed question from the store (the metric maths: run.ts). */
export function answerQuestion(ctx: QueryContext, question: KpiQuestion): Promise<QuestionResult> {
  return answerQuestionWith(answerKpi, ctx, question);
}
