import { sourceHost, type SourceFailure } from "../errors.js";
import type { AppDeps } from "../../app-deps.js";
import type { ServiceConfig } from "../../config/file.js";
import { DAY_MS } from "../../domain/scope.js";
import type { VitalsRecord } from "../../domain/records.js";
import type { SyncOptions, SyncReport, SyncSource } from "../types.js";
import { createPrometheusClient, PrometheusError, type PrometheusClient } from "./client.js";
import { serviceQueries, type PromConfig, type ServiceQuery } from "./queries.js";

// `vitals sync prometheus` and the scheduled sync: one sample per service, query and complete UTC
// day (requests, errors, P95 latency, and availability when configured), from a range query with a
// one-day step. Only complete days are stored, so a sample never changes after it is written and a
// re-run writes nothing new. Each service's days are written with its cursor in one transaction;
// a failing service is recorded and reported, its stored data left as it was.

const SOURCE = "prometheus";
const STEP_S = DAY_MS / 1000;

export const prometheusSource: SyncSource = {
  name: "prometheus",
  configured: ({ env, config }) => Boolean(env.PROMETHEUS_URL) && config.services.some((s) => s.prometheus),
  sync: syncPrometheus,
};

type Target = ServiceConfig & { prometheus: PromConfig };

async function syncPrometheus(deps: AppDeps, options: SyncOptions = {}): Promise<SyncReport> {
  const report = { source: SOURCE, fetched: 0, inserted: 0, updated: 0, unchanged: 0, notes: [] as string[], failures: [] as SourceFailure[] };
  if (!deps.env.PROMETHEUS_URL) return { ...report, notes: ["Prometheus is not configured: set PROMETHEUS_URL"] };
  const targets = deps.config.services.filter((s): s is Target => s.prometheus !== undefined);
  if (targets.length === 0) return { ...report, notes: ["no service in the config file has a prometheus section"] };
  const client = createPrometheusClient(deps.env.PROMETHEUS_URL, options.signal);
  // The last complete UTC day ends at today's midnight.
  const endMs = Math.floor(deps.now() / DAY_MS) * DAY_MS;

  for (const service of targets) {
    if (options.signal?.aborted) break;
    const log = deps.logger.child({ source: SOURCE, service: service.id });
    const cursor = (await deps.store.syncState.cursor(SOURCE, service.id))?.cursor;
    const days = options.backfillDays ?? (cursor ? undefined : deps.config.prometheus.backfill_days);
    const startMs = days !== undefined ? endMs - days * DAY_MS : Date.parse(cursor!);
    try {
      const { records, notes } = startMs < endMs ? await fetchDays(client, service, startMs, endMs) : { records: [], notes: [] };
      // The samples and the cursor past them are one unit of work.
      const cursorAfter = { source: SOURCE, key: service.id, cursor: new Date(endMs).toISOString(), etag: null, atMs: deps.now() };
      const result = (await deps.store.write(records, { cursor: cursorAfter })).samples;
      report.fetched += records.length;
      report.inserted += result.inserted;
      report.updated += result.updated;
      report.unchanged += result.unchanged;
      report.notes.push(...notes);
      log.info({ samples: records.length, ...result }, "Prometheus sync done");
    } catch (error) {
      const message = error instanceof PrometheusError ? error.message : (error as Error).message;
      await deps.store.syncState.recordFailure(SOURCE, service.id, message, deps.now());
      log.error({ err: error }, "Prometheus sync failed");
      report.notes.push(`failed: ${service.id}: ${message}; its stored data is unchanged`);
      report.failures.push({ source: SOURCE, host: sourceHost(SOURCE, deps.env), cause: message, subject: service.id });
    }
  }
  return report;
}

/** Evaluations at each midnight t in (start, end] cover the day before t: [t - 1d, t). */
async function fetchDays(client: PrometheusClient, service: Target, startMs: number, endMs: number): Promise<{ records: VitalsRecord[]; notes: string[] }> {
  const records: VitalsRecord[] = [];
  const notes: string[] = [];
  for (const query of serviceQueries(service.prometheus, "1d")) {
    const series = await client.queryRange(query.promql, startMs / 1000 + STEP_S, endMs / 1000, STEP_S);
    if (series.length === 0) {
      notes.push(`${service.id}: no ${query.kind} data from ${query.promql}`);
      continue;
    }
    if (series.length > 1) {
      throw new PrometheusError(`the ${query.kind} query returned ${series.length} series, expected one: aggregate it, e.g. sum(...) (query: ${query.promql})`);
    }
    for (const [timeS, raw] of series[0]!.values) {
      const value = sampleValue(query, raw, service.id, timeS);
      // NaN: no requests that day, so no quantile; not a zero.
      if (value === undefined) continue;
      const untilMs = Math.round(timeS * 1000);
      records.push({ kind: "metric", source: "prometheus", service: service.id, name: query.sample, atMs: untilMs - DAY_MS, untilMs, value });
    }
  }
  return { records, notes };
}

function sampleValue(query: ServiceQuery, raw: string, service: string, timeS: number): number | undefined {
  const value = Number(raw);
  if (!Number.isFinite(value)) return undefined;
  if (query.kind === "availability" && (value < 0 || value > 1)) {
    const day = new Date(timeS * 1000 - DAY_MS).toISOString().slice(0, 10);
    throw new PrometheusError(`${service}: availability on ${day} was ${raw}: expected a ratio from 0 to 1 (query: ${query.promql})`);
  }
  if (value < 0) throw new PrometheusError(`${service}: the ${query.kind} query returned ${raw}: expected a count of 0 or more (query: ${query.promql})`);
  return Math.round(value * query.scale * 1000) / 1000;
}
