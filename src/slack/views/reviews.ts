import type { AppDeps } from "../../app-deps.js";
import { REVIEW_VIEWS } from "../../present/review-blocks.js";
import { markReviewDone, markReviewNotNeeded, parseReviewId, validateDocUrl } from "../../reviews/actions.js";
import { replaceMessage } from "../actions/jobs.js";
import type { ListenerApp } from "../listener.js";

// The review modals' submissions (opened by the reminder's buttons, src/slack/actions/jobs.ts): a
// field Slack shows as wrong is answered with `response_action: "errors"`; once saved, the reminder
// is replaced by the outcome. https://docs.slack.dev/reference/interaction-payloads/view-interactions-payload

export function registerReviewViews(app: ListenerApp, deps: AppDeps): void {
  app.view(REVIEW_VIEWS.done, async ({ ack, view, body, client }) => {
    const input = validateDocUrl(view.state.values.doc?.url?.value);
    if (!input.ok) {
      await ack({ response_action: "errors", errors: { doc: input.error } });
      return;
    }
    await ack();
    const { id, channel, ts } = readMetadata(view.private_metadata);
    if (id === undefined) return;
    const result = await markReviewDone(deps, id, input.url, body.user.id);
    await replaceMessage(client, channel, ts, result.ok ? result.message : result.error, result.ok);
  });

  app.view(REVIEW_VIEWS.notNeeded, async ({ ack, view, body, client }) => {
    const reason = view.state.values.reason?.text?.value ?? "";
    if (reason.trim().length < 3) {
      await ack({ response_action: "errors", errors: { reason: "Say briefly why no review is needed." } });
      return;
    }
    await ack();
    const { id, channel, ts } = readMetadata(view.private_metadata);
    if (id === undefined) return;
    const result = await markReviewNotNeeded(deps, id, reason, body.user.id);
    await replaceMessage(client, channel, ts, result.ok ? result.message : result.error, result.ok);
  });
}

function readMetadata(raw: string): { id: number | undefined; channel: string | undefined; ts: string | undefined } {
  try {
    const v = JSON.parse(raw) as { id?: unknown; channel?: unknown; ts?: unknown };
    return {
      id: parseReviewId(String(v.id)),
      channel: typeof v.channel === "string" ? v.channel : undefined,
      ts: typeof v.ts === "string" ? v.ts : undefined,
    };
  } catch {
    return { id: undefined, channel: undefined, ts: undefined };
  }
}
