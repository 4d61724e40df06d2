import { METRICS } from "../../metrics/catalog.js";
import { parsePreviewArgs, PREVIEW_USAGE, previewText, previewThreshold, type PreviewRules } from "../../query/threshold-preview.js";
import { formatValue } from "../../present/format-value.js";
import type { KpiReply, KpiSubcommand } from "../kpi-subcommand.js";

/**
 * `/kpi threshold preview …` over the KPI engine's answerKpi and the alert job's rules (see
 * src/query/threshold-preview.ts); the composition root (src/app/) passes both in.
 */
export function createThresholdPreviewSubcommand(rules: PreviewRules): KpiSubcommand {
  return {
    name: "threshold preview",
    usage: PREVIEW_USAGE,
    summary: "how often a threshold would have fired over the last 90 days, before you set it",
    async run({ deps, args }): Promise<KpiReply> {
      const parsed = parsePreviewArgs(args, deps.config);
      if (!parsed.ok) return { text: parsed.error };
      const ctx = { store: deps.store, config: deps.config, nowMs: deps.now() };
      const previews = await previewThreshold(ctx, rules, parsed.value);
      const unit = METRICS[parsed.value.metric].unit;
      const text = previewText(parsed.value, previews, (v) => formatValue(v, unit));
      return { text, blocks: [{ type: "section", text: { type: "mrkdwn", text: text.slice(0, 3000) } }] };
    },
  };
}
