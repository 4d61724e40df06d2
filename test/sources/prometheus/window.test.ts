import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AppDeps } from "../../../src/app-deps.js";
import { prometheusWindow } from "../../../src/sources/prometheus/window.js";
import { startFakePrometheus, type FakePrometheus } from "../../fakes/prometheus/server.js";
import { sourcesDeps } from "../helpers.js";

let prom: FakePrometheus;
let deps: AppDeps;

beforeEach(async () => {
  prom = await startFakePrometheus();
  deps = sourcesDeps({ PROMETHEUS_URL: prom.url });
});

afterEach(async () => {
  await prom.close();
  await deps.store.close();
});

const window = { fromMs: Date.parse("2026-04-25T00:00:00Z"), toMs: Date.parse("2026-05-04T00:00:00Z") }; // 9 days = 777600s

describe("exact values for a window from Prometheus", () => {
  it("evaluates the increase over the whole window once, at its end", async () => {
    const at = (v: number) => ({ at: (t: number) => (t === window.toMs / 1000 ? v : undefined) });
    prom.series('sum(increase(http_requests_total{job="checkout"}[777600s]))', at(1_000_000));
    prom.series('sum(increase(http_requests_total{job="checkout",code=~"5.."}[777600s]))', at(2_345));
    prom.series('histogram_quantile(0.95, sum by (le) (increase(http_request_duration_seconds_bucket{job="checkout"}[777600s])))', at(0.2875));
    const values = await prometheusWindow(deps, "checkout", window);
    expect(values).toEqual({
      service: "checkout",
      requests: 1_000_000,
      errors: 2345,
      errorRatePct: 0.23,
      latencyP95Ms: 287.5,
      uptimePct: null,
      queries: [
        'sum(increase(http_requests_total{job="checkout"}[777600s]))',
        'sum(increase(http_requests_total{job="checkout",code=~"5.."}[777600s]))',
        'histogram_quantile(0.95, sum by (le) (increase(http_request_duration_seconds_bucket{job="checkout"}[777600s])))',
      ],
    });
    expect(prom.requests.every((r) => r.path === "/api/v1/query" && r.params["time"] === String(window.toMs / 1000))).toBe(true);
  });

  it("answers null, not zero, when there is no data", async () => {
    const values = await prometheusWindow(deps, "checkout", window);
    expect(values).toMatchObject({ requests: null, errors: null, errorRatePct: null, latencyP95Ms: null });
  });

  it("refuses a service without a prometheus section", async () => {
    await expect(prometheusWindow(deps, "web", window)).rejects.toThrow('service "web" has no prometheus section in the config file');
  });
});
