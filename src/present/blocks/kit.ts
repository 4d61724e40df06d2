import type { SlackBlock } from "../slack-block.js";
import { escapeMrkdwn, truncate } from "./format-slack.js";

// Small Block Kit constructors that keep every text within Slack's limits by construction.
// https://docs.slack.dev/reference/block-kit/blocks

export type { SlackBlock } from "../slack-block.js";

export const LIMITS = {
  blocksPerMessage: 50,
  blocksPerView: 100,
  sectionText: 3000,
  headerText: 150,
  contextElements: 10,
  fieldText: 2000,
  fields: 10,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  optionText: 75,
} as const;

export function header(text: string): SlackBlock {
  return { type: "header", text: { type: "plain_text", text: truncate(text, LIMITS.headerText), emoji: true } };
}

/** A mrkdwn section; `text` is already mrkdwn (escape user text with escapeMrkdwn first). */
export function section(text: string, extra: Record<string, unknown> = {}): SlackBlock {
  return { type: "section", text: { type: "mrkdwn", text: truncate(text, LIMITS.sectionText) }, ...extra };
}

export function fields(items: readonly string[]): SlackBlock {
  return {
    type: "section",
    fields: items.slice(0, LIMITS.fields).map((text) => ({ type: "mrkdwn", text: truncate(text, LIMITS.fieldText) })),
  };
}

export function context(items: readonly string[]): SlackBlock {
  return {
    type: "context",
    elements: items.slice(0, LIMITS.contextElements).map((text) => ({ type: "mrkdwn", text: truncate(text, LIMITS.fieldText) })),
  };
}

export function divider(): SlackBlock {
  return { type: "divider" };
}

export interface Button {
  readonly text: string;
  readonly actionId: string;
  readonly value?: string;
  readonly style?: "primary" | "danger";
  readonly url?: string;
}

function button(b: Button): Record<string, unknown> {
  return {
    type: "button",
    text: { type: "plain_text", text: truncate(b.text, LIMITS.buttonText), emoji: true },
    action_id: b.actionId,
    ...(b.value !== undefined ? { value: truncate(b.value, LIMITS.buttonValue) } : {}),
    ...(b.style ? { style: b.style } : {}),
    ...(b.url ? { url: b.url } : {}),
  };
}

export function actions(blockId: string, buttons: readonly Button[]): SlackBlock {
  return { type: "actions", block_id: blockId, elements: buttons.map(button) };
}

/** A bulleted list that fits one section: items past the limit become "… and N more". */
export function bulletSection(title: string, lines: readonly string[]): SlackBlock {
  const head = `*${escapeMrkdwn(title)}*`;
  const out: string[] = [];
  let length = head.length;
  for (const [index, line] of lines.entries()) {
    const item = `\n• ${line}`;
    const rest = lines.length - index;
    if (length + item.length + 20 > LIMITS.sectionText) {
      out.push(`\n… and ${rest} more`);
      break;
    }
    out.push(item);
    length += item.length;
  }
  return section(head + out.join(""));
}
