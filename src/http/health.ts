import type { Store } from "../store/index.js";
import type { Dialect } from "../store/sql/dialect.js";
import type { HttpRoute } from "./server.js";

/** The Slack connection's state as /healthz reports it (the app passes its own: src/slack/connect.ts). */
type SlackConnection = "connecting" | "connected" | "failed";

// GET /healthz for load balancers and `docker compose`: 200 when the database answers and Slack is
// connected; 503 when either is not usable (a supervisor restarts the app). A source whose last
// sync failed makes it "degraded" (still 200: the app serves, from the data it has), with the
// source's last error and last success. It shows no settings and no data, so it needs no
// credentials (probes cannot sign requests). With several replicas (issue 19) it says which store
// they share and whether this one leads (runs the scheduled jobs); a follower serves, so it is
// healthy too: `leader` never changes the status.

export interface HealthReport {
  status: "ok" | "degraded" | "unavailable";
  database: "ok" | "unreachable";
  /** Absent when the app has no Slack connection to report (a route served without the app). */
  slack?: SlackConnection;
  /** The store engine, when served by the app (src/app/leadership.ts). */
  store?: Dialect["name"];
  /** Does this replica run the scheduled jobs now? Present with `store`. */
  leader?: boolean;
  syncs: { source: string; key: string; last_success_at: string | null; last_error_at: string | null; last_error: string | null }[];
}

export interface HealthOptions {
  readonly slack?: () => SlackConnection;
  readonly replica?: { readonly store: Dialect["name"]; readonly leader: () => boolean };
}

export async function healthReport(store: Store, options: HealthOptions = {}): Promise<HealthReport> {
  const slack = options.slack?.();
  const replica = options.replica ? { store: options.replica.store, leader: options.replica.leader() } : {};
  let cursors: Awaited<ReturnType<Store["syncState"]["cursors"]>>;
  try {
    // Reading the sync cursors is the database check: it fails when the file is gone or locked.
    cursors = await store.syncState.cursors();
  } catch {
    return { status: "unavailable", database: "unreachable", ...(slack ? { slack } : {}), ...replica, syncs: [] };
  }
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  // A successful sync clears the error (src/store/sync-state.ts): an error left is the latest outcome.
  const failing = cursors.some((c) => c.last_error !== null);
  return {
    status: slack !== undefined && slack !== "connected" ? "unavailable" : failing ? "degraded" : "ok",
    database: "ok",
    ...(slack ? { slack } : {}),
    ...replica,
    syncs: cursors.map((c) => ({
      source: c.source,
      key: c.key,
      last_success_at: iso(c.last_success_at),
      last_error_at: iso(c.last_error_at),
      last_error: c.last_error,
    })),
  };
}

export function healthRoute(store: Store, options: HealthOptions = {}): HttpRoute {
  return {
    method: "GET",
    path: "/healthz",
    async handle() {
      const report = await healthReport(store, options);
      return { status: report.status === "unavailable" ? 503 : 200, body: report, headers: { "cache-control": "no-store" } };
    },
  };
}
