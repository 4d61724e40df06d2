import type { RenderedMessage } from "../../present/blocks/answer.js";

/** A modal saying what went wrong, put in place of a submitted one (`response_action: "update"`). */
export function errorModal(message: RenderedMessage): { readonly type: "modal"; readonly title: { type: "plain_text"; text: string }; readonly close: { type: "plain_text"; text: string }; readonly blocks: readonly unknown[] } {
  return { type: "modal", title: { type: "plain_text", text: "Vitals" }, close: { type: "plain_text", text: "Close" }, blocks: message.blocks };
}
