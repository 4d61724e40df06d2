import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseFileConfig, type FileConfig } from "../src/config/file.js";
import { METRIC_IDS, type MetricId } from "../src/domain/metric-ids.js";
import type { VitalsRecord } from "../src/domain/records.js";
import { renderQuestionResult } from "../src/present/answer-text.js";
import { answerQuestion } from "../src/query/ask.js";
import { parseKpiQuestion, zoneOf } from "../src/query/parse.js";
import { openDatabase } from "../src/store/db.js";
import { createStore, type SqliteStore, type Store } from "../src/store/index.js";
import { benchOrg, benchRecordBatches, type BenchOrg } from "./org.js";

// `vitals bench` (issue 3): build a large org in a temp database through the store's own write
// path (which gives the import rate), then time `ask` — parse, answer (value, previous window,
// 12-week series, drivers, prompts) and text rendering — for every metric at org, team and service
// scope. Targets on a 2-core machine: < 100 ms at org (and team) scope, < 30 ms for a service.

export const TARGET_MS = { org: 100, team: 100, service: 30 } as const;
export type ScopeKind = keyof typeof TARGET_MS;

export interface BenchOptions {
  readonly nowMs: number;
  readonly scale: number;
  /** Timed answers per metric and scope (the median is reported). */
  readonly runs: number;
  /** Days of records per store.write call (a backfill writes in chunks like this). */
  readonly daysPerBatch?: number;
  readonly keepDatabase?: boolean;
  readonly progress?: (line: string) => void;
}

export interface BenchResult {
  readonly databasePath: string;
  readonly rows: { deployments: number; changes: number; incidents: number; samples: number; services: number; teams: number };
  readonly import: { records: number; seconds: number; recordsPerSecond: number };
  readonly answers: { metric: MetricId; org: number; team: number; service: number }[];
  readonly peakRssMb: number;
  /** 1-minute load average when the answers were timed (the machine may be shared). */
  readonly loadAverage: number;
  /** "lead_time at service scope: 41.2 ms (target < 30 ms)", … */
  readonly misses: string[];
}

export async function runBench(options: BenchOptions): Promise<BenchResult> {
  const progress = options.progress ?? (() => {});
  const dir = mkdtempSync(join(tmpdir(), "vitals-bench-"));
  const databasePath = join(dir, "bench.db");
  const org = benchOrg({ nowMs: options.nowMs, scale: options.scale });
  const config = parseFileConfig(org.configYaml, "bench.yml");
  const store = createStore(openDatabase(databasePath), {
    productionEnvironment: config.production_environment,
    attributionWindowMs: config.metrics.attribution_window_hours * 3_600_000,
  });
  try {
    store.catalog.syncFromConfig(config);
    progress(`Generating and importing ${org.days} days for ${org.services.length} services in ${org.teams.length} teams into ${databasePath} …`);
    const imported = importOrg(store, org, options, progress);
    const rows = countRows(store, org);
    progress(`Imported ${imported.records.toLocaleString("en-US")} records in ${imported.seconds.toFixed(1)} s; timing answers …`);
    const times = await timeAnswers(store, config, org, options);
    const answers = METRIC_IDS.map((metric) => ({
      metric,
      org: median(times.get(`${metric}:org`)!),
      team: median(times.get(`${metric}:team`)!),
      service: median(times.get(`${metric}:service`)!),
    }));
    const misses = answers.flatMap((a) =>
      (["org", "team", "service"] as const).filter((scope) => a[scope] >= TARGET_MS[scope]).map((scope) => `${a.metric} at ${scope} scope: ${a[scope].toFixed(1)} ms (target < ${TARGET_MS[scope]} ms)`),
    );
    return { databasePath, rows, import: imported, answers, peakRssMb: process.resourceUsage().maxRSS / 1024, loadAverage: loadavg()[0] ?? 0, misses };
  } finally {
    store.close();
    if (!options.keepDatabase) rmSync(dir, { recursive: true, force: true });
  }
}

function importOrg(store: SqliteStore, org: BenchOrg, options: BenchOptions, progress: (line: string) => void) {
  const per = options.daysPerBatch ?? 7;
  let pending: VitalsRecord[] = [];
  let records = 0;
  let days = 0;
  const started = performance.now();
  const flush = () => {
    if (pending.length === 0) return;
    store.write(pending);
    records += pending.length;
    pending = [];
  };
  for (const batch of benchRecordBatches(org, { nowMs: options.nowMs, scale: options.scale })) {
    for (const record of batch) pending.push(record);
    if (++days % per === 0) flush();
    if (days % 90 === 0) progress(`  … ${days} of ${org.days} days, ${records.toLocaleString("en-US")} records`);
  }
  flush();
  const seconds = (performance.now() - started) / 1000;
  return { records, seconds, recordsPerSecond: records / seconds };
}

// Row counts straight from the SQLite file the bench writes.
function countRows(store: SqliteStore, org: BenchOrg): BenchResult["rows"] {
  const count = (table: string) => (store.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  return { deployments: count("deployments"), changes: count("changes"), incidents: count("incidents"), samples: count("samples"), services: org.services.length, teams: org.teams.length };
}

/**
 * Milliseconds per `ask` (default window: last 30 days) by "metric:scope", rotating through teams
 * and services. One untimed round first (compiled code and database pages warm, as in a running
 * app), then the timed rounds interleaved: each round asks every metric at every scope once, so a
 * burst of load on a shared machine spreads over all figures instead of landing on one.
 */
async function timeAnswers(store: Store, config: FileConfig, org: BenchOrg, options: BenchOptions): Promise<Map<string, number[]>> {
  const services = (await store.catalog.services()).map((s) => s.id);
  const times = new Map<string, number[]>();
  const ask = async (metric: MetricId, scope: ScopeKind, run: number): Promise<number> => {
    const target = scope === "org" ? "" : scope === "team" ? ` for team ${org.teams[run % org.teams.length]!.id}` : ` for service ${org.services[(run * 37) % org.services.length]!.id}`;
    const started = performance.now();
    const parsed = parseKpiQuestion(`${metric} last 30 days${target}`, { nowMs: options.nowMs, config, services });
    if (!parsed.ok) throw new Error(`bench question did not parse: ${parsed.error}`);
    const result = await answerQuestion({ store, config, nowMs: options.nowMs }, parsed.value);
    const q = parsed.value;
    renderQuestionResult(result, { zone: q.kind === "metric" ? zoneOf(q.request.scope, config) : config.timezone });
    return performance.now() - started;
  };
  const scopes: ScopeKind[] = ["org", "team", "service"];
  for (const metric of METRIC_IDS) for (const scope of scopes) await ask(metric, scope, options.runs);
  for (let run = 0; run < options.runs; run++) {
    for (const metric of METRIC_IDS) {
      for (const scope of scopes) {
        const key = `${metric}:${scope}`;
        const list = times.get(key) ?? [];
        list.push(await ask(metric, scope, run));
        times.set(key, list);
      }
    }
  }
  return times;
}

function availableCores(): number {
  return cpus().length;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The figures as a plain-text table (also pasted into the README's performance section). */
export function formatBench(result: BenchResult, options: Pick<BenchOptions, "scale" | "runs">): string {
  const r = result.rows;
  const n = (v: number) => Math.round(v).toLocaleString("en-US");
  const ms = (v: number, target: number) => `${v.toFixed(1).padStart(7)}${v < target ? " " : "!"}`;
  const lines = [
    `Org: ${r.services} services in ${r.teams} teams, 2 years (scale ${options.scale}): ${n(r.deployments)} deployments + ${n(r.changes)} changes = ${n(r.deployments + r.changes)} rows, ${n(r.incidents)} incidents, ${n(r.samples)} samples`,
    `Import: ${n(result.import.records)} records in ${result.import.seconds.toFixed(1)} s = ${n(result.import.recordsPerSecond)} records/s (store.write, 7-day batches)`,
    `Peak RSS: ${n(result.peakRssMb)} MB; load average ${result.loadAverage.toFixed(1)} on ${availableCores()} cores while timing answers`,
    `Median ms per answer over ${options.runs} interleaved runs after a warm-up round (value + previous window + 12-week series + drivers + prompts + text); targets < ${TARGET_MS.org} org/team, < ${TARGET_MS.service} service; "!" = missed`,
    `  ${"metric".padEnd(22)} ${"org".padStart(8)} ${"team".padStart(8)} ${"service".padStart(8)}`,
    ...result.answers.map((a) => `  ${a.metric.padEnd(22)} ${ms(a.org, TARGET_MS.org)} ${ms(a.team, TARGET_MS.team)} ${ms(a.service, TARGET_MS.service)}`),
  ];
  lines.push(result.misses.length === 0 ? "All targets met." : `Missed ${result.misses.length} target(s):\n${result.misses.map((m) => `  - ${m}`).join("\n")}`);
  return lines.join("\n");
}
