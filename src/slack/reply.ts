import type { types } from "@slack/bolt";
import type { RenderedMessage } from "../present/blocks/answer.js";
import type { KpiReply } from "./kpi-subcommand.js";

// Presenters build loosely typed blocks (they import nothing from @slack/*); this is the edge where
// they become Bolt's types. The blocks are checked against Block Kit limits in the tests.

export function toReply(message: RenderedMessage, responseType: KpiReply["responseType"] = "ephemeral"): KpiReply {
  return { text: message.text, blocks: message.blocks as unknown as types.KnownBlock[], responseType };
}
