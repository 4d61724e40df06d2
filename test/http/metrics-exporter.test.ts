import { readFileSync } from "node:fs";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { describe, expect, it } from "vitest";
import { parseEnv } from "../../src/config/env.js";
import { parseFileConfig } from "../../src/config/file.js";
import { createKpiExporter, gaugeQuestion, metricsRoute } from "../../src/http/metrics-exporter.js";
import type { InboundRequest } from "../../src/http/server.js";
import { syncRunner } from "../../src/jobs/syncs.js";
import { silentLogger } from "../../src/log.js";
import { buildDeps } from "../../src/app/root.js";
import { computeQueue } from "../../src/query/compute-queue.js";
import type { SyncSource } from "../../src/sources/types.js";
import { openDatabase } from "../../src/store/db.js";
import { createStore } from "../../src/store/index.js";

const METRICS_TOKEN = "metrics-token-0123456789abcdef";

function deps(env: Record<string, string> = {}) {
  const config = parseFileConfig("{}", "vitals.yml");
  return buildDeps(parseEnv({ LOG_LEVEL: "silent", ...env }), { config, store: createStore(openDatabase(":memory:")), logger: silentLogger(), now: () => Date.parse("2026-05-04T09:00:00Z") });
}

const request = (authorization?: string): InboundRequest => ({
  method: "GET",
  url: new URL("http://localhost/metrics"),
  headers: authorization ? { authorization } : {},
  rawBody: Buffer.alloc(0),
  requestId: "r-1",
});

describe("Prometheus exporter", () => {
  it("asks the read API's question for each gauge", () => {
    expect(gaugeQuestion("change_failure_rate", "org", "")).toBe("change_failure_rate last 30 days");
    expect(gaugeQuestion("mttr", "team", "payments")).toBe("mttr last 30 days for team payments");
    expect(gaugeQuestion("uptime", "service", "checkout")).toBe("uptime last 30 days for service checkout");
  });

  it("counts a failed scheduled sync through the sync runner's hook", async () => {
    const d = deps();
    const exporter = createKpiExporter(d, computeQueue());
    const failing: SyncSource = { name: "pagerduty", configured: () => true, sync: () => Promise.reject(new Error("PagerDuty answered 503")) };
    await syncRunner(d, { sources: [failing], onSyncError: exporter.syncFailed }).tick();
    const families = parsePrometheusTextFormat(await exporter.registry.metrics());
    const errors = families.find((f) => f.name === "vitals_sync_errors_total");
    expect(errors?.metrics).toEqual([{ labels: { source: "pagerduty" }, value: "1" }]);
  });

  it("counts each key a sync recorded as failed, though the sync itself returned", async () => {
    const d = deps();
    const exporter = createKpiExporter(d, computeQueue());
    const now = d.now();
    await d.store.syncState.recordFailure("prometheus", "checkout", "earlier failure", now - 60_000);
    // As the Prometheus sync does: a failing service is recorded and the others carry on.
    const partly: SyncSource = {
      name: "prometheus",
      configured: () => true,
      sync: async (deps) => {
        await deps.store.syncState.recordFailure("prometheus", "checkout", "query timed out", now);
        await deps.store.syncState.recordFailure("prometheus", "payments-api", "HTTP 503", now);
        await deps.store.syncState.saveCursor("prometheus", "search", "2026-05-04T00:00:00Z", null, now);
        return { source: "prometheus", fetched: 1, inserted: 1, updated: 0, unchanged: 0, notes: [] };
      },
    };
    await syncRunner(d, { sources: [partly], onSyncError: exporter.syncFailed }).tick();
    const families = parsePrometheusTextFormat(await exporter.registry.metrics());
    expect(families.find((f) => f.name === "vitals_sync_errors_total")?.metrics).toEqual([{ labels: { source: "prometheus" }, value: "2" }]);
  });

  it("is open without VITALS_METRICS_TOKEN and needs it when it is set", async () => {
    const open = deps();
    expect((await metricsRoute(open, createKpiExporter(open, computeQueue())).handle(request())).status).toBe(200);
    const guarded = deps({ VITALS_METRICS_TOKEN: METRICS_TOKEN });
    const route = metricsRoute(guarded, createKpiExporter(guarded, computeQueue()));
    const without = await route.handle(request());
    expect(without.status).toBe(401);
    expect(without.body).toEqual({ error: "missing bearer token: send Authorization: Bearer <VITALS_METRICS_TOKEN>" });
    expect((await route.handle(request("Bearer not-the-metrics-token"))).status).toBe(401);
    const ok = await route.handle(request(`Bearer ${METRICS_TOKEN}`));
    expect(ok.status).toBe(200);
    expect(String(ok.body)).toContain("# TYPE process_cpu_user_seconds_total counter");
  });

  it("publishes only deployment frequency (a count: 0 per day, METRICS.md) for a database without data, and the refresh time", async () => {
    const d = deps();
    const exporter = createKpiExporter(d, computeQueue());
    await exporter.refresh();
    const families = parsePrometheusTextFormat(await exporter.registry.metrics());
    // Rates, durations and levels are N/A without samples: no series rather than a made-up 0.
    expect(families.find((f) => f.name === "vitals_kpi_value")?.metrics).toEqual([{ labels: { metric: "deployment_frequency", scope_kind: "org", scope: "", window: "last_30d" }, value: "0" }]);
    expect(families.find((f) => f.name === "vitals_kpi_refreshed_timestamp_seconds")?.metrics[0]?.value).toBe(String(Date.parse("2026-05-04T09:00:00Z") / 1000));
  });

  it("ships a Grafana dashboard whose queries read only series the exporter serves", async () => {
    const d = deps();
    const exporter = createKpiExporter(d, computeQueue());
    exporter.syncFailed("github");
    await d.store.syncState.saveCursor("github", "acme/checkout", null, null, Date.parse("2026-05-04T08:00:00Z"));
    await exporter.refresh();
    const served = new Set(parsePrometheusTextFormat(await exporter.registry.metrics()).map((f) => f.name));
    const dashboard = JSON.parse(readFileSync(new URL("../../docs/grafana-dashboard.json", import.meta.url), "utf8")) as { panels: { targets?: { expr: string }[] }[] };
    const exprs = dashboard.panels.flatMap((p) => p.targets ?? []).map((t) => t.expr);
    expect(exprs.length).toBeGreaterThan(10);
    const names = new Set(exprs.flatMap((e) => e.match(/\b(?:vitals|process|nodejs)_[a-z_]+\b/g) ?? []));
    for (const name of names) expect(served, name).toContain(name);
    for (const name of ["vitals_kpi_value", "vitals_kpi_sample_size", "vitals_sync_last_success_timestamp_seconds", "vitals_sync_errors_total"]) expect(names).toContain(name);
  });
});
