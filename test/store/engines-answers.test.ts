import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { benchOrg, benchRecordBatches } from "../../bench/org.js";
import { parseFileConfig, type FileConfig } from "../../src/config/file.js";
import { storeOptionsFrom } from "../../src/config/store-options.js";
import { METRIC_IDS, type MetricId } from "../../src/domain/metric-ids.js";
import type { VitalsRecord } from "../../src/domain/records.js";
import type { Scope } from "../../src/domain/scope.js";
import { questionRows } from "../../src/query/answer-rows.js";
import { answerQuestion } from "../../src/query/ask.js";
import { explainMetric } from "../../src/query/explain.js";
import { parseKpiQuestion } from "../../src/query/parse.js";
import { answerKpi } from "../../src/query/run.js";
import type { QueryContext } from "../../src/query/types.js";
import { demoConfigYaml } from "../../src/sources/demo/catalog.js";
import { demoRecordBatches } from "../../src/sources/demo/generate.js";
import { openDatabase } from "../../src/store/db.js";
import { createStore, type RecordWriteResult, type SqliteStore } from "../../src/store/index.js";
import { openPostgresStore, type PostgresStore } from "../../src/store/postgres/store.js";
import { startTestPostgres, type TestPostgres } from "../support/postgres.js";

// Issue 19 "Done when": the same generated organisation, written through the real write path into a
// SQLite store and a PostgreSQL store (the real server when TEST_DATABASE_URL is set, else PGlite),
// gives the same answer to every question: every metric × scope × window, drivers, findings and series
// included, compared exactly (a `--json` answer carries unrounded values), and the same WriteStats for
// every batch on the way in.

const NOW = Date.parse("2026-03-20T12:00:00Z");
const DAY = 86_400_000;

interface Dataset {
  readonly name: string;
  readonly yaml: string;
  readonly batches: () => Iterable<VitalsRecord[]>;
  /** Questions in the /kpi language, answered through answerQuestion and (metric ones) questionRows. */
  readonly questions: readonly string[];
  /** A team whose time zone is not UTC: its calendar windows and weeks start at its own midnight. */
  readonly zonedTeam: string;
}

// The demo has 200 days, so the 90-day windows, their previous windows and the 12-week series are all
// full. The bench org at its smallest (20 services, every team in another zone) has 60: its longer
// windows are partly empty, and a write of its 20 services a day costs seconds on PGlite.
const BENCH = { nowMs: NOW, scale: 0.02, days: 60 };
const bench = benchOrg(BENCH);

const DATASETS: readonly Dataset[] = [
  {
    name: "demo",
    yaml: demoConfigYaml(),
    batches: () => demoRecordBatches({ nowMs: NOW, seed: 42, days: 200 }),
    questions: [
      "dora last month for payments",
      "lead time this quarter for platform vs last quarter",
      "cfr last 30d for checkout",
      "mttr last 12w",
      "uptime last month for growth",
      "latency p95 last 3 months for gateway vs last year",
      "summary this year",
      "explain cfr",
    ],
    zonedTeam: "payments",
  },
  {
    name: "bench",
    yaml: bench.configYaml,
    batches: () => benchRecordBatches(bench, BENCH),
    questions: ["dora last month for team-02", "cfr last 90d for svc-003 vs last year", "mtta last quarter", "coverage this month for team-01", "explain mttr"],
    zonedTeam: "team-02",
  },
];

interface Window {
  readonly label: string;
  readonly fromMs: number;
  readonly toMs: number;
}

const WINDOWS: readonly Window[] = [
  { label: "last 7 days", fromMs: NOW - 7 * DAY, toMs: NOW },
  { label: "last 30 days", fromMs: NOW - 30 * DAY, toMs: NOW },
  { label: "last 90 days", fromMs: NOW - 90 * DAY, toMs: NOW },
  { label: "2026-02-01 to 2026-02-28", fromMs: Date.parse("2026-02-01T00:00:00Z"), toMs: Date.parse("2026-03-01T00:00:00Z") },
];

/** "last month" as the /kpi language reads it for `team`: the calendar month in the team's zone. */
function zonedWindow(config: FileConfig, team: string, services: readonly string[]): Window {
  const parsed = parseKpiQuestion(`cfr last month for ${team}`, { nowMs: NOW, config, services });
  if (!parsed.ok || parsed.value.kind !== "metric") throw new Error(`zoned window for ${team}: ${parsed.ok ? parsed.value.kind : parsed.error}`);
  const { window, windowLabel } = parsed.value.request;
  return { label: `${windowLabel} (${team})`, fromMs: window.fromMs, toMs: window.toMs };
}

function scopesOf(config: FileConfig): Scope[] {
  const services = config.services.map((s) => s.id).sort().slice(0, 4);
  return [
    { kind: "org", id: null },
    ...config.teams.map((t): Scope => ({ kind: "team", id: t.id })),
    ...services.map((id): Scope => ({ kind: "service", id })),
    { kind: "service", id: "no-such-service" },
  ];
}

interface Pair {
  readonly config: FileConfig;
  readonly sqlite: SqliteStore;
  readonly postgres: PostgresStore;
  readonly server: TestPostgres;
  /** Per batch, the two write results (incident ids as their natural keys: the engines number rows apart). */
  readonly writes: { sqlite: unknown[]; postgres: unknown[] };
}

const sqliteIncidentKeys = (store: SqliteStore, ids: readonly number[]): string[] =>
  ids.map((id) => store.db.prepare<[number], { key: string }>("SELECT source || '/' || external_id AS key FROM incidents WHERE id = ?").get(id)!.key);

async function postgresIncidentKeys(store: PostgresStore, ids: readonly number[]): Promise<string[]> {
  const { rows } = await store.pool.query<{ id: string; key: string }>("SELECT id::text AS id, source || '/' || external_id AS key FROM incidents WHERE id = ANY($1::bigint[])", [ids]);
  const byId = new Map(rows.map((r) => [Number(r.id), r.key]));
  return ids.map((id) => byId.get(id)!);
}

const withKeys = (result: RecordWriteResult, keys: string[]): unknown => ({ ...result, changedIncidentIds: keys });

async function openPair(dataset: Dataset): Promise<Pair> {
  const config = parseFileConfig(dataset.yaml, `${dataset.name}.yml`);
  const options = storeOptionsFrom(config);
  const sqlite = createStore(openDatabase(":memory:"), options);
  const server = await startTestPostgres();
  // PGlite serves one connection at a time (support/postgres.ts).
  const postgres = await openPostgresStore(server.url, options, { onIdleError: () => {}, ...(server.engine === "pglite" ? { maxConnections: 1 } : {}) });
  sqlite.catalog.syncFromConfig(config);
  await postgres.catalog.syncFromConfig(config);
  const writes = { sqlite: [] as unknown[], postgres: [] as unknown[] };
  for (const batch of dataset.batches()) {
    const onSqlite = sqlite.write(batch);
    const onPostgres = await postgres.write(batch);
    writes.sqlite.push(withKeys(onSqlite, sqliteIncidentKeys(sqlite, onSqlite.changedIncidentIds)));
    writes.postgres.push(withKeys(onPostgres, await postgresIncidentKeys(postgres, onPostgres.changedIncidentIds)));
  }
  return { config, sqlite, postgres, server, writes };
}

describe.each(DATASETS)("$name organisation on SQLite and PostgreSQL", (dataset) => {
  let pair: Pair;
  let ctx: { sqlite: QueryContext; postgres: QueryContext };
  let windows: readonly Window[];

  beforeAll(async () => {
    pair = await openPair(dataset);
    ctx = { sqlite: { store: pair.sqlite, config: pair.config, nowMs: NOW }, postgres: { store: pair.postgres, config: pair.config, nowMs: NOW } };
    windows = [...WINDOWS, zonedWindow(pair.config, dataset.zonedTeam, pair.config.services.map((s) => s.id))];
  }, 300_000);

  afterAll(async () => {
    pair?.sqlite.close();
    await pair?.postgres.close();
    await pair?.server.close();
  });

  it("reports the same write results for every batch", () => {
    expect(pair.writes.postgres).toStrictEqual(pair.writes.sqlite);
    // Not vacuous: the data went in.
    expect(pair.writes.sqlite.length).toBeGreaterThan(5);
  });

  it.each(METRIC_IDS)("answers %s the same for every scope and window", async (metric: MetricId) => {
    const onSqlite: Record<string, unknown> = {};
    const onPostgres: Record<string, unknown> = {};
    let answered = 0;
    for (const scope of scopesOf(pair.config))
      for (const w of windows) {
        const key = `${scope.kind}:${scope.id ?? "-"} ${w.label}`;
        const request = { metric, scope, window: { fromMs: w.fromMs, toMs: w.toMs }, windowLabel: w.label };
        const a = await answerKpi(ctx.sqlite, request);
        onSqlite[key] = a;
        onPostgres[key] = await answerKpi(ctx.postgres, request);
        if (a.value !== null) answered++;
      }
    expect(onPostgres).toStrictEqual(onSqlite);
    // Not vacuous: most of the questions have an answer.
    expect(answered).toBeGreaterThan(Object.keys(onSqlite).length / 2);
  }, 120_000);

  it("explains every metric the same", async () => {
    for (const metric of METRIC_IDS) expect(await explainMetric(ctx.postgres, metric)).toStrictEqual(await explainMetric(ctx.sqlite, metric));
  });

  it("answers questions and gives the rows behind them the same", async () => {
    const services = pair.config.services.map((s) => s.id);
    let rows = 0;
    for (const text of dataset.questions) {
      const parsed = parseKpiQuestion(text, { nowMs: NOW, config: pair.config, services });
      if (!parsed.ok) throw new Error(`${text}: ${parsed.error}`);
      expect(await answerQuestion(ctx.postgres, parsed.value), text).toStrictEqual(await answerQuestion(ctx.sqlite, parsed.value));
      const onSqlite = await questionRows(ctx.sqlite, parsed.value);
      expect(await questionRows(ctx.postgres, parsed.value), text).toStrictEqual(onSqlite);
      if (onSqlite.ok) rows += onSqlite.table.rows.length;
    }
    expect(rows).toBeGreaterThan(100);
  }, 120_000);
});
