import type { AppDeps } from "../../app-deps.js";
import type { AnswerConfirmation } from "../../confirmations/actions.js";
import { CONFIRM_VIEW, parseButtonValue, PICKER_ACTION, PICKER_BLOCK } from "../../present/confirmation-blocks.js";
import { showResult } from "../actions/link-confirmations.js";
import type { ListenerApp } from "../listener.js";

// "Another deployment…": the modal's submission (opened by src/slack/actions/link-confirmations.ts)
// records the deployment picked and replaces the confirmation message with the verdict.

export function registerConfirmationViews(app: ListenerApp, deps: AppDeps, answerConfirmation: AnswerConfirmation): void {
  app.view(CONFIRM_VIEW, async ({ ack, view, body, client }) => {
    const picked = Number(view.state.values[PICKER_BLOCK]?.[PICKER_ACTION]?.selected_option?.value);
    if (!Number.isInteger(picked) || picked <= 0) {
      await ack({ response_action: "errors", errors: { [PICKER_BLOCK]: "Pick the deployment that caused the incident." } });
      return;
    }
    const meta = readMetadata(view.private_metadata);
    if (!meta) {
      await ack();
      return;
    }
    const result = await answerConfirmation(deps, meta.incidentId, meta.deploymentId, { kind: "other", deploymentId: picked }, body.user.id);
    if (!result.ok) {
      await ack({ response_action: "errors", errors: { [PICKER_BLOCK]: result.error } });
      return;
    }
    await ack();
    await showResult(client, meta.channel, meta.ts, result);
  });
}

function readMetadata(raw: string): { incidentId: number; deploymentId: number; channel: string | undefined; ts: string | undefined } | undefined {
  try {
    const v = JSON.parse(raw) as { i?: unknown; d?: unknown; channel?: unknown; ts?: unknown };
    const value = parseButtonValue(JSON.stringify({ i: v.i, d: v.d }));
    if (!value) return undefined;
    return { ...value, channel: typeof v.channel === "string" ? v.channel : undefined, ts: typeof v.ts === "string" ? v.ts : undefined };
  } catch {
    return undefined;
  }
}
