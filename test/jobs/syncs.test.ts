import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AppDeps } from "../../src/app-deps.js";
import { isSyncDue, syncRunner } from "../../src/jobs/syncs.js";
import { prometheusSource } from "../../src/sources/prometheus/index.js";
import { sonarSource } from "../../src/sources/sonar/index.js";
import { startFakePrometheus, type FakePrometheus } from "../fakes/prometheus/server.js";
import { sourcesDeps } from "../sources/helpers.js";

// Scheduled syncs against the fake Prometheus: the configured interval (60 min by default)
// decides when a source is pulled again, and only a sync that changed data triggers the
// after-sync work (threshold evaluation, reviews, App Home refresh).

const QUERIES = [
  'sum(increase(http_requests_total{job="checkout"}[1d]))',
  'sum(increase(http_requests_total{job="checkout",code=~"5.."}[1d]))',
  'histogram_quantile(0.95, sum by (le) (increase(http_request_duration_seconds_bucket{job="checkout"}[1d])))',
  "sum(increase(search_requests_total[1d]))",
  "sum(increase(search_failures_total[1d]))",
  'histogram_quantile(0.95, sum by (le) (increase(search_latency_seconds_bucket{service="search"}[1d])))',
  'avg(avg_over_time(probe_success{service="search"}[1d]))',
];

let prom: FakePrometheus;
let deps: AppDeps;
let nowMs = Date.parse("2026-05-04T09:30:00Z");

beforeEach(async () => {
  prom = await startFakePrometheus();
  for (const query of QUERIES) prom.series(query, { at: () => 1 });
  nowMs = Date.parse("2026-05-04T09:30:00Z");
  const base = sourcesDeps({ PROMETHEUS_URL: prom.url });
  deps = { ...base, now: () => nowMs };
});

afterEach(async () => {
  await prom.close();
  deps.store.close();
});

describe("scheduled syncs", () => {
  it("is due when never run in this process or once the interval has passed", () => {
    expect(isSyncDue(undefined, 0, 15)).toBe(true);
    expect(isSyncDue(0, 15 * 60_000 - 1, 15)).toBe(false);
    expect(isSyncDue(0, 15 * 60_000, 15)).toBe(true);
  });

  it("pulls a configured source at start, again only after its interval, and skips unconfigured ones", async () => {
    let changed = 0;
    const runner = syncRunner(deps, { sources: [prometheusSource, sonarSource], onChanged: async () => void changed++ });

    const first = await runner.tick();
    expect(first.map((r) => r.source)).toEqual(["prometheus"]); // SONAR_URL is not set
    expect(first[0]!.inserted).toBeGreaterThan(0);
    expect(changed).toBe(1);
    const requestsAfterFirst = prom.requests.length;

    nowMs += 59 * 60_000;
    expect(await runner.tick()).toEqual([]);
    expect(prom.requests.length).toBe(requestsAfterFirst);

    nowMs += 60_000; // the default prometheus.sync_every_minutes is 60; no new complete day yet
    const third = await runner.tick();
    expect(third.map((r) => r.source)).toEqual(["prometheus"]);
    expect(third[0]!.inserted + third[0]!.updated).toBe(0);
    expect(changed).toBe(1); // nothing changed, so no after-sync work

    nowMs += 24 * 3_600_000; // a new complete day: new samples, after-sync work runs again
    const fourth = await runner.tick();
    expect(prom.requests.length).toBeGreaterThan(requestsAfterFirst);
    expect(fourth[0]!.inserted).toBeGreaterThan(0);
    expect(changed).toBe(2);
  });

  it("survives an unreachable source and reports nothing written", async () => {
    await prom.close();
    const runner = syncRunner(deps, { sources: [prometheusSource] });
    const reports = await runner.tick();
    expect(reports.every((r) => r.inserted === 0)).toBe(true);
    prom = await startFakePrometheus();
  });
});
