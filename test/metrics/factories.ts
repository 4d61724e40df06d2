import { fileConfigSchema, type FileConfig } from "../../src/config/file.js";
import type { MetricId } from "../../src/domain/metric-ids.js";
import type { ChangeRecord, PullRequestInfo, VitalsRecord } from "../../src/domain/records.js";
import type { Scope, Window } from "../../src/domain/scope.js";
import { answerKpi } from "../../src/query/run.js";
import { openDatabase } from "../../src/store/db.js";
import { createStore, type Store } from "../../src/store/index.js";

// Small factories for metric tests: records go through store.write like real data.

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
/** Monday 2026-03-02 00:00 UTC. */
export const T0 = Date.parse("2026-03-02T00:00:00Z");
export const NOW = T0 + 30 * DAY;
export const LAST_30D: Window = { fromMs: NOW - 30 * DAY, toMs: NOW };

export function testConfig(extra: Record<string, unknown> = {}): FileConfig {
  return fileConfigSchema.parse({
    teams: [
      { id: "payments", name: "Payments", services: ["checkout", "ledger"] },
      { id: "platform", name: "Platform", timezone: "America/New_York", services: ["gateway"] },
    ],
    metrics: { min_sample_size: 2 },
    ...extra,
  });
}

export function newStore(config: FileConfig = testConfig()): Store {
  const store = createStore(openDatabase(":memory:"));
  store.catalog.syncFromConfig(config);
  return store;
}

let counter = 0;

export function deployment(p: { service?: string; at: number; id?: string; status?: "success" | "failure"; environment?: string; sha?: string; rollbackOf?: string; hotfix?: boolean; changes?: ChangeRecord[] }): VitalsRecord {
  return {
    kind: "deployment",
    source: "import",
    externalId: p.id ?? `d${++counter}`,
    service: p.service ?? "checkout",
    environment: p.environment ?? "production",
    status: p.status ?? "success",
    finishedAtMs: p.at,
    sha: p.sha,
    rollbackOf: p.rollbackOf,
    hotfix: p.hotfix,
    changes: p.changes,
  };
}

export const commit = (sha: string, committedAtMs: number, pr?: PullRequestInfo): ChangeRecord => ({ sha, committedAtMs, pr });

export function incident(p: { service?: string | null; created: number; ack?: number; resolved?: number; id?: string; title?: string; severity?: string; ref?: string }): VitalsRecord {
  return {
    kind: "incident",
    source: "import",
    externalId: p.id ?? `i${++counter}`,
    service: p.service === null ? undefined : (p.service ?? "checkout"),
    title: p.title ?? "incident",
    severity: p.severity,
    createdAtMs: p.created,
    acknowledgedAtMs: p.ack,
    resolvedAtMs: p.resolved,
    deploymentRef: p.ref,
  };
}

export function sample(p: { service?: string | null; name: Extract<VitalsRecord, { kind: "metric" }>["name"]; at: number; value: number }): VitalsRecord {
  return { kind: "metric", source: "import", service: p.service === null ? undefined : (p.service ?? "checkout"), name: p.name, atMs: p.at, value: p.value };
}

export function ask(store: Store, metric: MetricId, options: { scope?: Scope; window?: Window; config?: FileConfig; nowMs?: number } = {}) {
  return answerKpi(
    { store, config: options.config ?? testConfig(), nowMs: options.nowMs ?? NOW },
    { metric, scope: options.scope ?? { kind: "service", id: "checkout" }, window: options.window ?? LAST_30D, windowLabel: "last 30 days" },
  );
}
