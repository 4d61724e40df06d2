import type { ServiceConfig } from "../../config/file.js";
import type { SampleName } from "../../domain/metric-ids.js";

// PromQL per service (pure). Defaults follow the common conventions: a `http_requests_total`
// counter with a `code` label and a `http_request_duration_seconds` histogram. Each is overridable
// in the config file's `services[].prometheus`; templates may use `$selector` (the service's label
// matchers, without braces) and `$window` (the range, e.g. 1d).

export type PromConfig = NonNullable<ServiceConfig["prometheus"]>;

type QueryKind = "requests" | "errors" | "latency" | "availability";

export interface ServiceQuery {
  readonly kind: QueryKind;
  readonly sample: SampleName;
  readonly promql: string;
  /** Multiplies the result into the sample's unit (seconds → ms, ratio → percent). */
  readonly scale: number;
}

/** `{job="checkout"}` or `job="checkout"` → `job="checkout"`. */
function matchers(selector: string): string {
  const trimmed = selector.trim();
  return trimmed.startsWith("{") && trimmed.endsWith("}") ? trimmed.slice(1, -1).trim() : trimmed;
}

function fill(template: string, selector: string, window: string): string {
  return template.replaceAll("$selector", selector).replaceAll("$window", window);
}

const join = (...parts: string[]): string => parts.filter((p) => p !== "").join(",");

/** The queries for one service over a range such as `1d` (daily samples) or `604800s` (a window). */
export function serviceQueries(config: PromConfig, window: string): ServiceQuery[] {
  const sel = matchers(config.selector);
  const requests = config.requests ?? `sum(increase(http_requests_total{${sel}}[$window]))`;
  const errors = config.errors ?? `sum(increase(http_requests_total{${join(sel, 'code=~"5.."')}}[$window]))`;
  const bucket = config.latency_bucket ?? `http_request_duration_seconds_bucket{${sel}}`;
  const queries: ServiceQuery[] = [
    { kind: "requests", sample: "requests", promql: fill(requests, sel, window), scale: 1 },
    { kind: "errors", sample: "errors", promql: fill(errors, sel, window), scale: 1 },
    // P95 of the window from the histogram's bucket increases, not an average of P95s.
    { kind: "latency", sample: "latency_p95_ms", promql: `histogram_quantile(0.95, sum by (le) (increase(${fill(bucket, sel, window)}[${window}])))`, scale: 1000 },
  ];
  // No default: `up` says whether Prometheus could scrape a target, not whether users were served,
  // so without an explicit availability query uptime is derived from incidents (docs/metrics.md).
  if (config.availability) queries.push({ kind: "availability", sample: "uptime_pct", promql: fill(config.availability, sel, window), scale: 100 });
  return queries;
}
