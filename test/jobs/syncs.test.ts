import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AppDeps } from "../../src/app-deps.js";
import { isSyncDue, retryDelayMinutes, syncRunner } from "../../src/jobs/syncs.js";
import { createLogger } from "../../src/log.js";
import { SourceError } from "../../src/sources/errors.js";
import type { SyncSource } from "../../src/sources/types.js";
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
  await deps.store.close();
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

  it("retries a failing source with backoff (1, 2, 4 … minutes, at most its interval), saying why once per attempt", async () => {
    const logs: string[] = [];
    const attempts: number[] = [];
    let down = true;
    const flaky: SyncSource = {
      name: "prometheus",
      configured: () => true,
      async sync() {
        attempts.push((nowMs - start) / 60_000);
        if (down) throw new SourceError({ source: "prometheus", host: "prom:9090", cause: "connection refused" }, "refused");
        return { source: "prometheus", fetched: 0, inserted: 0, updated: 0, unchanged: 0, notes: [] };
      },
    };
    const start = nowMs;
    const logged = { ...deps, logger: createLogger("info", { write: (line: string) => logs.push(line) } as never) };
    const runner = syncRunner(logged, { sources: [flaky] });
    // A tick each minute for three hours, as the scheduler does.
    for (let minute = 0; minute < 180; minute++) {
      if (minute === 100) down = false;
      await runner.tick();
      nowMs += 60_000;
    }
    // Up again at minute 100: the try at 123 (63 + the 60-minute interval) succeeds and the schedule is back.
    expect(attempts).toEqual([0, 1, 3, 7, 15, 31, 63, 123]);
    expect(retryDelayMinutes(10, 60)).toBe(60);
    const warnings = logs.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.level === 40);
    expect(warnings).toHaveLength(7);
    expect(warnings[0]!.msg).toBe("sync failed: prometheus: prom:9090: connection refused; retrying in 1 min");
    expect(logs.join("\n")).not.toContain('"stack"');
  });
});
