/**
 * A Block Kit block or view, loosely typed: pure presenters may not import @slack/* (STYLE.md), and
 * the Slack layer casts to Bolt's types at the edge. https://docs.slack.dev/reference/block-kit/blocks
 */
export interface SlackBlock {
  readonly type: string;
  readonly [key: string]: unknown;
}
