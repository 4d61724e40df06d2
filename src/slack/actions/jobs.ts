import type { App, BlockAction, ButtonAction, types } from "@slack/bolt";
import type { AppDeps } from "../../app-deps.js";
import type { ListenerApp } from "../listener.js";
import { parseReviewId, snoozeReview } from "../../reviews/actions.js";
import { acknowledgedBlocks, ALERT_ACK_ACTION, parseAlertKeyValue } from "../../present/alert-blocks.js";
import { doneModal, notNeededModal, REVIEW_ACTIONS, reviewClosedBlocks } from "../../present/review-blocks.js";

// Buttons of the jobs' messages: Acknowledge on threshold alerts; Mark review done / Snooze 2 days
// / Not needed on review reminders (the modals they open are submitted to src/slack/views/reviews.ts). Each listener acknowledges first (Slack wants
// an answer within 3 s), then does its work.

type ButtonBody = BlockAction<ButtonAction>;
type KnownBlock = types.KnownBlock;

export function registerJobActions(app: ListenerApp, deps: AppDeps): void {
  app.action<ButtonBody>(ALERT_ACK_ACTION, async ({ ack, body, action, client }) => {
    await ack();
    const key = parseAlertKeyValue(action.value ?? "");
    if (!key) return;
    const scope = key.scopeKind === "org" ? { kind: "org" as const, id: null } : { kind: key.scopeKind, id: key.scopeId ?? "" };
    const first = await deps.store.alerts.acknowledge(key.metric, scope, body.user.id, deps.now());
    const channel = body.channel?.id;
    const ts = body.message?.ts;
    if (!first || !channel || !ts) return;
    const original = (body.message?.blocks ?? []) as KnownBlock[];
    await client.chat.update({ channel, ts, text: String(body.message?.text ?? "Threshold alert"), blocks: acknowledgedBlocks(original, body.user.id) as KnownBlock[] });
  });

  // "Mark done" and "Not needed" both ask for one more thing (a doc link, a reason) in a modal.
  const openReviewModal = (actionId: string, modal: typeof doneModal) =>
    app.action<ButtonBody>(actionId, async ({ ack, body, action, client }) => {
      await ack();
      const id = parseReviewId(action.value);
      const review = id === undefined ? undefined : await deps.store.reviews.get(id);
      if (!review) return;
      await client.views.open({ trigger_id: body.trigger_id, view: withMessage(modal(review.id, review.title), body) as unknown as types.View });
    });
  openReviewModal(REVIEW_ACTIONS.done, doneModal);
  openReviewModal(REVIEW_ACTIONS.notNeeded, notNeededModal);

  app.action<ButtonBody>(REVIEW_ACTIONS.snooze, async ({ ack, body, action, client }) => {
    await ack();
    const id = parseReviewId(action.value);
    if (id === undefined) return;
    const result = await snoozeReview(deps, id);
    // Snoozing keeps the buttons: the answer goes in the reminder's thread.
    await replaceMessage(client, body.channel?.id, body.message?.ts, result.ok ? result.message : result.error, false);
  });

}

/** The modal remembers which reminder it came from (read back by src/slack/views/reviews.ts), to replace that message once saved. */
function withMessage<V extends { readonly type: string; readonly [key: string]: unknown }>(view: V, body: ButtonBody): V {
  return { ...view, private_metadata: JSON.stringify({ id: Number(view["private_metadata"]), channel: body.channel?.id ?? null, ts: body.message?.ts ?? null }) };
}


/** The reminder, closed (its buttons gone) or answered in its thread. */
export async function replaceMessage(client: App["client"], channel: string | undefined, ts: string | undefined, text: string, closed: boolean): Promise<void> {
  if (!channel || !ts) return;
  if (closed) await client.chat.update({ channel, ts, text, blocks: reviewClosedBlocks(text) as KnownBlock[] });
  else await client.chat.postMessage({ channel, thread_ts: ts, text });
}
