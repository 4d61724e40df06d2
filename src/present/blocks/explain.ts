import type { MetricExplanation } from "../../query/types.js";
import type { RenderedMessage } from "./answer.js";
import { escapeMrkdwn } from "./format-slack.js";
import { bulletSection, context, header, section, type SlackBlock } from "./kit.js";

// `/kpi explain <metric>` and the "Explain" button: the definition in force, with its basis.

export function explainBlocks(e: MetricExplanation): RenderedMessage {
  const blocks: SlackBlock[] = [
    header(`How Vitals computes ${e.label}`),
    section(escapeMrkdwn(e.definition)),
    section(`*Formula*\n${escapeMrkdwn(e.formula)}\n*Benchmark tiers*\n${escapeMrkdwn(e.tiers)}`),
  ];
  if (e.settings.length > 0) blocks.push(bulletSection("Settings in force", e.settings.map((s) => `\`${escapeMrkdwn(s.name)}\` = ${escapeMrkdwn(s.value)}`)));
  if (e.thresholds.length > 0) blocks.push(bulletSection("Thresholds", e.thresholds.map(escapeMrkdwn)));
  if (e.coverage.length > 0) blocks.push(bulletSection("Data coverage", e.coverage.map(escapeMrkdwn)));
  blocks.push(section(`*Why it moved (attribution)*\n${escapeMrkdwn(e.methods.attribution)}\n*Signal or noise (test)*\n${escapeMrkdwn(e.methods.test)}\n*Interval*: ${escapeMrkdwn(e.methods.interval)}`));
  if (e.basis.length > 0) blocks.push(context(e.basis.map((b) => `${b.source === "DORA" ? "DORA" : "Vitals docs/metrics.md"}: ${escapeMrkdwn(b.text)}`)));
  blocks.push(context([`metric id \`${e.metric}\` · unit ${e.unit} · ${e.direction === "higher_is_worse" ? "lower is better" : "higher is better"}`]));
  return { text: `${e.label}: ${e.definition}`, blocks };
}
