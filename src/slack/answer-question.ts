import { formatKpiQuestion, parseKpiQuestion, zoneOf } from "../query/parse.js";
import type { KpiQuestion, QuestionResult } from "../query/types.js";
import { answerBlocks, type RenderedMessage } from "../present/blocks/answer.js";
import { isNoData, noDataBlocks, parseErrorBlocks } from "../present/blocks/errors.js";
import { explainBlocks } from "../present/blocks/explain.js";
import { helpBlocks } from "../present/blocks/help.js";
import { summaryBlocks } from "../present/blocks/summary.js";
import { knownServices, queryContext, type SlackRuntime } from "./runtime.js";

// Text → question → answer → Block Kit, for `/kpi` and for the buttons that re-ask a question.

export interface AskOptions {
  /** Posted in the channel: no "Share in channel" button, and who shared it. */
  readonly sharedBy?: string;
}

export interface AskResult {
  readonly message: RenderedMessage;
  /** false for problems (parse errors, no data): those stay private even when `public` was asked. */
  readonly shareable: boolean;
}

export async function askQuestion(runtime: SlackRuntime, text: string, options: AskOptions = {}): Promise<AskResult> {
  const ctx = queryContext(runtime.deps);
  const parsed = parseKpiQuestion(text, { nowMs: ctx.nowMs, config: ctx.config, services: await knownServices(runtime.deps, ctx.config) });
  if (!parsed.ok) return { message: parseErrorBlocks(text, parsed.error), shareable: false };
  const result = await runtime.engine.answerQuestion(ctx, parsed.value);
  const noData = result.kind === "answer" && isNoData(result.answer);
  return { message: renderResult(runtime, parsed.value, result, noData ? {} : options), shareable: !noData };
}

function renderResult(runtime: SlackRuntime, question: KpiQuestion, result: QuestionResult, options: AskOptions = {}): RenderedMessage {
  const config = queryContext(runtime.deps).config;
  const shared = options.sharedBy !== undefined;
  const sharing = shared ? { shared: true, sharedBy: options.sharedBy! } : {};
  switch (result.kind) {
    case "answer": {
      if (isNoData(result.answer)) return noDataBlocks(result.answer);
      const zone = zoneOf(question.kind === "metric" ? question.request.scope : { kind: "org", id: null }, config);
      return answerBlocks(result.answer, {
        zone,
        question: formatKpiQuestion(question),
        ...(result.compared ? { compared: result.compared } : {}),
        ...sharing,
      });
    }
    case "summary": {
      if (question.kind !== "summary") throw new Error(`summary result for a ${question.kind} question`);
      return summaryBlocks(result.answers, {
        zone: zoneOf(question.scope, config),
        windowLabel: question.windowLabel,
        question: formatKpiQuestion(question),
        detailQuestion: (answer) =>
          formatKpiQuestion({ kind: "metric", request: { metric: answer.metric, scope: question.scope, window: question.window, windowLabel: question.windowLabel } }),
        ...sharing,
      });
    }
    case "explain":
      return explainBlocks(result.explanation);
    case "help":
      return helpBlocks(result.text, runtime.subcommands);
  }
}
