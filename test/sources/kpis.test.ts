import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AppDeps } from "../../src/app-deps.js";
import type { MetricId } from "../../src/domain/metric-ids.js";
import { DAY_MS, ORG, type Scope } from "../../src/domain/scope.js";
import { answerKpi } from "../../src/query/run.js";
import { parseFocusCost } from "../../src/sources/files/cost.js";
import { prometheusSource } from "../../src/sources/prometheus/index.js";
import { sonarSource } from "../../src/sources/sonar/index.js";
import { startFakePrometheus, type FakePrometheus } from "../fakes/prometheus/server.js";
import { startFakeSonar, type FakeSonar } from "../fakes/sonar/server.js";
import { sourcesDeps } from "./helpers.js";

// The samples these sources store are the ones the KPI engine reads: an end-to-end check that
// names, units and scopes line up (the engine's own maths is tested with the METRICS code).

const NOW = Date.parse("2026-05-04T09:30:00Z");
const window = { fromMs: Date.parse("2026-05-01T00:00:00Z"), toMs: Date.parse("2026-05-04T00:00:00Z") };
const checkout: Scope = { kind: "service", id: "checkout" };

let prom: FakePrometheus;
let sonar: FakeSonar;
let deps: AppDeps;

beforeEach(async () => {
  prom = await startFakePrometheus();
  sonar = await startFakeSonar("squ_token_for_tests");
  deps = sourcesDeps({ PROMETHEUS_URL: prom.url, SONAR_URL: sonar.url, SONAR_TOKEN: "squ_token_for_tests" }, undefined, NOW);
});

afterEach(async () => {
  await Promise.all([prom.close(), sonar.close()]);
  await deps.store.close();
});

const value = async (metric: MetricId, scope: Scope = checkout) => (await answerKpi({ store: deps.store, config: deps.config, nowMs: NOW }, { metric, scope, window, windowLabel: "3 days" })).value;

describe("KPIs answered from the sources' samples", () => {
  it("error rate and P95 latency from Prometheus, coverage and debt ratio from SonarQube", async () => {
    const daily = (v: number) => ({ at: () => v });
    prom.series('sum(increase(http_requests_total{job="checkout"}[1d]))', daily(10_000));
    prom.series('sum(increase(http_requests_total{job="checkout",code=~"5.."}[1d]))', daily(25));
    prom.series('histogram_quantile(0.95, sum by (le) (increase(http_request_duration_seconds_bucket{job="checkout"}[1d])))', daily(0.25));
    sonar.project("acme_checkout", [
      { date: "2026-05-01T10:00:00+0000", measures: { coverage: "70.0", sqale_debt_ratio: "5.0" } },
      { date: "2026-05-03T10:00:00+0000", measures: { coverage: "72.5", sqale_debt_ratio: "4.5" } },
    ]);
    await prometheusSource.sync(deps, { backfillDays: 3 });
    await sonarSource.sync(deps);
    expect(await value("error_rate")).toBeCloseTo(0.25, 6);
    expect(await value("latency_p95")).toBe(250);
    expect(await value("coverage")).toBe(72.5);
    expect(await value("tech_debt_ratio")).toBe(4.5);
  });

  it("cost per user from a FOCUS export and pushed active users", async () => {
    const focus = readFileSync(new URL("../fixtures/cost/focus.csv", import.meta.url), "utf8");
    const parsed = parseFocusCost(focus, "focus.csv", { serviceTag: "service", knownServices: ["checkout", "search", "web"] });
    if (!parsed.ok) throw new Error(parsed.problems.join("\n"));
    const users = [0, 1, 2].map((d) => ({ kind: "metric" as const, source: "api" as const, name: "active_users" as const, atMs: window.fromMs + d * DAY_MS, untilMs: window.fromMs + (d + 1) * DAY_MS, value: 1000 }));
    await deps.store.write([...parsed.records, ...users]);
    // $43.30 over 3 days → $433 a month, ÷ 1000 users.
    expect(await value("cost_per_user", ORG)).toBeCloseTo(0.433, 4);
  });
});
