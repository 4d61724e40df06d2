import { createServer, type Server } from "node:http";
import { listen } from "../../../src/http/server.js";

// A loopback Prometheus that speaks the HTTP API's JSON (https://prometheus.io/docs/prometheus/latest/querying/api/):
// /api/v1/query_range → matrix, /api/v1/query → vector, errors as { status: "error", errorType, error }
// with Prometheus's status codes. It does not evaluate PromQL: tests register, per exact query
// string, the value at each evaluation time; an unknown query answers an empty result, as a real
// server does for a metric it has never seen. Every request is recorded for assertions.

export type ValueAt = (timeS: number) => number | undefined;

export interface RecordedQuery {
  readonly path: string;
  readonly params: Record<string, string>;
  readonly authorization?: string | undefined;
}

export interface FakePrometheus {
  readonly url: string;
  readonly requests: RecordedQuery[];
  /** Answer `query` with one series (labels `metric`) or several. */
  series(query: string, ...series: { metric?: Record<string, string>; at: ValueAt }[]): void;
  fail(query: string, status: number, errorType: string, error: string): void;
  close(): Promise<void>;
}

const MAX_POINTS = 11_000;

/** Prometheus prints sample values with Go's strconv.FormatFloat(v, 'f', -1, 64). */
function format(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

export async function startFakePrometheus(): Promise<FakePrometheus> {
  const answers = new Map<string, { metric: Record<string, string>; at: ValueAt }[]>();
  const failures = new Map<string, { status: number; errorType: string; error: string }>();
  const requests: RecordedQuery[] = [];

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const params = Object.fromEntries(url.searchParams);
    requests.push({ path: url.pathname, params, authorization: req.headers.authorization });
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const error = (status: number, errorType: string, message: string) => send(status, { status: "error", errorType, error: message });
    const time = (name: string): number | undefined => {
      const raw = params[name];
      if (raw === undefined) return undefined;
      const n = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : Date.parse(raw) / 1000;
      return Number.isNaN(n) ? undefined : n;
    };
    if (req.method !== "GET" && req.method !== "POST") return error(405, "bad_data", "method not allowed");
    const query = params["query"];
    if (url.pathname === "/api/v1/query_range") {
      if (!query) return error(400, "bad_data", 'invalid parameter "query": unknown position: parse error: no expression found in input');
      const start = time("start");
      const end = time("end");
      const step = Number(params["step"]);
      if (start === undefined) return error(400, "bad_data", `invalid parameter "start": cannot parse "${params["start"] ?? ""}" to a valid timestamp`);
      if (end === undefined) return error(400, "bad_data", `invalid parameter "end": cannot parse "${params["end"] ?? ""}" to a valid timestamp`);
      if (end < start) return error(400, "bad_data", 'invalid parameter "end": end timestamp must not be before start time');
      if (!(step > 0)) return error(400, "bad_data", 'invalid parameter "step": zero or negative query resolution step widths are not accepted. Try a positive integer');
      if ((end - start) / step > MAX_POINTS) {
        return error(400, "bad_data", "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)");
      }
      const failure = failures.get(query);
      if (failure) return error(failure.status, failure.errorType, failure.error);
      const result = (answers.get(query) ?? [])
        .map(({ metric, at }) => {
          const values: [number, string][] = [];
          for (let t = start; t <= end; t += step) {
            const v = at(t);
            if (v !== undefined) values.push([t, format(v)]);
          }
          return { metric, values };
        })
        .filter((s) => s.values.length > 0);
      return send(200, { status: "success", data: { resultType: "matrix", result } });
    }
    if (url.pathname === "/api/v1/query") {
      if (!query) return error(400, "bad_data", 'invalid parameter "query": unknown position: parse error: no expression found in input');
      const at = time("time") ?? Date.now() / 1000;
      const failure = failures.get(query);
      if (failure) return error(failure.status, failure.errorType, failure.error);
      const result = (answers.get(query) ?? [])
        .map(({ metric, at: valueAt }) => ({ metric, v: valueAt(at) }))
        .filter((s) => s.v !== undefined)
        .map((s) => ({ metric: s.metric, value: [at, format(s.v!)] }));
      return send(200, { status: "success", data: { resultType: "vector", result } });
    }
    res.writeHead(404, { "content-type": "text/plain" });
    res.end("404 page not found\n");
  });
  const port = await listen(server, 0);
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    series(query, ...series) {
      answers.set(query, series.map((s) => ({ metric: s.metric ?? {}, at: s.at })));
    },
    fail(query, status, errorType, error) {
      failures.set(query, { status, errorType, error });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
