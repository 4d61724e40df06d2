import type { Store } from "../store/index.js";
import type { HttpRoute } from "./server.js";

// GET /healthz for load balancers and `docker compose`: 200 when the database answers, with the
// last successful sync per source; 503 otherwise. It shows no settings and no data, so it needs no
// credentials (probes cannot sign requests).

export interface HealthReport {
  status: "ok" | "unavailable";
  database: "ok" | "unreachable";
  syncs: { source: string; key: string; last_success_at: string | null; last_error_at: string | null }[];
}

export function healthReport(store: Store): HealthReport {
  let cursors: ReturnType<Store["syncState"]["cursors"]>;
  try {
    // Reading the sync cursors is the database check: it fails when the file is gone or locked.
    cursors = store.syncState.cursors();
  } catch {
    return { status: "unavailable", database: "unreachable", syncs: [] };
  }
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    status: "ok",
    database: "ok",
    syncs: cursors.map((c) => ({
      source: c.source,
      key: c.key,
      last_success_at: iso(c.last_success_at),
      last_error_at: iso(c.last_error_at),
    })),
  };
}

export function healthRoute(store: Store): HttpRoute {
  return {
    method: "GET",
    path: "/healthz",
    handle() {
      const report = healthReport(store);
      return { status: report.status === "ok" ? 200 : 503, body: report, headers: { "cache-control": "no-store" } };
    },
  };
}
