import type { App, BlockAction, ButtonAction, types } from "@slack/bolt";
import type { AppDeps } from "../../app-deps.js";
import type { ListenerApp } from "../listener.js";
import { teamOfService } from "../../config/teams.js";
import type { AnswerConfirmation, AnswerResult } from "../../confirmations/actions.js";
import { answeredBlocks, CONFIRM_ACTIONS, deploymentLabel, otherDeploymentModal, parseButtonValue } from "../../present/confirmation-blocks.js";

// The buttons of the link confirmation message (src/jobs/link-confirmations.ts): Yes, Another
// deployment… (a modal with the service's recent deployments, submitted to
// src/slack/views/confirmations.ts) and Not a deployment. Each
// acknowledges first, then writes the person's verdict and replaces the message with the answer.

type ButtonBody = BlockAction<ButtonAction>;
type KnownBlock = types.KnownBlock;

export function registerLinkConfirmationActions(app: ListenerApp, deps: AppDeps, answerConfirmation: AnswerConfirmation): void {
  const answerWith = (actionId: string, kind: "yes" | "unrelated") =>
    app.action<ButtonBody>(actionId, async ({ ack, body, action, client }) => {
      await ack();
      const value = parseButtonValue(action.value);
      if (!value) return;
      const result = await answerConfirmation(deps, value.incidentId, value.deploymentId, { kind }, body.user.id);
      await showResult(client, body.channel?.id, body.message?.ts, result);
    });
  answerWith(CONFIRM_ACTIONS.yes, "yes");
  answerWith(CONFIRM_ACTIONS.unrelated, "unrelated");

  app.action<ButtonBody>(CONFIRM_ACTIONS.other, async ({ ack, body, action, client }) => {
    await ack();
    const value = parseButtonValue(action.value);
    const incident = value && (await deps.store.slack.findIncidents(`#${value.incidentId}`))[0];
    if (!value || !incident?.service_id) return;
    const zone = teamOfService(deps.config, incident.service_id)?.timezone ?? deps.config.timezone;
    const choices = (await deps.store.confirmations.recentDeployments(incident.service_id, incident.created_at)).map((d) => ({ id: d.id, label: deploymentLabel(d), finishedAtMs: d.finished_at }));
    const metadata = JSON.stringify({ i: value.incidentId, d: value.deploymentId, channel: body.channel?.id ?? null, ts: body.message?.ts ?? null });
    await client.views.open({ trigger_id: body.trigger_id, view: otherDeploymentModal(incident.title, choices, zone, metadata) as unknown as types.View });
  });

}


/** The confirmation message, replaced by the verdict, or the refusal in its thread. */
export async function showResult(client: App["client"], channel: string | undefined, ts: string | undefined, result: AnswerResult): Promise<void> {
  if (!channel || !ts) return;
  if (result.ok) await client.chat.update({ channel, ts, text: result.message, blocks: answeredBlocks(result.message) as KnownBlock[] });
  else await client.chat.postMessage({ channel, thread_ts: ts, text: result.error });
}
