import { fetchWithTimeout } from "../fetch.js";

// A small client for the Prometheus HTTP API (https://prometheus.io/docs/prometheus/latest/querying/api/):
// GET /api/v1/query_range and /api/v1/query, JSON envelope { status, data, errorType, error }.

interface PromSeries {
  readonly metric: Record<string, string>;
  /** [unix seconds, value as a string ("NaN", "+Inf" possible)] */
  readonly values: readonly [number, string][];
}

export class PrometheusError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PrometheusError";
  }
}

const TIMEOUT_MS = 30_000;

export interface PrometheusClient {
  queryRange(promql: string, startS: number, endS: number, stepS: number): Promise<PromSeries[]>;
  /** An instant query: one [time, value] per series. */
  query(promql: string, timeS: number): Promise<PromSeries[]>;
}

/**
 * PROMETHEUS_URL may carry basic-auth credentials (https://user:pass@host, as hosted Prometheus
 * services require); fetch refuses such URLs, and messages must not show them, so they move into
 * a header and every message names the URL without them.
 */
function splitCredentials(url: string): { baseUrl: string; headers: Record<string, string> } {
  const parsed = new URL(url);
  const headers: Record<string, string> = { accept: "application/json" };
  if (parsed.username || parsed.password) {
    const login = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
    headers["authorization"] = `Basic ${Buffer.from(login).toString("base64")}`;
    parsed.username = "";
    parsed.password = "";
  }
  return { baseUrl: parsed.toString().replace(/\/+$/, ""), headers };
}

export function createPrometheusClient(url: string, signal?: AbortSignal): PrometheusClient {
  const { baseUrl, headers } = splitCredentials(url);
  async function call(path: string, params: Record<string, string>): Promise<{ resultType: string; result: unknown[] }> {
    const url = `${baseUrl}${path}?${new URLSearchParams(params).toString()}`;
    const response = await fetchWithTimeout(url, { headers, signal, timeoutMs: TIMEOUT_MS }, (cause) => new PrometheusError(`cannot reach Prometheus at ${baseUrl} (${cause})`));
    let body: { status?: string; data?: { resultType?: string; result?: unknown[] }; errorType?: string; error?: string };
    try {
      body = (await response.json()) as typeof body;
    } catch {
      throw new PrometheusError(`Prometheus at ${baseUrl} answered ${response.status} without a JSON body: is PROMETHEUS_URL the server's base URL?`);
    }
    if (body.status !== "success" || !response.ok) {
      throw new PrometheusError(`Prometheus answered ${response.status} (${body.errorType ?? "error"}): ${body.error ?? "no message"}`);
    }
    if (!body.data || !Array.isArray(body.data.result)) throw new PrometheusError("Prometheus answered without data.result");
    return { resultType: body.data.resultType ?? "", result: body.data.result };
  }

  return {
    async queryRange(promql, startS, endS, stepS) {
      const data = await call("/api/v1/query_range", { query: promql, start: String(startS), end: String(endS), step: String(stepS) });
      if (data.resultType !== "matrix") throw new PrometheusError(`expected a range vector (matrix) from query_range, got ${data.resultType}`);
      return data.result as PromSeries[];
    },
    async query(promql, timeS) {
      const data = await call("/api/v1/query", { query: promql, time: String(timeS) });
      if (data.resultType === "scalar") {
        const [t, v] = data.result as unknown as [number, string];
        return [{ metric: {}, values: [[t, v]] }];
      }
      if (data.resultType !== "vector") throw new PrometheusError(`expected an instant vector from query, got ${data.resultType}`);
      return (data.result as { metric: Record<string, string>; value: [number, string] }[]).map((s) => ({ metric: s.metric, values: [s.value] }));
    },
  };
}
