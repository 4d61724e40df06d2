import { METRICS } from "../../metrics/catalog.js";
import type { KpiAnswer } from "../../domain/answer.js";
import { formatChange, formatValue } from "../format-value.js";
import { seriesSparkline } from "../sparkline.js";
import type { RenderedMessage } from "./answer.js";
import { ANSWER_ACTIONS, scopeText, sampleText } from "./answer.js";
import { arrow, escapeMrkdwn, formatWindowRange, statusEmoji, tierLabel, TREND_EMOJI, trendOf } from "./format-slack.js";
import { actions, context, header, section, type SlackBlock } from "./kit.js";

/** action_id prefix of the per-KPI "Details" buttons (`kpi:details:<metric>`). */
export const SUMMARY_DETAILS_ACTION = "kpi:details";

// One line per KPI (value, trend, tier, threshold, sparkline): `/kpi summary` and the App Home.

export function kpiLine(answer: KpiAnswer): string {
  const trend = trendOf(answer.change.absolute, METRICS[answer.metric].direction);
  const change =
    answer.change.absolute === null
      ? "no trend"
      : `${arrow(answer.change.absolute)} ${formatChange(answer.change.absolute, answer.change.percent, answer.unit)} ${TREND_EMOJI[trend]}${answer.change.significant === null ? "" : answer.change.significant ? " significant" : " within normal variation"}`;
  const spark = seriesSparkline(answer.series);
  return [
    `*${escapeMrkdwn(answer.label)}*  ${formatValue(answer.value, answer.unit)}  ${change}`,
    `${tierLabel(answer.tier)} · threshold ${statusEmoji(answer.threshold.status)} · ${sampleText(answer)}${spark.trim() ? ` · \`${spark}\`` : ""}`,
  ].join("\n");
}

export interface SummaryRenderOptions {
  readonly zone: string;
  readonly windowLabel: string;
  /** The question as asked, for "Share in channel". */
  readonly question: string;
  /** The metric question behind each "Details" button. */
  readonly detailQuestion: (answer: KpiAnswer) => string;
  readonly shared?: boolean;
  readonly sharedBy?: string;
}

export function summaryBlocks(answers: readonly KpiAnswer[], options: SummaryRenderOptions): RenderedMessage {
  const first = answers[0];
  const scope = first ? scopeText(first) : "whole org";
  const blocks: SlackBlock[] = [header(`Delivery summary · ${scope}`)];
  for (const answer of answers) {
    blocks.push(
      section(kpiLine(answer), {
        accessory: {
          type: "button",
          text: { type: "plain_text", text: "Details", emoji: true },
          action_id: `${SUMMARY_DETAILS_ACTION}:${answer.metric}`,
          value: options.detailQuestion(answer),
        },
      }),
    );
  }
  const window = first ? ` (${formatWindowRange(first.window, options.zone)}, ${options.zone})` : "";
  blocks.push(
    context([
      `${escapeMrkdwn(options.windowLabel)}${window}; trends vs the previous window of equal length`,
      ...(options.sharedBy ? [`shared by <@${options.sharedBy}>`] : []),
    ]),
  );
  if (!options.shared) {
    blocks.push(actions("kpi_summary_actions", [{ text: "Share in channel", actionId: ANSWER_ACTIONS.share, value: options.question, style: "primary" }]));
  }
  const text = `Delivery summary for ${scope}, ${options.windowLabel}: ${answers.map((a) => `${a.label} ${formatValue(a.value, a.unit)}`).join("; ")}`;
  return { text, blocks };
}
