import { METRICS } from "../../metrics/catalog.js";
import { parsePreviewArgs, PREVIEW_USAGE, previewText, previewThreshold, type AnswerFn } from "../../jobs/threshold-preview.js";
import { formatValue } from "../../present/format-value.js";
import { answerKpi } from "../../query/run.js";
import type { KpiReply, KpiSubcommand } from "../kpi-subcommand.js";

/** `/kpi threshold preview …` over a KPI engine's answerKpi (see src/jobs/threshold-preview.ts). */
export function createThresholdPreviewSubcommand(answer: AnswerFn): KpiSubcommand {
  return {
    name: "threshold preview",
    usage: PREVIEW_USAGE,
    summary: "how often a threshold would have fired over the last 90 days, before you set it",
    run({ deps, args }): KpiReply {
      const parsed = parsePreviewArgs(args, deps.config);
      if (!parsed.ok) return { text: parsed.error };
      const ctx = { store: deps.store, config: deps.config, nowMs: deps.now() };
      const previews = previewThreshold(ctx, answer, parsed.value);
      const unit = METRICS[parsed.value.metric].unit;
      const text = previewText(parsed.value, previews, (v) => formatValue(v, unit));
      return { text, blocks: [{ type: "section", text: { type: "mrkdwn", text: text.slice(0, 3000) } }] };
    },
  };
}

export const thresholdPreviewSubcommand: KpiSubcommand = createThresholdPreviewSubcommand(answerKpi);
