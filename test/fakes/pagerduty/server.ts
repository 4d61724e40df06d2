import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import type { TestCertificate } from "./tls.js";

// A fake PagerDuty REST API v2 over HTTPS on 127.0.0.1, answering with the API reference's shapes:
// GET /incidents (since/until, service_ids[], statuses[], offset/limit/more/total), GET /incidents/{id},
// GET /incidents/{id}/log_entries, GET /log_entries. It enforces the real limits as 400 errors
// (since/until more than 6 months apart; offset + limit over 10,000) and can answer 429 with
// ratelimit-* headers. https://developer.pagerduty.com/api-reference/

export type FakeIncident = Record<string, unknown> & { id: string; created_at: string; status: string; service: { id: string; summary?: string } };
export type FakeLogEntry = Record<string, unknown> & { id: string; type: string; created_at: string };

export interface RecordedRequest {
  readonly path: string;
  readonly query: URLSearchParams;
  readonly status: number;
  /** The Host header: which API host the client believed it was talking to. */
  readonly host: string;
}

export interface FakePagerduty {
  readonly host: string;
  readonly requests: RecordedRequest[];
  incidents: FakeIncident[];
  logEntries: Map<string, FakeLogEntry[]>;
  /** Answer the next N requests with 429 (ratelimit-reset: resetSeconds). */
  rateLimit(times: number, resetSeconds?: number): void;
  /** Paths (e.g. /incidents/P1) that never answer, like a stuck API. */
  readonly hang: Set<string>;
  /** The next successful answer says the budget is spent (ratelimit-remaining: 0). */
  spendBudget(resetSeconds: number): void;
  close(): Promise<void>;
}

const SIX_MONTHS_MS = 183 * 86_400_000;

export async function startFakePagerduty(options: { certificate: TestCertificate; token: string }): Promise<FakePagerduty> {
  let limited = 0;
  let resetSeconds = 30;
  let spentReset: number | undefined;
  const hang = new Set<string>();
  const requests: RecordedRequest[] = [];
  const state = { incidents: [] as FakeIncident[], logEntries: new Map<string, FakeLogEntry[]>() };

  const server: Server = createServer({ cert: options.certificate.cert, key: options.certificate.key }, (req, res) => {
    const url = new URL(req.url ?? "/", "https://127.0.0.1");
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      if (status === 200 && spentReset !== undefined) {
        headers = { ...headers, "ratelimit-limit": "960", "ratelimit-remaining": "0", "ratelimit-reset": String(spentReset) };
        spentReset = undefined;
      }
      requests.push({ path: url.pathname, query: url.searchParams, status, host: String(req.headers.host) });
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify(body));
    };
    if (hang.has(url.pathname)) return;
    if (req.headers.authorization !== `Token token=${options.token}`) return send(401, { error: { message: "Unauthorized", code: 2006 } });
    if (!String(req.headers.accept ?? "").includes("application/vnd.pagerduty+json;version=2")) return send(406, { error: { message: "Not Acceptable" } });
    if (limited > 0) {
      limited--;
      return send(429, { error: { message: "Rate Limit Exceeded", code: 2020 } }, {
        "ratelimit-limit": "960", "ratelimit-remaining": "0", "ratelimit-reset": String(resetSeconds),
      });
    }
    const q = url.searchParams;
    const limit = Number(q.get("limit") ?? "25");
    const offset = Number(q.get("offset") ?? "0");
    if (offset + limit > 10_000) return send(400, invalid("Offset must be less than 10000 minus limit"));
    const page = <T>(key: string, items: T[]) => {
      const slice = items.slice(offset, offset + limit);
      const body: Record<string, unknown> = { [key]: slice, limit, offset, more: offset + limit < items.length, total: q.get("total") === "true" ? items.length : null };
      send(200, body);
    };
    const range = (): { error: string } | { since: number; until: number } => {
      const since = Date.parse(q.get("since") ?? "");
      const until = Date.parse(q.get("until") ?? "");
      if (Number.isNaN(since) || Number.isNaN(until)) return { error: "since and until are required here" };
      if (until - since > SIX_MONTHS_MS) return { error: "The difference between since and until must be less than 6 months" };
      return { since, until };
    };

    const parts = url.pathname.split("/").filter(Boolean);
    if (parts[0] === "incidents" && parts.length === 1) {
      const r = range();
      if ("error" in r) return send(400, invalid(r.error));
      const services = q.getAll("service_ids[]");
      const statuses = q.getAll("statuses[]");
      const found = state.incidents
        .filter((i) => Date.parse(i.created_at) >= r.since && Date.parse(i.created_at) <= r.until)
        .filter((i) => services.length === 0 || services.includes(i.service.id))
        .filter((i) => statuses.length === 0 || statuses.includes(i.status))
        .sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at));
      return page("incidents", found);
    }
    if (parts[0] === "incidents" && parts.length === 2) {
      const incident = state.incidents.find((i) => i.id === parts[1]);
      return incident ? send(200, { incident }) : send(404, { error: { message: "Not Found", code: 2100 } });
    }
    if (parts[0] === "incidents" && parts[2] === "log_entries") {
      if (!state.incidents.some((i) => i.id === parts[1])) return send(404, { error: { message: "Not Found", code: 2100 } });
      // Newest first, as PagerDuty lists them.
      const entries = [...(state.logEntries.get(parts[1]!) ?? [])].sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at));
      return page("log_entries", entries);
    }
    if (parts[0] === "log_entries" && parts.length === 1) {
      const r = range();
      if ("error" in r) return send(400, invalid(r.error));
      const entries = [...state.logEntries.entries()]
        .flatMap(([incidentId, list]) => {
          const service = state.incidents.find((i) => i.id === incidentId)?.service;
          return list.map((e) => ({ ...e, incident: { id: incidentId, type: "incident_reference" }, service }));
        })
        .filter((e) => Date.parse(e.created_at) >= r.since && Date.parse(e.created_at) <= r.until)
        .sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at));
      return page("log_entries", entries);
    }
    return send(404, { error: { message: "Not Found", code: 2100 } });
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    host: `127.0.0.1:${port}`,
    requests,
    hang,
    get incidents() { return state.incidents; },
    set incidents(value) { state.incidents = value; },
    get logEntries() { return state.logEntries; },
    set logEntries(value) { state.logEntries = value; },
    spendBudget(reset) {
      spentReset = reset;
    },
    rateLimit(times, reset = 30) {
      limited = times;
      resetSeconds = reset;
    },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

function invalid(message: string) {
  return { error: { message: "Invalid Input Provided", code: 2001, errors: [message] } };
}
