import type { RenderedMessage } from "./answer.js";
import { escapeMrkdwn } from "./format-slack.js";
import { bulletSection, context, header, section, type SlackBlock } from "./kit.js";

// `/kpi help`: the question grammar (text from the query engine) and the subcommands.

export interface HelpCommand {
  readonly usage: string;
  readonly summary: string;
  readonly adminOnly?: boolean;
}

export function helpBlocks(grammar: string, commands: readonly HelpCommand[]): RenderedMessage {
  const blocks: SlackBlock[] = [header("Asking Vitals with /kpi"), section(`\`\`\`${escapeMrkdwn(grammar.replace(/```/g, "'''"))}\`\`\``)];
  const everyone = commands.filter((c) => !c.adminOnly);
  const admin = commands.filter((c) => c.adminOnly);
  if (everyone.length > 0) blocks.push(bulletSection("Commands", everyone.map((c) => `\`/kpi ${escapeMrkdwn(c.usage)}\` — ${escapeMrkdwn(c.summary)}`)));
  if (admin.length > 0) blocks.push(bulletSection("Admin commands", admin.map((c) => `\`/kpi ${escapeMrkdwn(c.usage)}\` — ${escapeMrkdwn(c.summary)}`)));
  blocks.push(context(["Answers are private to you; add `public` at the end, or press “Share in channel”, to post one."]));
  return { text: `/kpi help\n${grammar}`, blocks };
}
