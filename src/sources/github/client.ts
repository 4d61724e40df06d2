import { createAppAuth } from "@octokit/auth-app";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { Octokit } from "@octokit/rest";
import Bottleneck from "bottleneck";
import type { Env } from "../../config/env.js";
import type { Logger } from "../../log.js";
import { fetchWithDeadline } from "../fetch.js";

// One Octokit class with throttling and retry, built once (probot's ProbotOctokit pattern). Instances
// are cheap; each sync run or webhook delivery gets one so its request counters are its own.
const VitalsOctokit = Octokit.plugin(throttling, retry);
export type GithubClient = InstanceType<typeof VitalsOctokit>;

export interface GithubClientOptions {
  /**
   * Milliseconds per second GitHub asks us to wait (retry-after, rate-limit reset) and per retry
   * step. 1000 in production; tests pass 1 so a "wait 60 s" from the fake takes 60 ms.
   */
  readonly retryAfterBaseValue?: number;
  /** Retries of 5xx/network failures before a sync gives up (its cursor keeps what was written). Default 2 (waits 1 s, 4 s). */
  readonly retries?: number;
  /** Deadline of one request (default 10 s); an unanswered request is not retried. */
  readonly requestTimeoutMs?: number;
}

/** Counters for the progress log and the sync report. */
export interface RequestStats {
  requests: number;
  notModified: number;
  rateLimited: number;
  /** GraphQL points charged (rateLimit.cost of each query). */
  graphqlPoints?: number;
}

export type GithubAuth = { kind: "token"; token: string } | { kind: "app"; appId: string; privateKey: string; installationId: string };

/** Which credentials the environment gives, or why it gives none. App settings win over a token. */
export function githubAuthFromEnv(env: Env): GithubAuth | { kind: "none"; reason: string } {
  const app = [env.GITHUB_APP_ID, env.GITHUB_APP_PRIVATE_KEY, env.GITHUB_APP_INSTALLATION_ID];
  if (app.every((v) => v !== undefined)) {
    return {
      kind: "app",
      appId: env.GITHUB_APP_ID!,
      // .env files often hold the PEM on one line with literal \n.
      privateKey: env.GITHUB_APP_PRIVATE_KEY!.replace(/\\n/g, "\n"),
      installationId: env.GITHUB_APP_INSTALLATION_ID!,
    };
  }
  if (app.some((v) => v !== undefined)) {
    return { kind: "none", reason: "GitHub App auth needs all of GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY and GITHUB_APP_INSTALLATION_ID" };
  }
  if (env.GITHUB_TOKEN) return { kind: "token", token: env.GITHUB_TOKEN };
  return { kind: "none", reason: "set GITHUB_TOKEN or the GITHUB_APP_* settings" };
}

function createGithubClient(
  env: Env,
  logger: Logger,
  stats: RequestStats,
  options: GithubClientOptions = {},
): GithubClient {
  const auth = githubAuthFromEnv(env);
  if (auth.kind === "none") throw new Error(`GitHub is not configured: ${auth.reason}`);
  const base = options.retryAfterBaseValue ?? 1000;
  const log = logger.child({ source: "github" });
  const octokit = new VitalsOctokit({
    baseUrl: env.GITHUB_API_URL,
    userAgent: "vitals",
    request: { fetch: fetchWithDeadline(options.requestTimeoutMs ?? 10_000) },
    ...(auth.kind === "token"
      ? { auth: auth.token }
      : {
          authStrategy: createAppAuth,
          auth: { appId: auth.appId, privateKey: auth.privateKey, installationId: auth.installationId },
        }),
    // Octokit's own logger would print to the console; route it through pino (debug/info are noise).
    // Its errors are per-request lines ("GET … - 500 with id UNKNOWN") for failures the sync reports
    // once, in words (src/sources/errors.ts): debug only.
    log: { debug: () => {}, info: () => {}, warn: (m: string) => log.warn(m), error: (m: string) => log.debug(m) },
    throttle: {
      retryAfterBaseValue: base,
      // GraphQL queries go through the plugin's one-at-a-time "write" queue (GitHub asks for a second
      // between them); its spacing follows the same base so tests don't wait real seconds.
      write: new Bottleneck.Group({ maxConcurrent: 1, minTime: base }),
      // https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api: wait as told, then resume.
      onRateLimit: (retryAfter: number, request: { method: string; url: string }, _o: unknown, retryCount: number) => {
        stats.rateLimited++;
        log.warn({ retryAfter, method: request.method, url: request.url, retryCount }, "GitHub primary rate limit: waiting");
        return retryCount < 3;
      },
      onSecondaryRateLimit: (retryAfter: number, request: { method: string; url: string }, _o: unknown, retryCount: number) => {
        stats.rateLimited++;
        log.warn({ retryAfter, method: request.method, url: request.url, retryCount }, "GitHub secondary rate limit: waiting");
        return retryCount < 3;
      },
    },
    retry: { retryAfterBaseValue: base, retries: options.retries ?? 2 },
  });
  octokit.hook.wrap("request", async (request, requestOptions) => {
    stats.requests++;
    try {
      return await request(requestOptions);
    } catch (error) {
      if (statusOf(error) === 304) stats.notModified++;
      throw error;
    }
  });
  return octokit;
}

/** The shared client and its request counters; one per process, built by the composition root. */
interface SharedGithubClient {
  readonly octokit: GithubClient;
  readonly stats: RequestStats;
}

export type GithubClientFor = (deps: { readonly env: Env; readonly logger: Logger }) => SharedGithubClient;

/**
 * One Octokit for the sync and the webhook (src/app/clients.ts builds it once), rebuilt only when
 * the environment object changes: with App auth the installation token (valid an hour) is then
 * exchanged once and reused by every sync run and delivery, through the one auth cache.
 */
export function githubClientCache(options: GithubClientOptions = {}): GithubClientFor {
  let client: (SharedGithubClient & { env: Env }) | undefined;
  return (deps) => {
    if (client?.env !== deps.env) {
      const stats: RequestStats = { requests: 0, notModified: 0, rateLimited: 0, graphqlPoints: 0 };
      client = { env: deps.env, stats, octokit: createGithubClient(deps.env, deps.logger, stats, options) };
    }
    return client;
  };
}

/** The HTTP status of an Octokit RequestError (304 included: Octokit throws on it). */
export function statusOf(error: unknown): number | undefined {
  if (typeof error === "object" && error !== null && "status" in error && typeof error.status === "number") return error.status;
  return undefined;
}
