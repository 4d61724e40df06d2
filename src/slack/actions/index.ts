import type { BlockAction, ButtonAction, StaticSelectAction } from "@slack/bolt";
import { ANSWER_ACTIONS } from "../../present/blocks/answer.js";
import { HOME_REFRESH_ACTION, HOME_TEAM_ACTION } from "../../present/blocks/home.js";
import { SUMMARY_DETAILS_ACTION } from "../../present/blocks/summary.js";
import type { ListenerApp } from "../listener.js";
import type { SlackRuntime } from "../runtime.js";
import { detailsAction, driversAction, explainAction, shareAction } from "./answer-buttons.js";
import { downloadRowsAction } from "./download-rows.js";
import { homeControlAction } from "./home-controls.js";
import { registerJobActions } from "./jobs.js";
import { registerLinkConfirmationActions } from "./link-confirmations.js";

export function registerActions(app: ListenerApp, runtime: SlackRuntime): void {
  app.action<BlockAction<ButtonAction>>(ANSWER_ACTIONS.share, shareAction(runtime));
  app.action<BlockAction<ButtonAction>>(ANSWER_ACTIONS.drivers, driversAction(runtime));
  app.action<BlockAction<ButtonAction>>(ANSWER_ACTIONS.explain, explainAction(runtime));
  app.action<BlockAction<ButtonAction>>(ANSWER_ACTIONS.rows, downloadRowsAction(runtime));
  app.action<BlockAction<ButtonAction>>(new RegExp(`^${SUMMARY_DETAILS_ACTION}:`), detailsAction(runtime));
  app.action<BlockAction<StaticSelectAction | ButtonAction>>(HOME_TEAM_ACTION, homeControlAction(runtime));
  app.action<BlockAction<StaticSelectAction | ButtonAction>>(HOME_REFRESH_ACTION, homeControlAction(runtime));
  // Acknowledge / review buttons of the jobs' messages (alerts and reminders); their modals are in src/slack/views.
  registerJobActions(app, runtime.deps);
  registerLinkConfirmationActions(app, runtime.deps, runtime.answerConfirmation);
}
