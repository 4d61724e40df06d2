import type { WebClient } from "@slack/web-api";
import type { AppDeps } from "../../app-deps.js";
import type { Logger } from "../../log.js";

// Slack Web API calls made by the jobs, the alerts and the reviews. Bolt's client already waits and retries on HTTP 429 when built
// with its default retry policy; a client built with `rejectRateLimitedCalls` (or with retries
// off) throws instead, so the jobs wait `retry_after` themselves and try again, a few times.
// https://docs.slack.dev/apis/web-api/rate-limits

export type SlackClient = WebClient;

export interface SlackCallOptions {
  readonly logger: Logger;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly maxAttempts?: number;
}

/** What a run that posts to Slack needs: the app's deps and the one Slack client. */
export interface SlackContext {
  readonly deps: AppDeps;
  readonly slack: SlackClient;
  /** Waits between rate-limited retries (tests pass a recorder instead of a real sleep). */
  readonly sleep?: (ms: number) => Promise<void>;
}

export function callOptions(ctx: SlackContext): SlackCallOptions {
  return { logger: ctx.deps.logger, ...(ctx.sleep ? { sleep: ctx.sleep } : {}) };
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Seconds to wait when the error is a Slack rate limit, else undefined. */
function rateLimitRetryAfter(error: unknown): number | undefined {
  const e = error as { code?: string; retryAfter?: number; data?: { error?: string; response_metadata?: { retryAfter?: number } } };
  if (e?.code === "slack_webapi_rate_limited_error" && typeof e.retryAfter === "number") return e.retryAfter;
  if (e?.code === "slack_webapi_platform_error" && e.data?.error === "ratelimited") return e.data.response_metadata?.retryAfter ?? 1;
  return undefined;
}

async function withRateLimitRetry<T>(what: string, call: () => Promise<T>, options: SlackCallOptions): Promise<T> {
  const attempts = options.maxAttempts ?? 4;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const retryAfter = rateLimitRetryAfter(error);
      if (retryAfter === undefined || attempt >= attempts) throw error;
      options.logger.warn({ call: what, retryAfterSeconds: retryAfter, attempt }, "Slack rate limit: waiting before retrying");
      await (options.sleep ?? defaultSleep)(retryAfter * 1000);
    }
  }
}

/** Post a message; returns its ts (for threads). */
export async function postMessage(
  slack: SlackClient,
  message: { channel: string; text: string; blocks?: unknown[]; thread_ts?: string; reply_broadcast?: boolean },
  options: SlackCallOptions,
): Promise<{ channel: string; ts: string }> {
  const result = await withRateLimitRetry("chat.postMessage", () => slack.chat.postMessage(message as Parameters<SlackClient["chat"]["postMessage"]>[0]), options);
  return { channel: result.channel ?? message.channel, ts: result.ts ?? "" };
}

/** The Slack user with this email, or undefined when Slack does not know it (users_not_found). */
export async function lookupUserByEmail(slack: SlackClient, email: string, options: SlackCallOptions): Promise<string | undefined> {
  try {
    const result = await withRateLimitRetry("users.lookupByEmail", () => slack.users.lookupByEmail({ email }), options);
    return result.user?.id;
  } catch (error) {
    const code = (error as { data?: { error?: string } }).data?.error;
    if (code === "users_not_found") return undefined;
    throw error;
  }
}

/** Upload a file to a channel (files.uploadV2: get an upload URL, upload, complete). */
export async function uploadFile(
  slack: SlackClient,
  file: { channel: string; threadTs?: string; filename: string; title: string; data: Uint8Array; comment?: string; altText?: string },
  options: SlackCallOptions,
): Promise<void> {
  await withRateLimitRetry(
    "files.uploadV2",
    () =>
      slack.files.uploadV2({
        channel_id: file.channel,
        ...(file.threadTs ? { thread_ts: file.threadTs } : {}),
        file: Buffer.from(file.data),
        filename: file.filename,
        title: file.title,
        ...(file.comment ? { initial_comment: file.comment } : {}),
        ...(file.altText ? { alt_text: file.altText } : {}),
      } as Parameters<SlackClient["files"]["uploadV2"]>[0]),
    options,
  );
}
