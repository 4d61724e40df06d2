import { createHmac } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { App, HTTPReceiver, LogLevel } from "@slack/bolt";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runAlerts } from "../../src/alerts/actions.js";
import type { JobContext } from "../../src/jobs/digest.js";
import { runReviews } from "../../src/reviews/reminders.js";
import { REVIEW_ACTIONS, REVIEW_VIEWS } from "../../src/present/review-blocks.js";
import { registerJobActions } from "../../src/slack/actions/jobs.js";
import { guardedListeners } from "../../src/slack/listener.js";
import { registerReviewViews } from "../../src/slack/views/reviews.js";
import { startFakeSlack, type FakeSlack, type RecordedCall } from "../fakes/slack/server.js";
import { evaluation, scriptedEngine, testDeps, type TestDeps } from "./helpers.js";

// The jobs' buttons and modals end to end: a Bolt app on a real port receiving signed requests,
// its Web API client pointed at the fake Slack server.

const SECRET = "test-signing-secret";
const at = (iso: string) => Date.parse(iso);
let slack: FakeSlack;
let server: Server;
let app: App;
let url: string;
let deps: TestDeps;

beforeAll(async () => {
  slack = await startFakeSlack();
  slack.addUser({ id: "U0ADA", email: "ada@example.com" });
  deps = testDeps(undefined, undefined, at("2026-03-04T14:00:00Z"));
  const receiver = new HTTPReceiver({ signingSecret: SECRET, processBeforeResponse: true, logLevel: LogLevel.ERROR });
  app = new App({ token: "xoxb-test-token", receiver, logLevel: LogLevel.ERROR, clientOptions: { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } } });
  // Registered as the app registers them: through the one error handling (src/slack/listener.ts).
  const listeners = guardedListeners(app, deps);
  registerJobActions(listeners, deps);
  registerReviewViews(listeners, deps);
  server = (await app.start(0)) as Server;
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
});
afterAll(async () => {
  await app.stop();
  await slack.close();
});
beforeEach(() => slack.reset());

async function send(payload: unknown): Promise<{ status: number; body: string }> {
  const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = `v0=${createHmac("sha256", SECRET).update(`v0:${timestamp}:${body}`).digest("hex")}`;
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", "x-slack-signature": signature, "x-slack-request-timestamp": String(timestamp) },
    body,
  });
  return { status: response.status, body: await response.text() };
}

function click(message: RecordedCall, channel: string, ts: string, actionId: string) {
  const blocks = message.args.blocks as { type: string; block_id?: string; elements?: { action_id: string; value: string }[] }[];
  const actions = blocks.find((b) => b.type === "actions")!;
  const element = actions.elements!.find((e) => e.action_id === actionId)!;
  return {
    type: "block_actions",
    user: { id: "U0LEAD", username: "lead", name: "lead", team_id: "T0001" },
    api_app_id: "A0001",
    token: "legacy",
    container: { type: "message", message_ts: ts, channel_id: channel, is_ephemeral: false },
    trigger_id: "1111.2222.abcd",
    team: { id: "T0001", domain: "acme" },
    channel: { id: channel, name: "x" },
    message: { type: "message", ts, text: message.args.text, blocks },
    response_url: "https://hooks.slack.invalid/actions/1",
    actions: [{ type: "button", block_id: actions.block_id, action_id: actionId, value: element.value, text: { type: "plain_text", text: "x" }, action_ts: "1700000000.1" }],
  };
}

function submit(callbackId: string, privateMetadata: string, values: Record<string, Record<string, unknown>>) {
  return {
    type: "view_submission",
    team: { id: "T0001", domain: "acme" },
    user: { id: "U0ADA", username: "ada", name: "ada", team_id: "T0001" },
    api_app_id: "A0001",
    token: "legacy",
    trigger_id: "3333.4444.efgh",
    view: {
      id: "V0001",
      team_id: "T0001",
      type: "modal",
      callback_id: callbackId,
      private_metadata: privateMetadata,
      state: { values },
      hash: "h",
      title: { type: "plain_text", text: "x" },
      blocks: [],
      app_id: "A0001",
      bot_id: "B0001",
    },
  };
}

describe("Acknowledge button", () => {
  it("records who acknowledged the alert and replaces the button in the message", async () => {
    const engine = scriptedEngine();
    engine.evaluations = [evaluation("change_failure_rate", { kind: "team", id: "payments" }, 12, 10, 15)];
    const ctx: JobContext = { deps, slack: slack.client(), engine };
    await runAlerts(ctx, at("2026-03-04T14:00:00Z"));
    const posted = slack.callsTo("chat.postMessage")[0]!;
    const ts = (await deps.store.alerts.get("change_failure_rate", { kind: "team", id: "payments" }))!.messageTs!;

    expect((await send(click(posted, "C0PAYMENTS", ts, "alert:ack"))).status).toBe(200);
    expect(await deps.store.alerts.get("change_failure_rate", { kind: "team", id: "payments" })).toMatchObject({ acknowledgedBy: "U0LEAD" });
    const update = slack.callsTo("chat.update")[0]!;
    expect(update.args).toMatchObject({ channel: "C0PAYMENTS", ts });
    const blocks = update.args.blocks as { type: string }[];
    expect(blocks.some((b) => b.type === "actions")).toBe(false);
    expect(JSON.stringify(blocks)).toContain("Acknowledged by <@U0LEAD>");
  });
});

describe("review buttons", () => {
  it("Mark review done asks for the doc link, refuses a non-link, then closes the review and stops reminders", async () => {
    await deps.store.write([
      { kind: "incident", source: "pagerduty", externalId: "PX1", service: "payments-api", title: "Card declines", severity: "SEV2", createdAtMs: at("2026-03-04T10:00:00Z"), resolvedAtMs: at("2026-03-04T12:00:00Z"), ownerEmail: "ada@example.com" },
    ]);
    const ctx: JobContext = { deps, slack: slack.client(), engine: scriptedEngine() };
    const { opened } = await runReviews(ctx, at("2026-03-04T14:00:00Z"));
    const reminder = slack.callsTo("chat.postMessage")[0]!;
    const ts = (await deps.store.reviews.reminders(opened[0]!))[0]!.ts!;

    await send(click(reminder, "D0ADA", ts, REVIEW_ACTIONS.done));
    const modal = slack.callsTo("views.open")[0]!;
    const view = modal.args.view as { callback_id: string; private_metadata: string };
    expect(modal.args.trigger_id).toBe("1111.2222.abcd");
    expect(view.callback_id).toBe(REVIEW_VIEWS.done);
    expect(JSON.parse(view.private_metadata)).toEqual({ id: opened[0], channel: "D0ADA", ts });

    const invalid = await send(submit(REVIEW_VIEWS.done, view.private_metadata, { doc: { url: { type: "url_text_input", value: "see wiki" } } }));
    expect(JSON.parse(invalid.body)).toEqual({ response_action: "errors", errors: { doc: "Paste the link to the review document, starting with https://" } });
    expect((await deps.store.reviews.get(opened[0]!))!.status).toBe("open");

    const valid = await send(submit(REVIEW_VIEWS.done, view.private_metadata, { doc: { url: { type: "url_text_input", value: "https://docs.example.com/pir/px1" } } }));
    expect(valid.status).toBe(200);
    expect(await deps.store.reviews.get(opened[0]!)).toMatchObject({ status: "done", doc_url: "https://docs.example.com/pir/px1", closed_by: "U0ADA" });
    expect(slack.callsTo("chat.update")[0]!.args.text).toContain("marked done by <@U0ADA>");
    // No more reminders, even when one would be due.
    expect(await runReviews(ctx, at("2026-03-10T09:00:00Z"))).toEqual({ opened: [], reminders: [] });
  });

  it("Snooze 2 days holds reminders until working hours two business days later; Not needed asks why", async () => {
    await deps.store.write([
      { kind: "incident", source: "pagerduty", externalId: "PX2", service: "ledger", title: "Ledger lag", severity: "SEV1", createdAtMs: at("2026-03-05T09:00:00Z"), resolvedAtMs: at("2026-03-05T10:00:00Z"), ownerEmail: "ada@example.com" },
    ]);
    const ctx: JobContext = { deps, slack: slack.client(), engine: scriptedEngine() };
    deps.setNow(at("2026-03-05T11:00:00Z")); // Thursday
    const { opened } = await runReviews(ctx, deps.now());
    const id = opened[0]!;
    const reminder = slack.callsTo("chat.postMessage")[0]!;
    const ts = (await deps.store.reviews.reminders(id))[0]!.ts!;

    await send(click(reminder, "D0ADA", ts, REVIEW_ACTIONS.snooze));
    expect((await deps.store.reviews.get(id))!.snoozed_until).toBe(at("2026-03-09T08:00:00Z")); // Monday 09:00 Berlin
    expect(slack.callsTo("chat.postMessage")[1]!.args).toMatchObject({ channel: "D0ADA", thread_ts: ts });

    await send(click(reminder, "D0ADA", ts, REVIEW_ACTIONS.notNeeded));
    const view = slack.callsTo("views.open")[0]!.args.view as { callback_id: string; private_metadata: string };
    expect(view.callback_id).toBe(REVIEW_VIEWS.notNeeded);
    await send(submit(REVIEW_VIEWS.notNeeded, view.private_metadata, { reason: { text: { type: "plain_text_input", value: "Duplicate of PX1" } } }));
    expect(await deps.store.reviews.get(id)).toMatchObject({ status: "not_needed", not_needed_reason: "Duplicate of PX1" });
  });
});
