import { METRICS } from "../metrics/catalog.js";
import { DAY_MS, type Scope } from "../domain/scope.js";
import { thresholdStatus } from "../metrics/thresholds.js";
import type { ThresholdEvaluation } from "./engine.js";
import { answerKpi } from "./run.js";
import type { QueryContext } from "./types.js";

export type { ThresholdEvaluation } from "./engine.js";

/**
 * Evaluate every configured threshold at ctx.nowMs over the last `windowDays` (default 30) days,
 * each at its own scope (org, team or service), for the alerting job.
 */
export async function evaluateThresholds(ctx: QueryContext, options: { windowDays?: number } = {}): Promise<ThresholdEvaluation[]> {
  const days = options.windowDays ?? 30;
  const window = { fromMs: ctx.nowMs - days * DAY_MS, toMs: ctx.nowMs };
  // One after another, not all at once: the answers share the store's one connection.
  const evaluations: ThresholdEvaluation[] = [];
  for (const threshold of ctx.config.thresholds) {
    const scope: Scope = threshold.service
      ? { kind: "service", id: threshold.service }
      : threshold.team
        ? { kind: "team", id: threshold.team }
        : { kind: "org", id: null };
    const answer = await answerKpi(ctx, { metric: threshold.metric, scope, window, windowLabel: `last ${days} days` });
    evaluations.push({
      metric: threshold.metric,
      scope,
      status: thresholdStatus(answer.value, threshold, METRICS[threshold.metric].direction),
      value: answer.value,
      warn: threshold.warn,
      critical: threshold.critical,
      answer,
    });
  }
  return evaluations;
}
