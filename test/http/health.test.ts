import { describe, expect, it } from "vitest";
import { healthReport, healthRoute } from "../../src/http/health.js";
import { createStore } from "../../src/store/index.js";
import { openDatabase } from "../../src/store/db.js";

// GET /healthz with replicas (issue 19): it names the store and says whether this replica leads; a
// follower serves Slack and the APIs, so it is as healthy as the leader (the status ignores `leader`).

const handle = async (route: ReturnType<typeof healthRoute>) => (await route.handle({} as never)) as { status: number; body: unknown };

describe("/healthz on a replica", () => {
  it("reports a follower as healthy (200) with leader: false and its store", async () => {
    const store = createStore(openDatabase(":memory:"));
    const follower = await handle(healthRoute(store, { slack: () => "connected", replica: { store: "postgres", leader: () => false } }));
    expect(follower).toMatchObject({ status: 200, body: { status: "ok", database: "ok", slack: "connected", store: "postgres", leader: false, syncs: [] } });
    const leader = await handle(healthRoute(store, { slack: () => "connected", replica: { store: "postgres", leader: () => true } }));
    expect(leader).toMatchObject({ status: 200, body: { status: "ok", store: "postgres", leader: true } });
    store.close();
  });

  it("reads the leadership on every request", async () => {
    const store = createStore(openDatabase(":memory:"));
    let leading = false;
    const route = healthRoute(store, { slack: () => "connected", replica: { store: "sqlite", leader: () => leading } });
    expect(((await handle(route)).body as { leader: boolean }).leader).toBe(false);
    leading = true;
    expect(((await handle(route)).body as { leader: boolean }).leader).toBe(true);
    store.close();
  });

  it("still says 503 for an unreachable database or Slack, whoever leads", async () => {
    const store = createStore(openDatabase(":memory:"));
    store.close();
    const gone = await handle(healthRoute(store, { slack: () => "connected", replica: { store: "sqlite", leader: () => true } }));
    expect(gone).toEqual({ status: 503, body: { status: "unavailable", database: "unreachable", slack: "connected", store: "sqlite", leader: true, syncs: [] }, headers: { "cache-control": "no-store" } });

    const open = createStore(openDatabase(":memory:"));
    const connecting = await handle(healthRoute(open, { slack: () => "connecting", replica: { store: "postgres", leader: () => false } }));
    expect(connecting).toMatchObject({ status: 503, body: { status: "unavailable", slack: "connecting", leader: false } });
    open.close();
  });

  it("leaves the replica fields out where no app serves the route", async () => {
    const store = createStore(openDatabase(":memory:"));
    expect(await healthReport(store)).toEqual({ status: "ok", database: "ok", syncs: [] });
    store.close();
  });
});
