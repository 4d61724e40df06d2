import { randomUUID } from "node:crypto";
import { webApi } from "@slack/bolt";
import type { Logger } from "../log.js";
import { hostOf, networkCause } from "../sources/errors.js";

// Reaching Slack at start-up, in both modes: the bot token (auth.test) and, in Socket Mode, the
// app-level token (apps.connections.open). A token Slack refuses is fatal (exit 1, one line); a
// network failure or a Slack outage is retried with backoff, said once per attempt. The probes
// make their own calls without the Web API client's retries, so that each attempt is one request.

export type SlackConnection = "connecting" | "connected" | "failed";

/** Slack answered, and refused the token: nothing to retry. */
export class SlackRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SlackRefusedError";
  }
}

/** Slack's errors for a token that will not work however often it is tried. */
const FATAL = new Set(["invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired", "not_allowed_token_type", "missing_scope", "no_permission", "team_access_not_granted", "two_factor_setup_required"]);

export interface ConnectOptions {
  readonly apiUrl?: string;
  readonly logger: Logger;
  readonly signal?: AbortSignal;
  /** Backoff between attempts: 1 s, 2 s, 4 s … up to this. */
  readonly maxDelayMs?: number;
  /** Tests: a fake clock. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface BotIdentity {
  readonly team: string | undefined;
  readonly userId: string;
  readonly botId: string;
}

const defaultSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });

function probeClient(token: string, apiUrl: string | undefined): webApi.WebClient {
  return new webApi.WebClient(token, {
    ...(apiUrl ? { slackApiUrl: `${apiUrl}/` } : {}),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 10_000,
    // The probe's own failures are reported below, in words; the client's log lines would repeat them.
    logger: { debug() {}, info() {}, warn() {}, error() {}, setLevel() {}, getLevel: () => "error" as never, setName() {} },
  });
}

/** What went wrong in words, and whether trying again can help. */
export function describeSlackError(error: unknown, tokenName: string): { words: string; fatal: boolean } {
  const e = error as { code?: string; data?: { error?: string }; retryAfter?: number; statusCode?: number };
  if (e.code === "slack_webapi_platform_error") {
    const code = e.data?.error ?? "error";
    if (FATAL.has(code)) return { fatal: true, words: `Slack refused ${tokenName} (${code}): check the token in the environment or .env (see .env.example)` };
    return { fatal: false, words: `Slack answered ${code}` };
  }
  if (e.code === "slack_webapi_rate_limited_error") return { fatal: false, words: `rate-limited by Slack for ${e.retryAfter ?? "?"} s` };
  if (e.code === "slack_webapi_http_error") return { fatal: false, words: `Slack answered HTTP ${e.statusCode ?? "error"}` };
  const network = networkCause(error);
  return { fatal: false, words: network?.words ?? (error instanceof Error ? error.message : String(error)) };
}

/**
 * Call until Slack answers: resolves with the answer, rejects with SlackRefusedError when Slack
 * refuses the token, or with an AbortError when the signal fires (a stop during start-up).
 */
async function untilSlackAnswers<T>(what: string, tokenName: string, call: () => Promise<T>, options: ConnectOptions): Promise<T> {
  const sleep = options.sleep ?? defaultSleep;
  const host = hostOf(options.apiUrl ?? "https://slack.com/api");
  for (let attempt = 1; ; attempt++) {
    if (options.signal?.aborted) throw Object.assign(new Error("stopped while connecting to Slack"), { name: "AbortError" });
    try {
      return await call();
    } catch (error) {
      const { words, fatal } = describeSlackError(error, tokenName);
      if (fatal) throw new SlackRefusedError(words);
      const delayMs = Math.min(options.maxDelayMs ?? 30_000, 1000 * 2 ** (attempt - 1));
      options.logger.warn({ slack: host, attempt, retryInMs: delayMs }, `${what}: cannot reach Slack at ${host}: ${words}; retrying in ${delayMs < 1000 ? `${delayMs} ms` : `${Math.round(delayMs / 1000)} s`} (attempt ${attempt})`);
      await sleep(delayMs, options.signal);
    }
  }
}

/** auth.test with the bot token, retried until Slack answers. */
export function verifyBotToken(token: string, options: ConnectOptions): Promise<BotIdentity> {
  const client = probeClient(token, options.apiUrl);
  return untilSlackAnswers(
    "checking the bot token",
    "SLACK_BOT_TOKEN",
    async () => {
      const auth = (await client.auth.test()) as webApi.AuthTestResponse;
      return { team: auth.team, userId: auth.user_id ?? "", botId: auth.bot_id ?? "" };
    },
    options,
  );
}

/** apps.connections.open with the app-level token (Socket Mode), retried until Slack answers. */
export async function verifyAppToken(appToken: string, options: ConnectOptions): Promise<void> {
  const client = probeClient(appToken, options.apiUrl);
  await untilSlackAnswers("opening Socket Mode", "SLACK_APP_TOKEN", () => client.apps.connections.open({}), options);
}

/** An id to quote in a log line and in the answer a user sees, so that the two can be matched. */
export function errorId(): string {
  return randomUUID().slice(0, 8);
}
