import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseFileConfig, type FileConfig } from "../../src/config/file.js";
import { storeOptionsFrom } from "../../src/config/store-options.js";
import { buildFrame, offsetSegments, type Frame } from "../../src/metrics/frame.js";
import { demoConfigYaml } from "../../src/sources/demo/catalog.js";
import { demoRecordBatches } from "../../src/sources/demo/generate.js";
import { openDatabase } from "../../src/store/db.js";
import { createStore, type SqliteStore } from "../../src/store/index.js";
import { metricReadOps, type MetricReadOps, type ScopeServices, type SqliteMetricReads } from "../../src/store/metric-reads.js";
import { copySqliteToPostgres } from "../../src/store/postgres/copy.js";
import { createPool } from "../../src/store/postgres/pool.js";
import { postgresRunner } from "../../src/store/postgres/runner.js";
import { bindOps, type AsyncOps } from "../../src/store/sql/bind.js";
import { POSTGRES, SQLITE } from "../../src/store/sql/dialect.js";
import { startTestPostgres, type TestPostgres } from "../support/postgres.js";

// Every metric read, on the demo organisation, answers the same on PostgreSQL as on SQLite (issue
// 19): the SQLite store is written through its write path, copied table by table, and each read is
// called with several frames, org-wide and with scoped service lists. Equal means deeply equal:
// every number exact, rows in the same order, typed arrays element by element.

const NOW = Date.parse("2026-11-23T10:00:00Z");
const DAY = 86_400_000;

let config: FileConfig;
let store: SqliteStore;
let sqlite: SqliteMetricReads;
let postgres: AsyncOps<MetricReadOps>;
let server: TestPostgres;
let pool: pg.Pool;
let scopes: Array<[string, ScopeServices]>;

beforeAll(async () => {
  config = parseFileConfig(demoConfigYaml(), "demo.yml");
  store = createStore(openDatabase(":memory:"), storeOptionsFrom(config));
  store.catalog.syncFromConfig(config);
  for (const batch of demoRecordBatches({ nowMs: NOW, seed: 42, days: 150 })) store.write(batch);
  sqlite = store.reads.metric;
  // Two sources of one level at the same time, just before the first frame's series: which one is
  // "the last sample before the window" must not depend on the engine.
  const insert = store.db.prepare("INSERT INTO samples (service_id, name, at, source, value) VALUES (?, ?, ?, ?, ?)");
  const [first] = sqlite.knownServices();
  for (const [source, value] of [["tie-z", 41.5], ["tie-a", 77.25], ["tie-m", 60]] as const) insert.run(first, "coverage_pct", frames[0]![1].range.fromMs - 1, source, value);
  // Three sources at one time in the window, averaged: summed one by one, 0.1 + 0.2 + 0.3 is 0.6000000000000001.
  for (const name of ["coverage_pct", "uptime_pct"]) {
    for (const [source, value] of [["tie-a", 0.1], ["tie-b", 0.2], ["tie-c", 0.3]] as const) insert.run(first, name, frames[0]![1].current.fromMs + 3_600_000, source, value);
  }
  server = await startTestPostgres();
  // pg's default type parsing on this pool (the runner gives its own with each query): the copier
  // reads its 64-bit checksums as text, which RUNNER_TYPES would round to a JS number. PGlite
  // serves one connection at a time.
  pool = createPool(server.url, { max: server.engine === "pglite" ? 1 : 4, onIdleError: () => {} });
  await copySqliteToPostgres(store.db, pool, { batchRows: 2000, schemaVersion: store.db.pragma("user_version", { simple: true }) as number });
  const runner = postgresRunner(pool);
  postgres = bindOps(metricReadOps(POSTGRES), (op) => runner.run(op)) as AsyncOps<MetricReadOps>;
  const all = sqlite.knownServices();
  const team = config.teams[0]!;
  scopes = [
    ["org", null],
    [`team ${team.id}`, [...team.services]],
    [`service ${all[0]!}`, [all[0]!]],
    ["every service, and one without data", [...all, "no-such-service"]],
  ];
}, 120_000);

afterAll(async () => {
  await pool?.end();
  await server?.close();
  store?.close();
});

// Whole, half-hour and DST-changing offsets (the frame's cuts are local midnights), several lengths.
const frames: Array<[string, Frame]> = [
  ["UTC, last 30 days", buildFrame({ fromMs: NOW - 30 * DAY, toMs: NOW }, "UTC")],
  ["New York, over the November DST change", buildFrame({ fromMs: Date.parse("2026-10-20T13:17:00Z"), toMs: Date.parse("2026-11-19T13:17:00Z") }, "America/New_York")],
  ["Kolkata, last 7 days", buildFrame({ fromMs: NOW - 7 * DAY, toMs: NOW }, "Asia/Kolkata")],
  ["Berlin, last 90 days", buildFrame({ fromMs: NOW - 90 * DAY, toMs: NOW }, "Europe/Berlin")],
];

const called = new Set<string>();
/** The read `name` with `args` on both engines: the same answer. */
async function same<K extends keyof MetricReadOps>(name: K, ...args: Parameters<MetricReadOps[K]>): Promise<unknown> {
  called.add(name);
  const expected = (sqlite[name] as (...a: unknown[]) => unknown)(...args);
  const actual = await (postgres[name] as (...a: unknown[]) => Promise<unknown>)(...args);
  expect(actual, `${name}(${JSON.stringify(args)})`).toEqual(expected);
  return expected;
}

const env = "production";

describe.each(frames)("PostgreSQL answers every metric read as SQLite does (%s)", (_label, frame) => {
  it.each([0, 1, 2, 3])("scope %#", async (index) => {
    const [, services] = scopes[index]!;
    const windows = [frame.current, frame.previous, frame.range];
    for (const withFailed of [true, false]) await same("deploymentSlices", env, frame.cuts, services, withFailed);
    const flagged: number[] = [];
    for (const window of windows) {
      await same("deployDays", env, window, offsetSegments(window, frame.zone), services);
      await same("deployDayCounts", env, window, offsetSegments(window, frame.zone), services);
      for (const which of ["failed", "rework"] as const) {
        for (const row of (await same("flaggedDeployments", which, env, window, services)) as Array<{ id: number }>) flagged.push(row.id);
      }
      for (const byService of [true, false]) await same("leadTimeStageSums", window, services, byService);
      await same("leadTimeStages", window, services);
      for (const timeColumn of ["resolved_at", "acknowledged_at"] as const) {
        const incidents = (await same("incidents", timeColumn, window, services)) as Array<{ id: number }>;
        await same("incidentTitles", incidents.slice(0, 7).map((i) => i.id).reverse());
        await same("leftOut", "recovery", timeColumn, window, services);
      }
      await same("leftOut", "change_failure", "created_at", window, services);
      for (const kind of ["unresolved", "unacknowledged"] as const) {
        await same("openAt", kind, window.toMs, services);
        await same("openAt", kind, window.fromMs, services);
      }
      const listed = services ?? sqlite.knownServices();
      await same("breachIncidents", window, config.metrics.outage_severities, config.pagerduty.outage_priorities, listed);
      await same("outages", window, config.metrics.outage_severities, config.pagerduty.outage_priorities, listed);
      for (const name of ["uptime_pct", "coverage_pct"]) await same("timedSamples", name, window, services);
      for (const name of ["coverage_pct", "tech_debt_ratio_pct"]) await same("levelSamples", name, window, services);
      await same("annotations", window, services, config.teams[0]!.id);
    }
    expect(flagged.length).toBeGreaterThan(0);
    // A few of the listed ones, out of order and repeated, as an answer might ask.
    await same("deploymentDetails", [...flagged.slice(0, 5).reverse(), flagged[0]!]);
    await same("leadTimes", frame.cuts, services);
    for (const timeColumn of ["resolved_at", "acknowledged_at"] as const) await same("incidentSlices", timeColumn, frame.cuts, services);
    await same("latencySlices", frame.cuts, services);
    await same("errorSlices", frame.cuts, services);
    for (const name of ["infra_cost_usd", "active_users"]) {
      for (const includeOrgWide of [true, false]) await same("sumSlices", name, frame.cuts, services, includeOrgWide);
      await same("taggedTotals", name, frame.cuts);
    }
    await same("servicesWithIncidents", services ?? sqlite.knownServices());
    await same("knownServices");
  }, 60_000);
});

describe("the comparison", () => {
  it("found data to compare and called every metric read", async () => {
    expect(called).toEqual(new Set(Object.keys(metricReadOps(SQLITE))));
    const rows = sqlite.deploymentSlices(env, frames[0]![1].cuts, null);
    expect(rows.reduce((n, row) => n + row.n, 0)).toBeGreaterThan(100);
    expect(sqlite.leadTimes(frames[0]![1].cuts, null).reduce((n, row) => n + row.leadSeconds.length, 0)).toBeGreaterThan(100);
    expect((await postgres.incidents("resolved_at", frames[0]![1].current, null)).length).toBeGreaterThan(0);
  });
});
