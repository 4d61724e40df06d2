import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseFileConfig } from "../../src/config/file.js";
import { storeOptionsFrom } from "../../src/config/store-options.js";
import type { VitalsRecord } from "../../src/domain/records.js";
import type { Window } from "../../src/domain/scope.js";
import { openDatabase } from "../../src/store/db.js";
import { explainReadOps, type ExplainReads } from "../../src/store/explain-reads.js";
import { createStore, type SqliteStore } from "../../src/store/index.js";
import { copySqliteToPostgres } from "../../src/store/postgres/copy.js";
import type { ScopeServices } from "../../src/store/read-sql.js";
import { rowReadOps, type EitherRowReads } from "../../src/store/row-reads.js";
import { bindOps } from "../../src/store/sql/bind.js";
import { sqliteMean } from "../../src/store/sql/mean.js";
import { demoConfigYaml } from "../../src/sources/demo/catalog.js";
import { demoRecordBatches } from "../../src/sources/demo/generate.js";
import { createPool } from "../../src/store/postgres/pool.js";
import { postgresRunner, RUNNER_TYPES } from "../../src/store/postgres/runner.js";
import { POSTGRES } from "../../src/store/sql/dialect.js";
import { startTestPostgres, type TestPostgres } from "../support/postgres.js";
import { sqliteEngine } from "../support/sql-engines.js";
import type pg from "pg";

// The row reads (`--csv`, "Download rows") and the explain reads on both engines (issue 19): the demo
// organisation, plus records for what the demo never has (other environments, unmapped incidents,
// several link rules on one deployment, several sources sampling one instant, keys whose byte order
// is not a dictionary's), written to SQLite and copied to PostgreSQL: every read answers the same.

const DAY = 86_400_000;
const NOW = Date.parse("2026-03-20T12:00:00Z");
const T = NOW - 3 * DAY;

const WINDOWS: readonly Window[] = [
  { fromMs: NOW - 7 * DAY, toMs: NOW },
  { fromMs: NOW - 30 * DAY, toMs: NOW },
  { fromMs: NOW - 90 * DAY, toMs: NOW },
  { fromMs: Date.parse("2026-02-01T00:00:00Z"), toMs: Date.parse("2026-03-01T00:00:00Z") },
  { fromMs: NOW + DAY, toMs: NOW + 2 * DAY },
];
const SCOPES: readonly ScopeServices[] = [null, ["checkout"], ["web", "checkout", "Zeta", "ärger"], ["Zeta"], []];

const deployment = (externalId: string, service: string, environment: string, finishedAtMs: number, extra: Partial<VitalsRecord> = {}): VitalsRecord =>
  ({ kind: "deployment", source: "api", externalId, service, environment, status: "success", finishedAtMs, sha: `sha-${externalId}`, ...extra }) as VitalsRecord;
const incident = (externalId: string, createdAtMs: number, extra: Record<string, unknown> = {}): VitalsRecord =>
  ({ kind: "incident", source: "api", externalId, title: `Incident ${externalId}`, severity: "SEV1", createdAtMs, acknowledgedAtMs: createdAtMs + 60_000, resolvedAtMs: createdAtMs + 3_600_000, ...extra }) as VitalsRecord;
const sample = (service: string | undefined, name: string, atMs: number, value: number, source = "api"): VitalsRecord =>
  ({ kind: "metric", source, service, name, atMs, value }) as VitalsRecord;

function extraRecords(): VitalsRecord[] {
  const records: VitalsRecord[] = [];
  // More than five other environments, with tied counts and keys a dictionary order would sort otherwise.
  for (const [env, n] of [["staging", 2], ["Staging", 2], ["ärger", 2], ["dev", 1], ["Zeta", 2], ["_qa", 1], ["zz", 3]] as const)
    for (let k = 0; k < n; k++) records.push(deployment(`env-${env}-${k}`, "checkout", env, T - k * 60_000));
  // One deployment with incidents of several link rules (heuristic first, then explicit, heuristic again).
  records.push(deployment("multi", "Zeta", "production", T));
  records.push(incident("z-1", T + 600_000, { service: "Zeta" }));
  records.push(incident("z-2", T + 1_200_000, { service: "Zeta", deploymentRef: "multi" }));
  records.push(incident("z-3", T + 1_800_000, { service: "Zeta" }));
  // Unmapped incidents: tied counts, one without the source's service reference (a null key).
  for (const [ref, n] of [["Zeta-pd", 2], ["alpha-pd", 2], [undefined, 2], ["ärger-pd", 1], ["Beta", 2], ["beta", 2]] as const)
    for (let k = 0; k < n; k++) records.push(incident(`unmapped-${ref ?? "none"}-${k}`, T - k * 3_600_000, { externalService: ref, severity: "SEV2" }));
  // Several sources sampling one instant (averaged like uptime reads them): sums whose order matters.
  const values = [99.91, 0.1, 99.7, 0.2, 12.345678901234567, 1e-9];
  ["api", "demo", "import", "prometheus", "cost", "sonar"].forEach((source, k) => records.push(sample("Zeta", "uptime_pct", T, values[k]!, source)));
  ["api", "import", "prometheus"].forEach((source, k) => records.push(sample("ärger", "uptime_pct", T + 60_000, [0.1, 0.2, 0.3][k]!, source)));
  records.push(sample("Zeta", "coverage_pct", T, 81.5), sample("Zeta", "coverage_pct", T, 79.25, "coverage"));
  records.push(sample(undefined, "infra_cost_usd", T, 1234.5), sample("Zeta", "infra_cost_usd", T, 10.25), sample("ärger", "infra_cost_usd", T, 3.5));
  records.push(sample("Zeta", "latency_p95_ms", T, 250), sample("Zeta", "requests", T, 1000), sample("Zeta", "errors", T, 7));
  records.push(sample("ärger", "error_rate_pct", T, 1.5), sample("ärger", "latency_p95_ms", T, 90, "prometheus"));
  return records;
}

/** Every row read, with representative arguments, as one object to compare. */
async function everyRowRead(rows: EitherRowReads): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [w, window] of WINDOWS.entries())
    for (const [s, services] of SCOPES.entries()) {
      const key = `w${w} s${s}`;
      out[`deployments production ${key}`] = await rows.deployments("production", window, services);
      out[`deployments staging ${key}`] = await rows.deployments("staging", window, services);
      out[`changes ${key}`] = await rows.changes(window, services);
      out[`incidents resolved ${key}`] = await rows.incidents("resolved_at", window, services);
      out[`incidents acknowledged ${key}`] = await rows.incidents("acknowledged_at", window, services);
      for (const name of ["uptime_pct", "coverage_pct", "tech_debt_ratio_pct"]) out[`timed ${name} ${key}`] = await rows.timed(name, window, services);
      out[`points latency ${key}`] = await rows.points("latency", window, services);
      out[`points errors ${key}`] = await rows.points("errors", window, services);
      out[`samples cost org-wide ${key}`] = await rows.samples("infra_cost_usd", window, services, true);
      out[`samples cost ${key}`] = await rows.samples("infra_cost_usd", window, services, false);
      out[`samples users ${key}`] = await rows.samples("active_users", window, services, true);
    }
  return out;
}

async function everyExplainRead(explain: ExplainReads): Promise<Record<string, unknown>> {
  return {
    deployments: await explain.deployments(),
    otherEnvironments: await explain.otherEnvironments(),
    changes: await explain.changes(),
    incidents: await explain.incidents(["SEV1"], ["P1"]),
    incidentsWider: await explain.incidents(["SEV1", "SEV2"], ["P1", "P2"]),
    incidentsNone: await explain.incidents([], []),
    unmappedServices: await explain.unmappedServices(),
    samples: await explain.samples(),
    withoutRequests: { latency: await explain.withoutRequests("latency_p95_ms"), rate: await explain.withoutRequests("error_rate_pct") },
    errorsWithoutRequests: await explain.errorsWithoutRequests(),
    servicesWithoutTeam: await explain.servicesWithoutTeam(),
    serviceCount: await explain.serviceCount(),
  };
}

describe("row reads and explain reads on both engines", () => {
  let store: SqliteStore;
  let server: TestPostgres;
  let pool: pg.Pool;
  let pgRows: EitherRowReads;
  let pgExplain: ExplainReads;

  beforeAll(async () => {
    const config = parseFileConfig(demoConfigYaml(), "demo.yml");
    const options = storeOptionsFrom(config);
    store = createStore(openDatabase(":memory:"), options);
    store.catalog.syncFromConfig(config);
    for (const batch of demoRecordBatches({ nowMs: NOW, seed: 42, days: 365 })) store.write(batch);
    store.write(extraRecords());
    server = await startTestPostgres();
    // The copier reads its checksums as text, so it gets a pool without the runner's number parsing;
    // closed before the runner's opens (PGlite serves one connection at a time).
    const copyPool = createPool(server.url, { max: 1, onIdleError: () => {} });
    try {
      await copySqliteToPostgres(store.db, copyPool, { batchRows: 2_000, schemaVersion: store.db.pragma("user_version", { simple: true }) as number });
    } finally {
      await copyPool.end();
    }
    pool = createPool(server.url, { max: server.engine === "pglite" ? 1 : 4, onIdleError: () => {}, types: RUNNER_TYPES });
    // pglite-socket frees its one slot a moment after the copier's end() resolves (as in
    // test/cli/migrate-store.test.ts): until then a connection is cut; the pool drops it.
    for (let attempt = 0; ; attempt++) {
      try {
        await pool.query("SELECT 1");
        break;
      } catch (error) {
        if (attempt >= 40) throw error;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    }
    const runner = postgresRunner(pool);
    const run = (op: Parameters<typeof runner.run>[0]) => runner.run(op);
    pgRows = bindOps(rowReadOps(POSTGRES), run) as EitherRowReads;
    pgExplain = bindOps(explainReadOps(POSTGRES, options), run) as ExplainReads;
  }, 120_000);
  afterAll(async () => {
    store?.close();
    await pool?.end();
    await server?.close();
  });

  it("answers every row read identically", async () => {
    const sqlite = await everyRowRead(store.reads.rows);
    expect(await everyRowRead(pgRows)).toEqual(sqlite);
    // The comparison covers what the engines could disagree on.
    const deployments = sqlite["deployments production w0 s0"] as { external_id: string; link_rules: string | null; incidents: string | null; rolled_back: number }[];
    const multi = deployments.find((d) => d.external_id === "multi")!;
    expect(multi.link_rules).toBe("heuristic,explicit");
    expect(multi.incidents).toBe(["api:z-1", "api:z-2", "api:z-3"].join("\x1f"));
    expect(deployments.some((d) => d.link_rules === null && d.incidents === null)).toBe(true);
    expect(new Set(deployments.map((d) => d.rolled_back))).toEqual(new Set([0, 1]));
    const staging = sqlite["deployments staging w0 s1"] as unknown[];
    expect(staging).toHaveLength(2);
    const uptime = sqlite["timed uptime_pct w0 s2"] as { service: string; at: number; value: number }[];
    expect(uptime.find((u) => u.service === "Zeta" && u.at === T)?.value).toBe(sqliteAvg("uptime_pct", "Zeta", T));
    const services = uptime.map((u) => u.service);
    expect(services.indexOf("Zeta")).toBeLessThan(services.indexOf("checkout"));
    expect(services.indexOf("web")).toBeLessThan(services.indexOf("ärger"));
    const cost = sqlite["samples cost org-wide w0 s3"] as { service: string }[];
    expect(new Set(cost.map((c) => c.service))).toEqual(new Set(["", "Zeta"]));
    expect(sqlite["deployments production w0 s4"]).toEqual([]);
  });

  it("answers every explain read identically", async () => {
    const sqlite = await everyExplainRead(store.explain);
    expect(await everyExplainRead(pgExplain)).toEqual(sqlite);
    expect(sqlite.otherEnvironments).toEqual([
      { key: "zz", n: 3 },
      { key: "Staging", n: 2 },
      { key: "Zeta", n: 2 },
      { key: "staging", n: 2 },
      { key: "ärger", n: 2 },
    ]);
    expect(sqlite.unmappedServices).toEqual([
      { key: null, n: 2 },
      { key: "Beta", n: 2 },
      { key: "Zeta-pd", n: 2 },
      { key: "alpha-pd", n: 2 },
      { key: "beta", n: 2 },
    ]);
    expect((sqlite.samples as { name: string }[]).map((s) => s.name)).toEqual([...(sqlite.samples as { name: string }[]).map((s) => s.name)].sort());
  });

  /** SQLite's own avg() of one instant's samples. */
  function sqliteAvg(name: string, service: string, at: number): number {
    return (store.db.prepare(`SELECT avg(value) AS v FROM samples WHERE name = ? AND service_id = ? AND at = ?`).get(name, service, at) as { v: number }).v;
  }
});

describe("sqliteMean", () => {
  it("is SQLite's avg() to the last bit, where a plain sum differs", () => {
    const { db } = sqliteEngine();
    // Bound as doubles (not parsed from text), summed by SQLite in rowid order.
    db.exec(`CREATE TEMP TABLE v (id INTEGER PRIMARY KEY, x REAL NOT NULL)`);
    const insert = db.prepare(`INSERT INTO v (x) VALUES (?)`);
    const average = db.prepare(`SELECT avg(x) AS v FROM v`);
    let seed = 7;
    const random = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31) * 10 ** ((seed % 7) - 3);
    let plainDiffers = 0;
    for (let k = 0; k < 300; k++) {
      const values = Array.from({ length: 3 + (k % 9) }, () => (k % 2 === 0 ? random() : -random()) + random());
      db.exec(`DELETE FROM v`);
      for (const x of values) insert.run(x);
      const avg = (average.get() as { v: number }).v;
      expect(sqliteMean(values)).toBe(avg);
      if (values.reduce((a, b) => a + b, 0) / values.length !== avg) plainDiffers++;
    }
    expect(plainDiffers).toBeGreaterThan(0);
    db.close();
  });
});
