import { collectDefaultMetrics, Counter, Gauge, Registry } from "prom-client";
import type { AppDeps } from "../app-deps.js";
import { METRIC_IDS, type MetricId } from "../domain/metric-ids.js";
import { askText } from "../query/ask-text.js";
import type { QueryContext } from "../query/types.js";
import type { Compute } from "../query/compute-queue.js";
import { checkBearer } from "./ingest.js";
import type { HttpRoute } from "./server.js";

// GET /metrics: every KPI over the last 30 days at every scope (organisation, each team, each
// service), sync health and the process's own metrics, in the Prometheus text format. A KPI is the
// read API's answer to "<metric> last 30 days [for team|service X]", computed ahead of time — at
// start-up, after each sync and every few minutes — each answer taking its turn on the compute
// queue; a scrape only formats the cached values. https://prometheus.io/docs/instrumenting/writing_exporters/

const METRICS_PATH = "/metrics";
const DEFAULT_REFRESH_EVERY_MS = 5 * 60_000;

type ScopeKind = "org" | "team" | "service";

interface KpiPoint {
  readonly metric: MetricId;
  readonly scopeKind: ScopeKind;
  readonly scope: string;
  readonly value: number;
  readonly sampleSize: number;
}

export interface KpiExporter {
  readonly registry: Registry;
  /** Recompute every KPI (queued behind a refresh already running). */
  refresh(): Promise<void>;
  /** The sync runner's hook: a sync run of `source` failed (for `failures` keys; default 1). */
  syncFailed(source: string, failures?: number): void;
  /** Refresh now and then every `refreshEveryMs`. */
  start(): void;
  stop(): void;
}

/** The question the read API answers for one gauge: the same text gives the same number. */
export function gaugeQuestion(metric: MetricId, kind: ScopeKind, id: string): string {
  return `${metric} last 30 days${kind === "org" ? "" : ` for ${kind} ${id}`}`;
}

export function createKpiExporter(deps: AppDeps, compute: Compute, options: { refreshEveryMs?: number } = {}): KpiExporter {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labelNames = ["metric", "scope_kind", "scope", "window"] as const;
  const value = new Gauge({ name: "vitals_kpi_value", help: "KPI headline over the window, in the metric's unit (docs/metrics.md)", labelNames, registers: [registry] });
  const sampleSize = new Gauge({ name: "vitals_kpi_sample_size", help: "Items the KPI headline is computed from (sample_size)", labelNames, registers: [registry] });
  const refreshedAt = new Gauge({ name: "vitals_kpi_refreshed_timestamp_seconds", help: "When the KPI gauges were last computed", registers: [registry] });
  const syncSuccess = new Gauge({ name: "vitals_sync_last_success_timestamp_seconds", help: "Last successful sync of a source (sync_cursors)", labelNames: ["source"], registers: [registry] });
  const syncErrors = new Counter({ name: "vitals_sync_errors_total", help: "Failed scheduled syncs of a source since the process started (one per failing repository, service or key)", labelNames: ["source"], registers: [registry] });

  const computeAll = async (): Promise<void> => {
    const nowMs = deps.now();
    const config = deps.config;
    const scopes: Array<{ kind: ScopeKind; id: string }> = [
      { kind: "org", id: "" },
      ...config.teams.map((t) => ({ kind: "team" as const, id: t.id })),
      ...(await deps.store.catalog.services()).map((s) => ({ kind: "service" as const, id: s.id })),
    ];
    const points: KpiPoint[] = [];
    for (const scope of scopes) {
      for (const metric of METRIC_IDS) {
        // One answer per turn: Slack's acknowledgements and other reads pass between them.
        const point = await compute(async () => {
          const ctx: QueryContext = { store: deps.store, config, nowMs };
          const asked = await askText(ctx, gaugeQuestion(metric, scope.kind, scope.id));
          if (!asked.ok || asked.result.kind !== "answer") return undefined;
          const answer = asked.result.answer;
          return answer.value === null ? undefined : { metric, scopeKind: scope.kind, scope: scope.id, value: answer.value, sampleSize: answer.sample_size };
        });
        if (point) points.push(point);
      }
    }
    // Swapped in at once: a scrape sees the previous refresh or this one, never half of each.
    value.reset();
    sampleSize.reset();
    for (const p of points) {
      const labels = { metric: p.metric, scope_kind: p.scopeKind, scope: p.scope, window: "last_30d" };
      value.set(labels, p.value);
      sampleSize.set(labels, p.sampleSize);
    }
    const lastSuccess = new Map<string, number>();
    for (const cursor of await deps.store.syncState.cursors()) {
      syncErrors.inc({ source: cursor.source }, 0);
      if (cursor.last_success_at !== null) lastSuccess.set(cursor.source, Math.max(lastSuccess.get(cursor.source) ?? 0, cursor.last_success_at));
    }
    syncSuccess.reset();
    for (const [source, atMs] of lastSuccess) syncSuccess.set({ source }, atMs / 1000);
    refreshedAt.set(nowMs / 1000);
  };

  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const refresh = (): Promise<void> => {
    running = running.then(computeAll).catch((error: unknown) => {
      // The previous values stay; the next refresh tries again.
      deps.logger.error({ err: error, job: "metrics-exporter" }, "KPI gauges refresh failed");
    });
    return running;
  };
  return {
    registry,
    refresh,
    syncFailed: (source, failures = 1) => syncErrors.inc({ source }, failures),
    start() {
      void refresh();
      timer = setInterval(() => void refresh(), options.refreshEveryMs ?? DEFAULT_REFRESH_EVERY_MS);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}

/** The scrape endpoint: open unless VITALS_METRICS_TOKEN is set. */
export function metricsRoute(deps: AppDeps, exporter: KpiExporter): HttpRoute {
  return {
    method: "GET",
    path: METRICS_PATH,
    async handle(request) {
      if (deps.env.VITALS_METRICS_TOKEN) {
        const denied = checkBearer(request, deps.env.VITALS_METRICS_TOKEN, { setting: "VITALS_METRICS_TOKEN", api: "/metrics" });
        if (denied) return denied;
      }
      return { status: 200, body: await exporter.registry.metrics(), headers: { "content-type": exporter.registry.contentType } };
    },
  };
}
