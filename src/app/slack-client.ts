import type { Env } from "../config/env.js";
import type { SlackClient } from "../sources/slack/calls.js";
import { boundedSlackClient } from "../sources/slack/client.js";

// The composition root's Slack client for a command that posts without the Bolt app
// (`vitals digest --post`), and the words for what Slack answered; the CLI imports no src/slack.

export { describeSlackError } from "../slack/connect.js";

/** A Web API client with bounded retries and deadlines (src/sources/slack/client.ts). */
export function commandSlackClient(env: Env, token: string): SlackClient {
  return boundedSlackClient(env, token);
}
