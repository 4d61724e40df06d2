import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs, StaticSelectAction } from "@slack/bolt";
import { ORG_OPTION } from "../../present/blocks/home.js";
import { publishHome } from "../views/home.js";
import { currentConfig, type SlackRuntime } from "../runtime.js";

type Args = SlackActionMiddlewareArgs<BlockAction<StaticSelectAction | ButtonAction>> & AllMiddlewareArgs;

/** The App Home's team picker and Refresh button: remember the pick, republish. */
export function homeControlAction(runtime: SlackRuntime) {
  return async ({ ack, action, body, client }: Args): Promise<void> => {
    await ack();
    const value = action.type === "static_select" ? action.selected_option.value : action.value ?? ORG_OPTION;
    const userId = body.user.id;
    const team = value === ORG_OPTION ? null : currentConfig(runtime.deps).teams.find((t) => t.id === value)?.id ?? null;
    await runtime.deps.store.slack.recordHomeOpened(userId, runtime.deps.now(), team);
    await publishHome(client, runtime, userId);
  };
}
