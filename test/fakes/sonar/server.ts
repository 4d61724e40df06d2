import { createServer, type Server } from "node:http";
import { listen } from "../../../src/http/server.js";

// A loopback SonarQube speaking api/measures/search_history as the Web API does: token as the
// basic-auth login (401 with an empty body otherwise), `paging` { pageIndex, pageSize, total } where
// total counts analyses, `measures` [{ metric, history: [{ date, value? }] }] with dates like
// 2026-04-20T14:03:11+0000, ps at most 1000, and { errors: [{ msg }] } for bad requests.

export interface Analysis {
  /** SonarQube's format, e.g. 2026-04-20T14:03:11+0000 */
  readonly date: string;
  readonly measures: Readonly<Record<string, string | undefined>>;
}

export interface FakeSonar {
  readonly url: string;
  readonly requests: Record<string, string>[];
  project(key: string, analyses: readonly Analysis[]): void;
  close(): Promise<void>;
}

export async function startFakeSonar(token: string): Promise<FakeSonar> {
  const projects = new Map<string, readonly Analysis[]>();
  const requests: Record<string, string>[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const params = Object.fromEntries(url.searchParams);
    const send = (status: number, body?: unknown) => {
      res.writeHead(status, body === undefined ? {} : { "content-type": "application/json" });
      res.end(body === undefined ? "" : JSON.stringify(body));
    };
    const errors = (status: number, msg: string) => send(status, { errors: [{ msg }] });
    if (req.headers.authorization !== `Basic ${Buffer.from(`${token}:`).toString("base64")}`) return send(401);
    if (url.pathname !== "/api/measures/search_history") return errors(404, "Unknown url : " + url.pathname);
    requests.push(params);
    const component = params["component"];
    const metrics = (params["metrics"] ?? "").split(",").filter(Boolean);
    if (!component) return errors(400, "The 'component' parameter is missing");
    if (metrics.length === 0) return errors(400, "The 'metrics' parameter is missing");
    const ps = Number(params["ps"] ?? "100");
    const p = Number(params["p"] ?? "1");
    if (ps > 1000) return errors(400, `'ps' value (${ps}) must be less than 1000`);
    const analyses = projects.get(component);
    if (!analyses) return errors(404, `Component key '${component}' not found`);
    const from = params["from"] ? Date.parse(params["from"]) : -Infinity;
    if (Number.isNaN(from)) return errors(400, `'${params["from"]}' cannot be parsed as either a date or date+time`);
    const inRange = analyses.filter((a) => Date.parse(a.date) >= from).sort((a, b) => Date.parse(a.date) - Date.parse(b.date));
    const pageOf = inRange.slice((p - 1) * ps, p * ps);
    send(200, {
      paging: { pageIndex: p, pageSize: ps, total: inRange.length },
      measures: metrics.map((metric) => ({
        metric,
        history: pageOf.map((a) => (a.measures[metric] === undefined ? { date: a.date } : { date: a.date, value: a.measures[metric] })),
      })),
    });
  });
  const port = await listen(server, 0);
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    project: (key, analyses) => void projects.set(key, analyses),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
