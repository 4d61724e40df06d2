import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from "@slack/bolt";
import { formatKpiQuestion, parseKpiQuestion, zoneOf } from "../../query/parse.js";
import { driversBlocks } from "../../present/blocks/answer.js";
import { parseErrorBlocks } from "../../present/blocks/errors.js";
import { askQuestion } from "../answer-question.js";
import { toReply } from "../reply.js";
import { knownServices, queryContext, type SlackRuntime } from "../runtime.js";

// The buttons under an answer. Each carries the question (canonical text) and re-asks it, so a
// click works however old the message is. https://docs.slack.dev/reference/interaction-payloads/block_actions-payload

export type Args = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

/** "Share in channel": post the answer for everyone and remove the private copy. */
export function shareAction(runtime: SlackRuntime) {
  return async (args: Args): Promise<void> => {
    await args.ack();
    const asked = await runtime.compute(() => askQuestion(runtime, args.action.value ?? "", { sharedBy: args.body.user.id }));
    const reply = toReply(asked.message, asked.shareable ? "in_channel" : "ephemeral");
    await args.respond({ response_type: reply.responseType ?? "ephemeral", replace_original: false, text: reply.text, blocks: reply.blocks ?? [] });
    if (asked.shareable && args.body.container?.is_ephemeral) await args.respond({ delete_original: true });
  };
}

/** "Show drivers": the full driver list, in the answer's thread when it is in the channel. */
export function driversAction(runtime: SlackRuntime) {
  return async (args: Args): Promise<void> => {
    await args.ack();
    const text = args.action.value ?? "";
    const ctx = queryContext(runtime.deps);
    const parsed = parseKpiQuestion(text, { nowMs: ctx.nowMs, config: ctx.config, services: await knownServices(runtime.deps, ctx.config) });
    if (!parsed.ok || parsed.value.kind !== "metric") {
      const reply = toReply(parseErrorBlocks(text, parsed.ok ? "not a metric question" : parsed.error));
      await args.respond({ response_type: "ephemeral", replace_original: false, text: reply.text, blocks: reply.blocks ?? [] });
      return;
    }
    const question = parsed.value;
    const result = await runtime.compute(() => runtime.engine.answerQuestion(ctx, question));
    if (result.kind !== "answer") throw new Error(`expected an answer to "${formatKpiQuestion(question)}", got ${result.kind}`);
    const reply = toReply(driversBlocks(result.answer, zoneOf(question.request.scope, ctx.config)));
    const channel = args.body.channel?.id;
    const ts = args.body.message?.ts;
    if (channel && ts && !args.body.container?.is_ephemeral) {
      await args.client.chat.postMessage({ channel, thread_ts: ts, text: reply.text, blocks: reply.blocks ?? [] });
    } else {
      await args.respond({ response_type: "ephemeral", replace_original: false, text: reply.text, blocks: reply.blocks ?? [] });
    }
  };
}

/** "Explain": the definition in force, privately. */
export function explainAction(runtime: SlackRuntime) {
  return async (args: Args): Promise<void> => {
    await args.ack();
    const asked = await runtime.compute(() => askQuestion(runtime, `explain ${args.action.value ?? ""}`));
    const reply = toReply(asked.message);
    await args.respond({ response_type: "ephemeral", replace_original: false, text: reply.text, blocks: reply.blocks ?? [] });
  };
}

/** "Details" on a summary line: that metric's full answer, privately. */
export function detailsAction(runtime: SlackRuntime) {
  return async (args: Args): Promise<void> => {
    await args.ack();
    const asked = await runtime.compute(() => askQuestion(runtime, args.action.value ?? ""));
    const reply = toReply(asked.message);
    await args.respond({ response_type: "ephemeral", replace_original: false, text: reply.text, blocks: reply.blocks ?? [] });
  };
}

