import type { Agent } from "node:https";
import { api } from "@pagerduty/pdjs";
import { networkCause, SourceError } from "../errors.js";

// The one adapter over @pagerduty/pdjs. pdjs resolves with `ok: false` on HTTP errors (it never
// throws for a 4xx/5xx) and, on a 429, waits a fixed `retryTimeout` (20 s by default) and retries
// three times. That fixed wait does not follow PagerDuty's `ratelimit-reset` header, so pdjs's own
// wait is kept short and this adapter backs off for as long as the API asks, through an injectable
// `sleep` so tests never wait. https://developer.pagerduty.com/docs/rest-api-rate-limits

export type Query = Record<string, string | string[]>;

type PdResult =
  | { readonly ok: true; readonly status: number; readonly data: unknown }
  | { readonly ok: false; readonly status: number; readonly error: string };

export interface PagerdutyClient {
  get(path: string, query?: Query): Promise<PdResult>;
  /** Milliseconds spent waiting for rate limits so far (reported by the sync). */
  readonly rateLimitWaitMs: () => number;
}

export interface PagerdutyClientOptions {
  readonly token: string;
  /** PAGERDUTY_API_HOST: api.pagerduty.com, api.eu.pagerduty.com, or host:port of a test server. */
  readonly host: string;
  /** TLS agent (tests trust their own CA through it; production uses Node's CA store + NODE_EXTRA_CA_CERTS). */
  readonly agent?: Agent;
  readonly sleep?: (ms: number) => Promise<void>;
  /** pdjs's fixed wait between its own 429 retries. */
  readonly libraryRetryWaitMs?: number;
  /** Give up after this many rate-limit back-offs for one request. */
  readonly maxRateLimitWaits?: number;
  readonly requestTimeoutMs?: number;
}

export class PagerdutyApiError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
    this.name = "PagerdutyApiError";
  }
}

const DEFAULT_RESET_SECONDS = 60;

/** What pdjs resolves with: the fetch Response plus the parsed JSON body. */
interface PdjsResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  readonly data: unknown;
}

export function createPagerdutyClient(options: PagerdutyClientOptions): PagerdutyClient {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const maxWaits = options.maxRateLimitWaits ?? 5;
  let waited = 0;
  let pauseUntilRemainingResets = 0;

  async function once(path: string, query: Query): Promise<PdjsResponse> {
    // pdjs's overloads pick the partial-application form for a variable; this call always has an endpoint.
    const call = api as unknown as (parameters: Record<string, unknown>) => Promise<PdjsResponse>;
    return call({
      token: options.token,
      server: options.host,
      endpoint: path,
      method: "GET",
      queryParameters: query,
      retryTimeout: options.libraryRetryWaitMs ?? 1000,
      // pdjs's own `requestTimeout` only arms a timer it never clears on errors (keeping the process
      // alive 30 s); 0 turns it off and the abort signal does the timing instead.
      requestTimeout: 0,
      signal: AbortSignal.timeout(options.requestTimeoutMs ?? 10_000),
      ...(options.agent ? { agent: options.agent } : {}),
    });
  }

  return {
    rateLimitWaitMs: () => waited,
    async get(path, query = {}) {
      for (let attempt = 0; ; attempt++) {
        if (pauseUntilRemainingResets > 0) {
          // The previous answer said the budget is spent: wait for the reset instead of earning a 429.
          const ms = pauseUntilRemainingResets;
          pauseUntilRemainingResets = 0;
          waited += ms;
          await sleep(ms);
        }
        let response: PdjsResponse;
        try {
          response = await once(path, query);
        } catch (error) {
          // pdjs rejects with the Response when a body is not JSON, and with an Error on network failures.
          const network = networkCause(error);
          if (network) throw new SourceError({ source: "pagerduty", host: options.host, cause: network.words }, network.kind);
          if (error instanceof Error) throw new PagerdutyApiError(`PagerDuty ${path}: ${error.message}`, 0);
          const status = (error as { status?: number }).status ?? 0;
          return { ok: false, status, error: `PagerDuty ${path}: HTTP ${status} with a body that is not JSON` };
        }
        const headers = response.headers;
        const resetMs = resetDelayMs(headers.get("ratelimit-reset"), headers.get("retry-after"));
        if (response.status === 429) {
          if (attempt >= maxWaits) {
            return { ok: false, status: 429, error: `PagerDuty ${path}: still rate limited after ${maxWaits} waits` };
          }
          waited += resetMs;
          await sleep(resetMs);
          continue;
        }
        if (headers.get("ratelimit-remaining") === "0") pauseUntilRemainingResets = resetMs;
        if (!response.ok) return { ok: false, status: response.status, error: `PagerDuty ${path}: HTTP ${response.status}${describe(response.data)}` };
        return { ok: true, status: response.status, data: response.data };
      }
    },
  };
}

/** PagerDuty sends `ratelimit-reset` in seconds until the budget refills; Retry-After is the HTTP fallback. */
export function resetDelayMs(reset: string | null, retryAfter: string | null): number {
  for (const value of [reset, retryAfter]) {
    const seconds = value === null ? NaN : Number(value);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.max(1, Math.ceil(seconds)) * 1000;
  }
  return DEFAULT_RESET_SECONDS * 1000;
}

function describe(data: unknown): string {
  const error = (data as { error?: { message?: unknown; errors?: unknown } } | undefined)?.error;
  if (!error) return "";
  const details = Array.isArray(error.errors) ? `: ${error.errors.map(String).join("; ")}` : "";
  return ` (${String(error.message ?? "error")}${details})`;
}
