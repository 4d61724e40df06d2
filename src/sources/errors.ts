import type { Env } from "../config/env.js";

// Why a source could not be read, in words a person acts on: the network cause (name not resolved,
// connection refused, timed out, TLS) or the HTTP answer (401 bad token, 403 and the missing
// permission, 404, rate limited until …). Any client (GitHub, PagerDuty, Prometheus, SonarQube,
// GitLab) classifies its errors here, so that `vitals sync`, the scheduler and /healthz say the
// same thing, and a network failure is never reported as an HTTP status.

export type FailureKind =
  | "dns"
  | "refused"
  | "timeout"
  | "tls"
  | "reset"
  | "network"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "rate_limited"
  | "http";

export interface FailureCause {
  readonly kind: FailureKind;
  /** The HTTP status when the server answered; absent for network failures. */
  readonly status?: number;
  /** One line, no stack, no secret. */
  readonly words: string;
}

/** A sync failure as `vitals sync` prints it: the source, the host it talked to, the cause, and what it was reading. */
export interface SourceFailure {
  readonly source: string;
  readonly host: string;
  readonly cause: string;
  /** The repo, service or project concerned, when the failure is one of several. */
  readonly subject?: string;
}

/** An error that already knows its source, host and cause (thrown by clients, caught by `vitals sync`). */
export class SourceError extends Error {
  constructor(
    readonly failure: SourceFailure,
    readonly kind: FailureKind,
  ) {
    super(`${failure.host}: ${failure.cause}`);
    this.name = "SourceError";
  }
}

const DNS = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_NONAME", "EAI_FAIL"]);
const REFUSED = new Set(["ECONNREFUSED"]);
const TIMEOUT = new Set(["ETIMEDOUT", "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "ESOCKETTIMEDOUT"]);
const RESET = new Set(["ECONNRESET", "EPIPE", "UND_ERR_SOCKET", "ECONNABORTED"]);
const UNREACHABLE = new Set(["EHOSTUNREACH", "ENETUNREACH", "EHOSTDOWN", "ENETDOWN"]);
const TLS = /^(CERT_|ERR_TLS_|ERR_SSL_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|EPROTO|HOSTNAME_MISMATCH)/;

/**
 * The errors an error was caused by, outermost first (fetch wraps the socket error in `cause`;
 * Octokit wraps fetch's; Slack's Web API client keeps it in `original`).
 */
function chain(error: unknown): unknown[] {
  const seen: unknown[] = [];
  const next = (e: unknown) => (e as { cause?: unknown }).cause ?? (e as { original?: unknown }).original;
  for (let current = error; current !== undefined && current !== null && seen.length < 8; current = next(current)) {
    if (seen.includes(current)) break;
    seen.push(current);
  }
  return seen;
}

/** The network cause of an error, or undefined when the server answered (or the error is not a network one). */
export function networkCause(error: unknown): FailureCause | undefined {
  for (const link of chain(error)) {
    if (typeof link !== "object" || link === null) continue;
    const { code, name, message } = link as { code?: unknown; name?: unknown; message?: unknown };
    if (typeof code === "string") {
      if (DNS.has(code)) return { kind: "dns", words: "name not resolved (check the host name and DNS)" };
      if (REFUSED.has(code)) return { kind: "refused", words: "connection refused (nothing listens there: check the URL and port)" };
      if (TIMEOUT.has(code)) return { kind: "timeout", words: "timed out (no answer from the server)" };
      if (RESET.has(code)) return { kind: "reset", words: "connection reset by the server or a proxy" };
      if (UNREACHABLE.has(code)) return { kind: "network", words: `network unreachable (${code})` };
      if (TLS.test(code)) return { kind: "tls", words: `TLS failed (${code}${typeof message === "string" && message ? `: ${message.replace(/^.*reason: /, "")}` : ""}): the certificate is not trusted or does not match the host; set NODE_EXTRA_CA_CERTS for a private CA` };
    }
    if (name === "TimeoutError") return { kind: "timeout", words: "timed out (no answer from the server)" };
  }
  // undici's "fetch failed" without a known code (a port fetch refuses, a malformed URL): the request
  // never left, whatever status a client library wraps it in; the innermost error says why.
  const links = chain(error);
  if (links.some((l) => l instanceof TypeError && l.message === "fetch failed")) {
    const innermost = links[links.length - 1];
    const why = innermost instanceof Error && innermost.message !== "fetch failed" ? innermost.message : "fetch failed";
    return { kind: "network", words: `could not connect (${why}: check the URL and port)` };
  }
  return undefined;
}

export interface HttpDetails {
  /** What a 404 means for this source ("repo acme/web", "service PXYZ"). */
  readonly notFound?: string;
  /** The setting holding the credentials ("GITHUB_TOKEN or the GitHub App settings"). */
  readonly credentials?: string;
  /** The permission or scope the request needs, when the server says (GitHub: X-Accepted-GitHub-Permissions). */
  readonly missingPermission?: string;
  /** When the rate limit resets (epoch ms). */
  readonly resetAtMs?: number;
  /** The server's own message (first line only is kept). */
  readonly message?: string;
}

/** What an HTTP error answer means. */
export function httpCause(status: number, details: HttpDetails = {}): FailureCause {
  const said = details.message ? `: ${details.message.split("\n")[0]!.slice(0, 300)}` : "";
  if (status === 401) return { kind: "unauthorized", status, words: `401 bad token: the server refused the credentials${details.credentials ? ` (check ${details.credentials})` : ""}` };
  if (status === 429 || details.resetAtMs !== undefined) {
    const until = details.resetAtMs !== undefined ? ` until ${new Date(details.resetAtMs).toISOString()}` : "";
    return { kind: "rate_limited", status, words: `rate-limited${until}; the next sync resumes from the cursor` };
  }
  if (status === 403) {
    const missing = details.missingPermission ? `: the token needs ${details.missingPermission}` : "";
    return { kind: "forbidden", status, words: `403 forbidden${missing}${said}` };
  }
  if (status === 404) return { kind: "not_found", status, words: `404 not found${details.notFound ? `: ${details.notFound} does not exist or the token cannot see it` : ""}${said}` };
  return { kind: "http", status, words: `the server answered ${status}${said}` };
}

/** The one line `vitals sync` prints for a failure. */
export function failureLine(failure: SourceFailure): string {
  return `${failure.source}: ${failure.host}: ${failure.cause}${failure.subject ? ` (${failure.subject})` : ""}`;
}

/** The host of a URL ("https://api.github.com" → "api.github.com"), or the text itself when it is not one. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** A failure from any error a source threw: its own words when it is a SourceError, else the network cause, else its message. */
export function failureFrom(source: string, host: string, error: unknown): SourceFailure {
  if (error instanceof SourceError) return error.failure;
  const network = networkCause(error);
  const message = error instanceof Error ? error.message.split("\n")[0]! : String(error);
  return { source, host, cause: network?.words ?? message };
}

/** The host a source talks to, for its failure line. */
export function sourceHost(source: string, env: Env): string {
  switch (source) {
    case "github":
      return hostOf(env.GITHUB_API_URL);
    case "gitlab":
      return hostOf(env.GITLAB_API_URL);
    case "pagerduty":
      return env.PAGERDUTY_API_HOST;
    case "prometheus":
      return env.PROMETHEUS_URL ? hostOf(env.PROMETHEUS_URL) : "prometheus";
    case "sonar":
      return env.SONAR_URL ? hostOf(env.SONAR_URL) : "sonar";
    default:
      return source;
  }
}
