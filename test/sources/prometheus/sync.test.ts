import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AppDeps } from "../../../src/app-deps.js";
import { DAY_MS } from "../../../src/domain/scope.js";
import { prometheusSource } from "../../../src/sources/prometheus/index.js";
import { startFakePrometheus, type FakePrometheus } from "../../fakes/prometheus/server.js";
import { samples, sourcesDeps } from "../helpers.js";

const CHECKOUT = {
  requests: 'sum(increase(http_requests_total{job="checkout"}[1d]))',
  errors: 'sum(increase(http_requests_total{job="checkout",code=~"5.."}[1d]))',
  latency: 'histogram_quantile(0.95, sum by (le) (increase(http_request_duration_seconds_bucket{job="checkout"}[1d])))',
};
const SEARCH = {
  requests: "sum(increase(search_requests_total[1d]))",
  errors: "sum(increase(search_failures_total[1d]))",
  latency: 'histogram_quantile(0.95, sum by (le) (increase(search_latency_seconds_bucket{service="search"}[1d])))',
  availability: 'avg(avg_over_time(probe_success{service="search"}[1d]))',
};

const MAY = (d: number) => Date.parse(`2026-05-0${d}T00:00:00Z`);
const s = (ms: number) => ms / 1000;

let prom: FakePrometheus;
let deps: AppDeps;

beforeEach(async () => {
  prom = await startFakePrometheus();
  deps = sourcesDeps({ PROMETHEUS_URL: prom.url }); // now: 2026-05-04T09:30Z
  // Day-by-day values as Prometheus would evaluate them at each midnight (covering the day before).
  const byDay = (values: Record<number, number>) => (t: number) => values[new Date(t * 1000).getUTCDate()];
  prom.series(CHECKOUT.requests, { at: byDay({ 2: 120_000, 3: 98_000.5, 4: 130_000 }) });
  prom.series(CHECKOUT.errors, { at: byDay({ 2: 240, 3: 98, 4: 1300 }) });
  prom.series(CHECKOUT.latency, { at: byDay({ 2: 0.21, 3: 0.1875, 4: NaN }) });
  prom.series(SEARCH.requests, { at: byDay({ 2: 5000, 3: 5100, 4: 4900 }) });
  prom.series(SEARCH.errors, { at: byDay({ 2: 5, 3: 0, 4: 12 }) });
  prom.series(SEARCH.latency, { at: byDay({ 2: 0.05, 3: 0.055, 4: 0.06 }) });
  prom.series(SEARCH.availability, { at: byDay({ 2: 1, 3: 0.9975, 4: 0.99 }) });
});

afterEach(async () => {
  await prom.close();
  await deps.store.close();
});

describe("Prometheus sync", () => {
  it("is configured by PROMETHEUS_URL plus a service with a prometheus section", () => {
    expect(prometheusSource.configured(deps)).toBe(true);
    expect(prometheusSource.configured({ ...deps, env: { ...deps.env, PROMETHEUS_URL: undefined } })).toBe(false);
  });

  it("stores one sample per complete UTC day, query and service, from day-step range queries", async () => {
    const report = await prometheusSource.sync(deps, { backfillDays: 3 });
    expect(report).toMatchObject({ source: "prometheus", fetched: 20, inserted: 20, updated: 0, unchanged: 0 });
    // Exactly one range query per template, evaluated at each midnight after the first day.
    expect(prom.requests.map((r) => r.params["query"])).toEqual([CHECKOUT.requests, CHECKOUT.errors, CHECKOUT.latency, SEARCH.requests, SEARCH.errors, SEARCH.latency, SEARCH.availability]);
    for (const r of prom.requests) {
      expect(r.path).toBe("/api/v1/query_range");
      expect(r.params).toMatchObject({ start: String(s(MAY(2))), end: String(s(MAY(4))), step: "86400" });
    }
    const rows = (name: string, service: string) =>
      samples(deps, name)
        .filter((r) => r.service_id === service)
        .map((r) => [new Date(r.at).toISOString().slice(0, 10), r.until_at! - r.at, r.value]);
    expect(rows("requests", "checkout")).toEqual([["2026-05-01", DAY_MS, 120000], ["2026-05-02", DAY_MS, 98000.5], ["2026-05-03", DAY_MS, 130000]]);
    expect(rows("errors", "checkout").map((r) => r[2])).toEqual([240, 98, 1300]);
    // Seconds to milliseconds; a day without requests has no quantile (NaN), so no sample, not a zero.
    expect(rows("latency_p95_ms", "checkout")).toEqual([["2026-05-01", DAY_MS, 210], ["2026-05-02", DAY_MS, 187.5]]);
    expect(rows("uptime_pct", "search").map((r) => r[2])).toEqual([100, 99.75, 99]);
    expect(rows("uptime_pct", "checkout")).toEqual([]);
    expect(samples(deps).every((r) => r.source === "prometheus")).toBe(true);
    expect(await deps.store.syncState.cursor("prometheus", "checkout")).toMatchObject({ cursor: "2026-05-04T00:00:00.000Z", last_error: null });
  });

  it("continues from its cursor: nothing to ask on the same day, only the new day the next day", async () => {
    await prometheusSource.sync(deps, { backfillDays: 3 });
    prom.requests.length = 0;
    const same = await prometheusSource.sync(deps);
    expect(same).toMatchObject({ fetched: 0, inserted: 0 });
    expect(prom.requests).toEqual([]);

    const tomorrow = { ...deps, now: () => MAY(5) + 3_600_000 };
    prom.series(CHECKOUT.requests, { at: (t) => (t === s(MAY(5)) ? 125_000 : 1) });
    const next = await prometheusSource.sync(tomorrow);
    expect(prom.requests.every((r) => r.params["start"] === String(s(MAY(5))) && r.params["end"] === String(s(MAY(5))))).toBe(true);
    expect(next.inserted).toBeGreaterThan(0);
    expect(samples(deps, "requests").filter((r) => r.service_id === "checkout").map((r) => r.value)).toEqual([120000, 98000.5, 130000, 125000]);
  });

  it("re-fetching the same days changes nothing", async () => {
    await prometheusSource.sync(deps, { backfillDays: 3 });
    const again = await prometheusSource.sync(deps, { backfillDays: 3 });
    expect(again).toMatchObject({ fetched: 20, inserted: 0, updated: 0, unchanged: 20 });
  });

  it("reports a failing service with Prometheus's error, keeps its data, and still syncs the others", async () => {
    await prometheusSource.sync(deps, { backfillDays: 3 });
    const before = samples(deps).filter((r) => r.service_id === "search");
    prom.fail(SEARCH.availability, 422, "execution", "expanding series: query processing would load too many samples into memory in query execution");
    const later = { ...deps, now: () => MAY(6) };
    const report = await prometheusSource.sync(later);
    expect(report.notes).toContain(
      "failed: search: Prometheus answered 422 (execution): expanding series: query processing would load too many samples into memory in query execution; its stored data is unchanged",
    );
    expect(samples(deps).filter((r) => r.service_id === "search")).toEqual(before);
    expect(await deps.store.syncState.cursor("prometheus", "search")).toMatchObject({ cursor: "2026-05-04T00:00:00.000Z", last_error: expect.stringContaining("422") });
    expect(await deps.store.syncState.cursor("prometheus", "checkout")).toMatchObject({ cursor: "2026-05-06T00:00:00.000Z", last_error: null });
  });

  it("refuses a query that returns several series instead of guessing how to combine them", async () => {
    prom.series(SEARCH.requests, { metric: { instance: "a:9100" }, at: () => 1 }, { metric: { instance: "b:9100" }, at: () => 2 });
    const report = await prometheusSource.sync(deps, { backfillDays: 1 });
    expect(report.notes.join("\n")).toContain("failed: search: the requests query returned 2 series, expected one: aggregate it, e.g. sum(...)");
    expect(samples(deps).some((r) => r.service_id === "search")).toBe(false);
  });

  it("says when Prometheus cannot be reached and writes nothing", async () => {
    await prom.close();
    const report = await prometheusSource.sync(deps, { backfillDays: 2 });
    expect(report.notes).toHaveLength(2);
    expect(report.notes[0]).toMatch(new RegExp(`^failed: checkout: cannot reach Prometheus at ${prom.url} \\(connection refused`));
    expect(report.failures).toEqual([expect.objectContaining({ source: "prometheus", subject: "checkout" }), expect.objectContaining({ source: "prometheus", subject: "search" })]);
    expect(samples(deps)).toEqual([]);
    prom = await startFakePrometheus(); // for afterEach
  });

  it("sends credentials in PROMETHEUS_URL as basic auth and never shows them", async () => {
    const withLogin = prom.url.replace("http://", "http://vitals:s3cr%40t-pw@");
    const authed = { ...deps, env: { ...deps.env, PROMETHEUS_URL: withLogin } };
    prom.fail(SEARCH.requests, 400, "bad_data", 'invalid parameter "query": 1:5: parse error');
    const report = await prometheusSource.sync(authed, { backfillDays: 1 });
    expect(prom.requests[0]!.authorization).toBe(`Basic ${Buffer.from("vitals:s3cr@t-pw").toString("base64")}`);
    expect(report.notes.join("\n")).toContain('failed: search: Prometheus answered 400 (bad_data): invalid parameter "query": 1:5: parse error');
    await prom.close();
    const unreachable = await prometheusSource.sync(authed, { backfillDays: 1 });
    expect(unreachable.notes[0]).toContain(`cannot reach Prometheus at ${prom.url}`);
    expect(JSON.stringify([report, unreachable])).not.toContain("s3cr");
    prom = await startFakePrometheus(); // for afterEach
  });

  it("notes a template that matches no data", async () => {
    prom.series(CHECKOUT.latency);
    const report = await prometheusSource.sync(deps, { backfillDays: 1 });
    expect(report.notes).toContain(`checkout: no latency data from ${CHECKOUT.latency}`);
  });
});
