import type { AppDeps } from "../../src/app-deps.js";
import { withSlackSettings } from "../../src/app/root.js";
import { parseEnv } from "../../src/config/env.js";
import { parseFileConfig, type FileConfig } from "../../src/config/file.js";
import type { MetricId } from "../../src/domain/metric-ids.js";
import { METRICS } from "../../src/metrics/catalog.js";
import type { Scope } from "../../src/domain/scope.js";
import type { KpiEngine, ThresholdEvaluation } from "../../src/query/engine.js";
import { silentLogger } from "../../src/log.js";
import { kpiAnswer } from "../support/answer.js";
import type { KpiAnswer } from "../../src/domain/answer.js";
import type { KpiRequest } from "../../src/query/types.js";
import { createStore, type SqliteStore } from "../../src/store/index.js";
import { openDatabase } from "../../src/store/db.js";

// Small factories for the jobs' tests: a :memory: store with the config's catalog, deps with a
// movable clock, and a KPI engine that answers from a script (to walk a value across thresholds
// step by step; the engine's own tests are in test/metrics and test/query).

export const CONFIG_YAML = `
timezone: UTC
teams:
  - id: payments
    name: Payments
    channel: C0PAYMENTS
    timezone: Europe/Berlin
    services: [payments-api, ledger]
  - id: growth
    name: Growth
    channel: C0GROWTH1
    timezone: America/New_York
    services: [web]
    digest: { day: tuesday, time: "10:30" }
thresholds:
  - { metric: change_failure_rate, warn: 10, critical: 15 }
alerts: { reminder_hours: 24, hysteresis_pct: 10 }
`;

export function testConfig(yaml = CONFIG_YAML): FileConfig {
  return parseFileConfig(yaml, "test.yml");
}

export interface TestDeps extends AppDeps {
  setNow(ms: number): void;
}

export function testDeps(config: FileConfig = testConfig(), store?: SqliteStore, startMs = Date.parse("2026-03-02T08:00:00Z")): TestDeps {
  let now = startMs;
  const s = store ?? createStore(openDatabase(":memory:"));
  s.catalog.syncFromConfig(config);
  // Built as the app builds its deps (src/app/root.ts): settings changed from Slack apply to `config`.
  const deps = withSlackSettings({ store: s, config, env: parseEnv({}), logger: silentLogger(), now: () => now });
  return Object.assign(deps, { setNow: (ms: number) => void (now = ms) });
}

export interface ScriptedEngine extends KpiEngine {
  readonly requests: KpiRequest[];
  /** The threshold evaluations the next evaluateThresholds call returns. */
  evaluations: ThresholdEvaluation[];
}

/** An engine answering every metric with `answerFor` (default: the factory above). */
export function scriptedEngine(answerFor: (request: KpiRequest) => KpiAnswer = (r) => kpiAnswer(r.metric)): ScriptedEngine {
  const engine: ScriptedEngine = {
    requests: [],
    evaluations: [],
    answerKpi(_ctx, request) {
      engine.requests.push(request);
      return Promise.resolve(answerFor(request));
    },
    evaluateThresholds() {
      return Promise.resolve(engine.evaluations);
    },
  };
  return engine;
}

export function evaluation(metric: MetricId, scope: Scope, value: number | null, warn: number, critical: number): ThresholdEvaluation {
  const direction = METRICS[metric].direction;
  const worse = (a: number, b: number) => (direction === "higher_is_worse" ? a >= b : a <= b);
  const status = value === null ? null : worse(value, critical) ? "critical" : worse(value, warn) ? "warn" : "ok";
  return {
    metric,
    scope,
    status,
    value,
    warn,
    critical,
    answer: kpiAnswer(metric, {
      value,
      scope: { kind: scope.kind, id: scope.id },
      threshold: { status, warn, critical },
      drivers: [{ kind: "service", label: "payments-api", contribution: 3, share: 0.75, detail: "3 of 4 failures" }],
      prompts: ["Did Friday deploys change?"],
    }),
  };
}
