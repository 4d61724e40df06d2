import type { AppDeps } from "../../app-deps.js";
import type { Window } from "../../domain/scope.js";
import { createPrometheusClient, PrometheusError } from "./client.js";
import { serviceQueries } from "./queries.js";

// Exact values for any window, straight from Prometheus (issue 6): error rate =
// increase(errors[w]) ÷ increase(requests[w]) and P95 = histogram_quantile(0.95, sum by (le)
// (increase(bucket[w]))), evaluated once at the window's end. The stored daily samples serve
// trends; this answers "what exactly was it over these 9 days" when Prometheus is reachable.

export interface PrometheusWindowValues {
  readonly service: string;
  readonly requests: number | null;
  readonly errors: number | null;
  readonly errorRatePct: number | null;
  readonly latencyP95Ms: number | null;
  /** null when the service has no availability query configured. */
  readonly uptimePct: number | null;
  readonly queries: readonly string[];
}

export async function prometheusWindow(deps: Pick<AppDeps, "env" | "config">, serviceId: string, window: Window, signal?: AbortSignal): Promise<PrometheusWindowValues> {
  if (!deps.env.PROMETHEUS_URL) throw new PrometheusError("Prometheus is not configured: set PROMETHEUS_URL");
  const service = deps.config.services.find((s) => s.id === serviceId);
  if (!service?.prometheus) throw new PrometheusError(`service "${serviceId}" has no prometheus section in the config file`);
  const seconds = Math.round((window.toMs - window.fromMs) / 1000);
  if (seconds <= 0) throw new PrometheusError("the window must end after it starts");
  const client = createPrometheusClient(deps.env.PROMETHEUS_URL, signal);
  const queries = serviceQueries(service.prometheus, `${seconds}s`);
  const values = new Map<string, number | null>();
  for (const query of queries) {
    const series = await client.query(query.promql, window.toMs / 1000);
    if (series.length > 1) throw new PrometheusError(`the ${query.kind} query returned ${series.length} series, expected one: aggregate it, e.g. sum(...) (query: ${query.promql})`);
    const value = series.length === 0 ? NaN : Number(series[0]!.values[0]?.[1]);
    values.set(query.kind, Number.isFinite(value) ? Math.round(value * query.scale * 1000) / 1000 : null);
  }
  const requests = values.get("requests") ?? null;
  const errors = values.get("errors") ?? null;
  return {
    service: serviceId,
    requests,
    errors,
    errorRatePct: requests && errors !== null ? Math.round((10_000 * errors) / requests) / 100 : null,
    latencyP95Ms: values.get("latency") ?? null,
    uptimePct: values.get("availability") ?? null,
    queries: queries.map((q) => q.promql),
  };
}
