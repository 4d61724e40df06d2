import { createRequesterFn, type ResponseBodyTypes } from "@gitbeaker/requester-utils";
import { Gitlab } from "@gitbeaker/rest";
import type { Env } from "../../config/env.js";
import type { Logger } from "../../log.js";
import { GitlabHttpError, GitlabUnreachableError } from "./errors.js";

// One gitbeaker client, built once per sync run or webhook route, pointed at GITLAB_API_URL. Its
// own request handler retries a 429 after 2^i·0.25 ms, ignoring Retry-After, so we give it ours:
// GitLab's Retry-After and RateLimit-* headers are waited out, 5xx and refused or reset connections
// retried a few times (3.5 s in all), a request past its deadline not retried (a dead host costs one
// deadline, not one per retry), every request counted. https://docs.gitlab.com/user/gitlab_com/#rate-limits-on-gitlabcom

export type GitlabClient = InstanceType<typeof Gitlab<false>>;

export interface GitlabClientOptions {
  /** How a wait is spent. Production sleeps; tests record the milliseconds and return at once. */
  readonly wait?: (ms: number) => Promise<void>;
  /** Retries of 5xx/network failures (429s are always waited out, up to `rateLimitRetries`). */
  readonly retries?: number;
  readonly rateLimitRetries?: number;
  /** Per-request deadline (default 10 s, as for GitHub); an unanswered request is not retried. */
  readonly timeoutMs?: number;
}

export interface GitlabRequestStats {
  requests: number;
  rateLimited: number;
  /** Milliseconds spent waiting on rate limits and back-off. */
  waitedMs: number;
}

const newGitlabStats = (): GitlabRequestStats => ({ requests: 0, rateLimited: 0, waitedMs: 0 });

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** GITLAB_API_URL names the REST base (…/api/v4); gitbeaker wants the instance and appends it. */
const instanceUrl = (apiUrl: string): string => apiUrl.replace(/\/api\/v4$/, "");

function createGitlabClient(env: Env, logger: Logger, stats: GitlabRequestStats, options: GitlabClientOptions = {}): GitlabClient {
  if (!env.GITLAB_TOKEN) throw new Error("GitLab is not configured: set GITLAB_TOKEN (a token with the read_api scope)");
  const handler = requestHandler(env.GITLAB_API_URL, logger.child({ source: "gitlab" }), stats, options);
  const requesterFn = createRequesterFn((_service, requestOptions) => Promise.resolve(requestOptions), handler);
  // gitbeaker's client-side limiter is off ("**" at a rate we never reach): GitLab's headers govern.
  return new Gitlab({ host: instanceUrl(env.GITLAB_API_URL), token: env.GITLAB_TOKEN, requesterFn, rateLimits: { "**": 1_000_000 } });
}

interface HandlerOptions {
  readonly prefixUrl?: string;
  readonly searchParams?: string;
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | FormData;
  readonly signal?: AbortSignal;
}

/** The delay GitLab asks for: Retry-After (seconds), else until RateLimit-Reset (epoch seconds). */
function rateLimitDelayMs(headers: Headers, nowMs: number): number | undefined {
  const retryAfter = headers.get("retry-after");
  if (retryAfter !== null && /^\d+$/.test(retryAfter.trim())) return Number(retryAfter) * 1000;
  const reset = headers.get("ratelimit-reset");
  if (reset !== null && /^\d+$/.test(reset.trim())) return Math.max(0, Number(reset) * 1000 - nowMs);
  return undefined;
}

function requestHandler(apiUrl: string, log: Logger, stats: GitlabRequestStats, options: GitlabClientOptions) {
  const wait = options.wait ?? sleep;
  const retries = options.retries ?? 3;
  const rateLimitRetries = options.rateLimitRetries ?? 5;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const pause = async (ms: number) => {
    stats.waitedMs += ms;
    await wait(ms);
  };
  return async (endpoint: string, options?: Record<string, unknown>) => {
    const requestOptions = (options ?? {}) as HandlerOptions;
    const base = requestOptions.prefixUrl?.endsWith("/") ? requestOptions.prefixUrl : `${requestOptions.prefixUrl ?? apiUrl}/`;
    const url = new URL(endpoint, base);
    url.search = requestOptions.searchParams ?? "";
    const method = requestOptions.method ?? "GET";
    let failures = 0;
    let limited = 0;
    for (;;) {
      stats.requests++;
      let response: Response;
      const timeout = AbortSignal.timeout(timeoutMs);
      try {
        response = await fetch(url, {
          method,
          headers: requestOptions.headers,
          body: requestOptions.body,
          signal: requestOptions.signal ? AbortSignal.any([requestOptions.signal, timeout]) : timeout,
        });
      } catch (error) {
        if (requestOptions.signal?.aborted) throw error;
        if (!timeout.aborted && failures++ < retries) {
          await pause(backoffMs(failures));
          continue;
        }
        throw new GitlabUnreachableError(apiUrl, error);
      }
      if (response.status === 429 && limited++ < rateLimitRetries) {
        stats.rateLimited++;
        const delay = rateLimitDelayMs(response.headers, Date.now()) ?? 60_000;
        log.warn({ delayMs: delay, method, path: url.pathname }, "GitLab rate limit: waiting as told");
        await response.arrayBuffer();
        await pause(delay);
        continue;
      }
      if (response.status >= 500 && failures++ < retries) {
        await response.arrayBuffer();
        await pause(backoffMs(failures));
        continue;
      }
      if (!response.ok) {
        // One reading of the clock: the reset is the header's own second, not a millisecond after it.
        const nowMs = Date.now();
        const delay = response.status === 429 ? rateLimitDelayMs(response.headers, nowMs) : undefined;
        throw new GitlabHttpError(response.status, await errorMessage(response), method, url.pathname, delay === undefined ? undefined : nowMs + delay);
      }
      // The quota is spent: wait for its reset now rather than be refused on the next request.
      if (response.headers.get("ratelimit-remaining")?.trim() === "0") {
        const delay = rateLimitDelayMs(response.headers, Date.now());
        if (delay !== undefined && delay > 0) {
          stats.rateLimited++;
          log.warn({ delayMs: delay }, "GitLab rate limit exhausted: waiting for its reset");
          await pause(delay);
        }
      }
      return parse(response);
    }
  };
}

const backoffMs = (attempt: number): number => Math.min(30_000, 500 * 2 ** (attempt - 1));

async function parse(response: Response): Promise<{ body: ResponseBodyTypes; headers: Record<string, string>; status: number }> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const type = (response.headers.get("content-type") ?? "").split(";")[0]!.trim();
  let body: ResponseBodyTypes = null;
  if (response.status !== 204) body = type === "application/json" ? (((await response.json()) as ResponseBodyTypes) ?? {}) : await response.text();
  return { body, headers, status: response.status };
}

/** GitLab's error bodies are {"message": "404 Project Not Found"} or {"error": "insufficient_scope", …}. */
async function errorMessage(response: Response): Promise<string> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as { message?: unknown; error?: unknown; error_description?: unknown };
    const parts = [body.message, body.error, body.error_description].filter((p) => p !== undefined);
    return parts.map((p) => (typeof p === "string" ? p : JSON.stringify(p))).join(": ") || `HTTP ${response.status}`;
  } catch {
    return text.slice(0, 200) || `HTTP ${response.status}`;
  }
}

/** The shared client and its request counters; one per process, built by the composition root. */
interface SharedGitlabClient {
  readonly api: GitlabClient;
  readonly stats: GitlabRequestStats;
}

export type GitlabClientFor = (deps: { readonly env: Env; readonly logger: Logger }) => SharedGitlabClient;

/** One GitLab client for the sync and the webhook (src/app/clients.ts), rebuilt only when the environment object changes. */
export function gitlabClientCache(options: GitlabClientOptions = {}): GitlabClientFor {
  let client: (SharedGitlabClient & { env: Env }) | undefined;
  return (deps) => {
    if (client?.env !== deps.env) {
      const stats = newGitlabStats();
      client = { env: deps.env, stats, api: createGitlabClient(deps.env, deps.logger, stats, options) };
    }
    return client;
  };
}
