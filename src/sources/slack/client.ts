import { WebClient } from "@slack/web-api";
import type { Env } from "../../config/env.js";

/**
 * A Slack Web API client for a command that posts without the Bolt app (`vitals digest --post`).
 * Bounded: a few quick retries and a deadline per request, so that an unreachable Slack ends the
 * command within 30 s (the Web API client's default policy retries for half an hour).
 */
export function boundedSlackClient(env: Env, token: string): WebClient {
  return new WebClient(token, {
    ...(env.SLACK_API_URL ? { slackApiUrl: `${env.SLACK_API_URL}/` } : {}),
    retryConfig: { retries: 2, factor: 2, minTimeout: 1000, maxTimeout: 3000 },
    timeout: 8000,
    rejectRateLimitedCalls: true,
    logger: { debug() {}, info() {}, warn() {}, error() {}, setLevel() {}, getLevel: () => "error" as never, setName() {} },
  });
}
