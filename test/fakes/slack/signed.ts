import { createHmac } from "node:crypto";

// Requests as Slack sends them: form-encoded, signed with the app's signing secret (v0 scheme).
// https://docs.slack.dev/authentication/verifying-requests-from-slack

export function slackSignature(secret: string, timestampSec: number, body: string): string {
  return `v0=${createHmac("sha256", secret).update(`v0:${timestampSec}:${body}`).digest("hex")}`;
}

export interface SignedPost {
  readonly url: string;
  readonly body: string;
  readonly secret: string;
  /** Default: now. */
  readonly timestampSec?: number;
  /** Override the signature (a wrong one). */
  readonly signature?: string;
  readonly contentType?: string;
}

export async function postSigned(request: SignedPost): Promise<{ status: number; text: string }> {
  const timestampSec = request.timestampSec ?? Math.floor(Date.now() / 1000);
  const response = await fetch(request.url, {
    method: "POST",
    headers: {
      "content-type": request.contentType ?? "application/x-www-form-urlencoded",
      "x-slack-request-timestamp": String(timestampSec),
      "x-slack-signature": request.signature ?? slackSignature(request.secret, timestampSec, request.body),
    },
    body: request.body,
  });
  return { status: response.status, text: await response.text() };
}

export function slashCommandBody(fields: { text: string; userId?: string; channelId?: string; responseUrl: string; triggerId?: string }): string {
  return new URLSearchParams({
    token: "legacy-verification-token",
    team_id: "T0TEST",
    team_domain: "vitals-test",
    channel_id: fields.channelId ?? "C0TEAMCHAN",
    channel_name: "eng-leads",
    user_id: fields.userId ?? "U0ASKER",
    user_name: "asker",
    command: "/kpi",
    text: fields.text,
    api_app_id: "A0VITALS",
    is_enterprise_install: "false",
    response_url: fields.responseUrl,
    trigger_id: fields.triggerId ?? "1337.42.abcdef",
  }).toString();
}

/** A block_actions payload for a button click. */
export function buttonClickBody(fields: {
  actionId: string;
  value: string;
  userId?: string;
  channelId?: string;
  responseUrl: string;
  messageTs?: string;
  ephemeral?: boolean;
  blockId?: string;
}): string {
  const payload = {
    type: "block_actions",
    user: { id: fields.userId ?? "U0ASKER", username: "asker", team_id: "T0TEST" },
    api_app_id: "A0VITALS",
    token: "legacy-verification-token",
    container: fields.ephemeral
      ? { type: "message", message_ts: fields.messageTs ?? "1700000000.000100", channel_id: fields.channelId ?? "C0TEAMCHAN", is_ephemeral: true }
      : { type: "message", message_ts: fields.messageTs ?? "1700000000.000100", channel_id: fields.channelId ?? "C0TEAMCHAN", is_ephemeral: false },
    trigger_id: "1337.42.abcdef",
    team: { id: "T0TEST", domain: "vitals-test" },
    channel: { id: fields.channelId ?? "C0TEAMCHAN", name: "eng-leads" },
    ...(fields.ephemeral ? {} : { message: { type: "message", ts: fields.messageTs ?? "1700000000.000100", text: "answer", blocks: [] } }),
    response_url: fields.responseUrl,
    actions: [
      { type: "button", action_id: fields.actionId, block_id: fields.blockId ?? "kpi_answer_actions", value: fields.value, text: { type: "plain_text", text: "x" }, action_ts: "1700000001.000000" },
    ],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** A block_actions payload for a static select on the App Home. */
export function homeSelectBody(fields: { actionId: string; value: string; userId?: string }): string {
  const payload = {
    type: "block_actions",
    user: { id: fields.userId ?? "U0ASKER", username: "asker", team_id: "T0TEST" },
    api_app_id: "A0VITALS",
    token: "legacy-verification-token",
    container: { type: "view", view_id: "V0HOME" },
    trigger_id: "1337.42.abcdef",
    team: { id: "T0TEST", domain: "vitals-test" },
    view: { id: "V0HOME", type: "home" },
    actions: [
      { type: "static_select", action_id: fields.actionId, block_id: "home_controls", selected_option: { text: { type: "plain_text", text: fields.value }, value: fields.value }, action_ts: "1700000001.000000" },
    ],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** An Events API callback (app_home_opened). */
export function eventBody(event: Record<string, unknown>): string {
  return JSON.stringify({
    token: "legacy-verification-token",
    team_id: "T0TEST",
    api_app_id: "A0VITALS",
    event,
    type: "event_callback",
    event_id: `Ev${Math.floor(Math.random() * 1e9)}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: "T0TEST", user_id: "U0BOT", is_bot: true }],
  });
}
