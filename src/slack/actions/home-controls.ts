import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs, StaticSelectAction } from "@slack/bolt";
import { ORG_OPTION } from "../../present/blocks/home.js";
import { logWithErrorId } from "../errors.js";
import { publishHome } from "../home/publish-home.js";
import { currentConfig, type SlackRuntime } from "../runtime.js";

type Args = SlackActionMiddlewareArgs<BlockAction<StaticSelectAction | ButtonAction>> & AllMiddlewareArgs;

/** The App Home's team picker and Refresh button: remember the pick, republish. */
export function homeControlAction(runtime: SlackRuntime) {
  return async ({ ack, action, body, client }: Args): Promise<void> => {
    await ack();
    const value = action.type === "static_select" ? action.selected_option.value : action.value ?? ORG_OPTION;
    const userId = body.user.id;
    try {
      const team = value === ORG_OPTION ? null : currentConfig(runtime.deps).teams.find((t) => t.id === value)?.id ?? null;
      runtime.deps.store.slack.recordHomeOpened(userId, runtime.deps.now(), team);
      await publishHome(client, runtime, userId);
    } catch (error) {
      logWithErrorId(runtime.deps, error, { action: action.action_id, userId });
    }
  };
}
