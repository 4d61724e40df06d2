import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from "@slack/bolt";
import { internalErrorBlocks, notAdminBlocks } from "../../present/blocks/errors.js";
import { isVitalsAdmin } from "../admin.js";
import { askQuestion } from "../answer-question.js";
import { logWithErrorId } from "../errors.js";
import type { KpiReply } from "../kpi-subcommand.js";
import { toReply } from "../reply.js";
import type { SlackRuntime } from "../runtime.js";
import { routeKpiText } from "./route.js";

// `/kpi …`: acknowledge first (Slack's 3-second limit), then answer in place with `respond`:
// ephemeral unless the text ends with `public`. https://docs.slack.dev/interactivity/implementing-slash-commands

type Args = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

export function kpiCommand(runtime: SlackRuntime) {
  return async ({ command, ack, respond, client }: Args): Promise<void> => {
    await ack();
    const { deps } = runtime;
    const routed = routeKpiText(command.text ?? "", runtime.subcommands);
    let reply: KpiReply;
    try {
      const sub = routed.subcommand;
      if (sub) {
        const isAdmin = sub.adminOnly ? await isVitalsAdmin(deps, client, command.user_id) : deps.env.VITALS_ADMINS.includes(command.user_id);
        if (sub.adminOnly && !isAdmin) reply = toReply(notAdminBlocks(sub.name));
        else {
          reply = await sub.run({ deps, args: routed.args, text: routed.text, userId: command.user_id, channelId: command.channel_id, isAdmin });
          if (sub.name === "sync") await runtime.afterSync();
        }
      } else {
        const asked = await runtime.compute(() => askQuestion(runtime, routed.text, routed.public ? { sharedBy: command.user_id } : {}));
        reply = toReply(asked.message, routed.public && asked.shareable ? "in_channel" : "ephemeral");
      }
    } catch (error) {
      const errorId = logWithErrorId(deps, error, { command: "/kpi", text: command.text, userId: command.user_id });
      reply = toReply(internalErrorBlocks(errorId));
    }
    await respond({
      response_type: reply.responseType ?? "ephemeral",
      text: reply.text,
      ...(reply.blocks ? { blocks: reply.blocks } : {}),
    });
  };
}
