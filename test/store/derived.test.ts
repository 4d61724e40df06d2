import { describe, expect, it } from "vitest";
import type { SampleName } from "../../src/domain/metric-ids.js";
import type { IncidentFilters, ResolvedIncidentFilters } from "../../src/domain/incident-filter.js";
import type { ChangeRecord, VitalsRecord } from "../../src/domain/records.js";
import { loadMigrations, migrate, openDatabase, type Db } from "../../src/store/db.js";
import { DERIVED_DEFINITIONS, DERIVED_VERSION } from "../../src/store/derived/definitions.js";
import { derivedOps, Touches } from "../../src/store/derived/engine.js";
import { SQLITE } from "../../src/store/sql/dialect.js";
import { sqliteRunner } from "../../src/store/sql/sqlite-runner.js";
import { createStore } from "../../src/store/index.js";

// What the store keeps beside the records (src/store/derived/definitions.ts: failure counts and
// flags on deployments, lead seconds and size buckets on changes, paired samples, stage sums per
// day) must always equal what the records say, whichever write path changed them: the refresh of
// the keys a write touched must leave exactly what a full rebuild from the same SELECT gives.

const T0 = Date.parse("2026-03-02T10:00:00Z");
const HOUR = 3_600_000;

const deployment = (id: string, at: number, extra: Partial<Extract<VitalsRecord, { kind: "deployment" }>> = {}): VitalsRecord => ({
  kind: "deployment", source: "import", externalId: id, service: "checkout", environment: "production", status: "success", finishedAtMs: at, ...extra,
});
const incident = (id: string, at: number, extra: Partial<Extract<VitalsRecord, { kind: "incident" }>> = {}): VitalsRecord => ({
  kind: "incident", source: "import", externalId: id, service: "checkout", title: id, createdAtMs: at, ...extra,
});
const sample = (name: SampleName, at: number, value: number, service = "checkout"): VitalsRecord => ({ kind: "metric", source: "prometheus", service, name, atMs: at, value });

/** Every derived row, as the database holds it now. */
function derivedRows(db: Db): Record<string, unknown[]> {
  return Object.fromEntries(DERIVED_DEFINITIONS.map((d) => {
    const columns = [...d.keys, ...d.columns].join(", ");
    return [d.name, db.prepare(`SELECT ${columns} FROM ${d.table} ORDER BY ${d.keys.map((_, i) => i + 1).join(", ")}`).all()];
  }));
}

/** The derived rows a full rebuild gives, computed inside a savepoint that is then undone. */
function rebuiltRows(db: Db): Record<string, unknown[]> {
  db.exec("SAVEPOINT rebuild_check");
  try {
    sqliteRunner(db).run(derivedOps(SQLITE).rebuild());
    return derivedRows(db);
  } finally {
    db.exec("ROLLBACK TO rebuild_check; RELEASE rebuild_check");
  }
}

/** The incremental refreshes left exactly what a rebuild gives (and there is something to compare). */
function expectConsistent(db: Db): void {
  const rows = derivedRows(db);
  expect(Object.values(rows).some((list) => list.length > 0)).toBe(true);
  expect(rows).toEqual(rebuiltRows(db));
}

/**
 * Records as they would have been stored before a migration: written by today's store into a
 * scratch database, then copied row by row (the columns the older schema has) into `db`, so the
 * older schema's own triggers run. Today's store cannot write to an older schema directly (its
 * statements name columns later migrations add).
 */
const DERIVED = new Set(["linked_incidents", "successful_rollbacks", "caused_failure", "is_rework", "lead_seconds", "pr_size_bucket"]);

function storeAtOlderSchema(db: Db, records: VitalsRecord[]): void {
  const scratch = createStore(openDatabase(":memory:"));
  scratch.write(records);
  for (const table of ["services", "deployments", "changes", "deployment_changes", "incidents", "samples"]) {
    const have = new Set((db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table) as string[]));
    const columns = (scratch.db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table) as string[]).filter((c) => have.has(c) && !DERIVED.has(c));
    const insert = db.prepare(`INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`);
    for (const row of scratch.db.prepare(`SELECT ${columns.join(", ")} FROM ${table}`).raw().all() as unknown[][]) insert.run(...row);
  }
}

/** What opening a database does to its derived data, with the derived definitions of `version`. */
const ensureVersion = (db: Db, version?: number): boolean => sqliteRunner(db).transaction(derivedOps(SQLITE, { version }).ensureVersion());

/** Deployments whose stored counts differ from the records (an empty list when consistent). */
function countMismatches(db: Db): unknown[] {
  return db.prepare(`
    SELECT external_id, linked_incidents, successful_rollbacks,
      (SELECT count(*) FROM incidents i WHERE i.linked_deployment_id = d.id) AS incidents,
      (SELECT count(*) FROM deployments r WHERE r.rollback_of_id = d.id AND r.status = 'success') AS rollbacks
    FROM deployments d
    WHERE linked_incidents <> incidents OR successful_rollbacks <> rollbacks`).all();
}

const counts = (db: Db) =>
  Object.fromEntries((db.prepare(`SELECT external_id, linked_incidents, successful_rollbacks FROM deployments ORDER BY external_id`).all() as Array<{ external_id: string; linked_incidents: number; successful_rollbacks: number }>)
    .map((r) => [r.external_id, [r.linked_incidents, r.successful_rollbacks]]));

/** sample_points as the samples table pairs them. */
function pairedFromSamples(db: Db): unknown[] {
  return db.prepare(`
    SELECT service_id, at, source, max(CASE WHEN name = 'latency_p95_ms' THEN value END) AS latency_p95_ms,
      max(CASE WHEN name = 'requests' THEN value END) AS requests, max(CASE WHEN name = 'errors' THEN value END) AS errors,
      max(CASE WHEN name = 'error_rate_pct' THEN value END) AS error_rate_pct
    FROM samples WHERE name IN ('latency_p95_ms', 'requests', 'errors', 'error_rate_pct')
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`).all();
}
const points = (db: Db) => db.prepare(`SELECT * FROM sample_points ORDER BY 1, 2, 3`).all();

const flags = (db: Db) =>
  Object.fromEntries((db.prepare(`SELECT external_id, caused_failure, is_rework FROM deployments ORDER BY external_id`).all() as Array<{ external_id: string; caused_failure: number; is_rework: number }>)
    .map((r) => [r.external_id, [r.caused_failure, r.is_rework]]));

describe("failure counts and flags on deployments", () => {
  it("follow links, relinks, rollbacks resolved later, manual links and unlinks", () => {
    const store = createStore(openDatabase(":memory:"));
    store.write([deployment("d1", T0), deployment("d2", T0 + 10 * HOUR), incident("i1", T0 + HOUR), incident("i2", T0 + 2 * HOUR), incident("i3", T0 + 11 * HOUR)]);
    expect(counts(store.db)).toEqual({ d1: [2, 0], d2: [1, 0] });
    expectConsistent(store.db);

    // A deployment between d1 and i2 takes over i2's link (relink on write).
    store.write([deployment("d1b", T0 + 1.5 * HOUR)]);
    expect(counts(store.db)).toEqual({ d1: [1, 0], d1b: [1, 0], d2: [1, 0] });
    expectConsistent(store.db);

    // A rollback of d2 arrives: d2 now has a successful rollback, and the rollback is rework.
    store.write([deployment("r1", T0 + 12 * HOUR, { rollbackOf: "d2" })]);
    expect(counts(store.db)["d2"]).toEqual([1, 1]);
    expect(flags(store.db)).toMatchObject({ d2: [1, 0], r1: [0, 1] });
    // The rollback is re-reported as failed: it no longer counts, and a failed deployment is neither.
    store.write([deployment("r1", T0 + 12 * HOUR, { rollbackOf: "d2", status: "failure" })]);
    expect(counts(store.db)["d2"]).toEqual([1, 0]);
    expect(flags(store.db)["r1"]).toEqual([0, 0]);
    expectConsistent(store.db);

    const i3 = store.db.prepare(`SELECT id FROM incidents WHERE external_id = 'i3'`).pluck().get() as number;
    const d1 = store.db.prepare(`SELECT id FROM deployments WHERE external_id = 'd1'`).pluck().get() as number;
    const d2 = store.db.prepare(`SELECT id FROM deployments WHERE external_id = 'd2'`).pluck().get() as number;
    store.links.setManualLink(i3, d1);
    expect(counts(store.db)).toMatchObject({ d1: [2, 0], d2: [0, 0] });
    expect(flags(store.db)["d2"]).toEqual([0, 0]);
    expectConsistent(store.db);
    store.links.setManualLink(i3, null); // back to the rules: d2 again
    expect(counts(store.db)).toMatchObject({ d1: [1, 0], d2: [1, 0] });
    // A person's "unrelated" verdict (the confirmation message's path) takes the failure away.
    store.db.transaction(() => store.links.setVerdict(i3, { kind: "unrelated", by: "U1", atMs: T0, via: "confirmation" }))();
    expect(flags(store.db)["d2"]).toEqual([0, 0]);
    // A hotfix label found later (the GitHub connector) makes d2 rework.
    expect(store.github.setHotfix(d2, true)).toBe(true);
    expect(flags(store.db)["d2"]).toEqual([0, 1]);
    expect(countMismatches(store.db)).toEqual([]);
    expectConsistent(store.db);
  });

  it("follow a changed incident filter applied at open", () => {
    const db = openDatabase(":memory:");
    createStore(db).write([deployment("d1", T0), incident("i1", T0 + HOUR, { severity: "SEV3" })]);
    expect(flags(db)["d1"]).toEqual([1, 0]);
    const sev1: ResolvedIncidentFilters = { changeFailure: { severities: ["SEV1"] }, recovery: undefined };
    const filters: IncidentFilters = { fingerprint: "sev1-only", forService: () => sev1, overrides: [], topLevel: sev1 };
    createStore(db, { productionEnvironment: "production", attributionWindowMs: 24 * HOUR, incidentFilters: filters });
    expect(flags(db)["d1"]).toEqual([0, 0]);
    expect(countMismatches(db)).toEqual([]);
    expectConsistent(db);
  });
});

describe("paired samples", () => {
  it("pair each P95, requests, errors and error-rate sample with the others of its service, time and source", () => {
    const store = createStore(openDatabase(":memory:"));
    store.write([
      sample("latency_p95_ms", T0, 120), sample("requests", T0, 1000), sample("errors", T0, 5),
      sample("error_rate_pct", T0 + HOUR, 0.4), sample("latency_p95_ms", T0 + HOUR, 90, "gateway"), sample("coverage_pct", T0, 80),
      { ...(sample("requests", T0, 500) as Extract<VitalsRecord, { kind: "metric" }>), source: "api" },
    ]);
    expect(points(store.db)).toEqual([
      { service_id: "checkout", at: T0, source: "api", latency_p95_ms: null, requests: 500, errors: null, error_rate_pct: null },
      { service_id: "checkout", at: T0, source: "prometheus", latency_p95_ms: 120, requests: 1000, errors: 5, error_rate_pct: null },
      { service_id: "checkout", at: T0 + HOUR, source: "prometheus", latency_p95_ms: null, requests: null, errors: null, error_rate_pct: 0.4 },
      { service_id: "gateway", at: T0 + HOUR, source: "prometheus", latency_p95_ms: 90, requests: null, errors: null, error_rate_pct: null },
    ]);
    // A re-reported value replaces the old one; an unchanged batch changes nothing.
    store.write([sample("requests", T0, 1200)]);
    store.write([sample("requests", T0, 1200)]);
    expect(points(store.db)).toEqual(pairedFromSamples(store.db));
    expect((points(store.db)[1] as { requests: number }).requests).toBe(1200);
    expectConsistent(store.db);
  });

  it("lose a sample's value when it is gone, and the row with the last value, once its key is refreshed", () => {
    const store = createStore(openDatabase(":memory:"));
    store.write([sample("latency_p95_ms", T0, 120), sample("requests", T0, 1000), sample("errors", T0 + HOUR, 3)]);
    store.db.prepare(`DELETE FROM samples WHERE name IN ('requests', 'errors')`).run();
    const touches = new Touches();
    touches.samplePointTouched("checkout", T0, "prometheus");
    touches.samplePointTouched("checkout", T0 + HOUR, "prometheus");
    sqliteRunner(store.db).transaction(derivedOps(SQLITE).flush(touches));
    expect(points(store.db)).toEqual([{ service_id: "checkout", at: T0, source: "prometheus", latency_p95_ms: 120, requests: null, errors: null, error_rate_pct: null }]);
    expect(points(store.db)).toEqual(pairedFromSamples(store.db));
    expectConsistent(store.db);
  });
});

/** stage_days as the changes say it should be (days with changes only). */
function stageDaysFromChanges(db: Db): unknown[] {
  return db.prepare(`
    SELECT service_id, first_deployed_at - first_deployed_at % 86400000 AS day, count(*) AS changes,
      coalesce(sum(pr_opened_at - committed_at), 0) AS coding, count(pr_opened_at) AS coding_n,
      coalesce(sum(pr_first_review_at - pr_opened_at), 0) AS pickup, count(pr_first_review_at - pr_opened_at) AS pickup_n,
      coalesce(sum(pr_merged_at - pr_first_review_at), 0) AS review, count(pr_merged_at - pr_first_review_at) AS review_n,
      coalesce(sum(first_deployed_at - pr_merged_at), 0) AS deploy, count(pr_merged_at) AS deploy_n
    FROM changes WHERE first_deployed_at IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2`).all();
}
const stageDays = (db: Db) => db.prepare(`SELECT * FROM stage_days WHERE changes > 0 ORDER BY 1, 2`).all();
const changeFacts = (db: Db) => db.prepare(`SELECT change_key, lead_seconds, pr_size_bucket FROM changes ORDER BY change_key`).all();

describe("stage sums per day and change facts", () => {
  const DAY = 24 * HOUR;
  const pr = (sha: string, number: number, extra: Partial<NonNullable<ChangeRecord["pr"]>> = {}): ChangeRecord => ({
    sha, committedAtMs: T0 - 3 * DAY, pr: { number, openedAtMs: T0 - 2 * DAY, firstReviewAtMs: T0 - DAY, mergedAtMs: T0 - HOUR, ...extra },
  });

  it("follow first shipments, earlier shipments found later, PR data that arrives later and commits dropped", () => {
    const store = createStore(openDatabase(":memory:"));
    store.write([deployment("d1", T0, { sha: "a1", changes: [pr("a1", 1), { sha: "b1", committedAtMs: T0 - DAY }] })]);
    expect(stageDays(store.db)).toHaveLength(1);
    expect(changeFacts(store.db)).toEqual([
      { change_key: "pr:1", lead_seconds: 3 * 86_400, pr_size_bucket: 5 },
      { change_key: "sha:b1", lead_seconds: 86_400, pr_size_bucket: 5 },
    ]);
    // A redeploy adds nothing; the same PR shipped a day earlier by a deployment found later moves its day.
    store.write([deployment("d2", T0 + DAY, { sha: "a1", changes: [pr("a1", 1)] })]);
    store.write([deployment("d0", T0 - 20 * HOUR, { sha: "a1", changes: [pr("a1", 1, { mergedAtMs: T0 - 21 * HOUR, size: 120 })] })]);
    expect(changeFacts(store.db)[0]).toEqual({ change_key: "pr:1", lead_seconds: 3 * 86_400 - 20 * 3600, pr_size_bucket: 2 });
    expectConsistent(store.db);
    // Review data arrives for another PR.
    store.write([deployment("d3", T0 + 2 * DAY, { sha: "c1", changes: [pr("c1", 3, { firstReviewAtMs: undefined, size: 9 })] })]);
    store.write([deployment("d3", T0 + 2 * DAY, { sha: "c1", changes: [pr("c1", 3, { size: 1000 })] })]);
    expect(stageDays(store.db)).toEqual(stageDaysFromChanges(store.db));
    expect(stageDays(store.db).length).toBeGreaterThanOrEqual(3);
    expectConsistent(store.db);
    // d1 re-reported without commit b1: b1 has shipped nowhere now, and leaves its day.
    store.write([deployment("d1", T0, { sha: "a1", changes: [pr("a1", 1)] })]);
    expect(changeFacts(store.db)).toContainEqual({ change_key: "sha:b1", lead_seconds: null, pr_size_bucket: 5 });
    expect(stageDays(store.db)).toEqual(stageDaysFromChanges(store.db));
    expectConsistent(store.db);
  });

  it("classify PR sizes at the bucket boundaries of src/domain/pr-size.ts, and a lead ≤ 0 as excluded", () => {
    const store = createStore(openDatabase(":memory:"));
    const sizes = [0, 9, 10, 99, 100, 499, 500, 999, 1000, 25_000];
    store.write([deployment("d1", T0, { changes: [...sizes.map((size, i) => pr(`s${i}`, i + 1, { size })), { sha: "late", committedAtMs: T0 + HOUR }] })]);
    const rows = store.db.prepare(`SELECT pr_size, pr_size_bucket, lead_seconds FROM changes ORDER BY id`).all() as Array<{ pr_size: number | null; pr_size_bucket: number; lead_seconds: number | null }>;
    expect(rows.map((r) => r.pr_size_bucket)).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5]);
    expect(rows.at(-1)!.lead_seconds).toBeNull();
  });
});

describe("an existing database", () => {
  it("upgrades: the triggers go and the first open derives everything from the records", () => {
    const migrations = loadMigrations();
    const db = openDatabase(":memory:", migrations.filter((m) => m.version < 15));
    storeAtOlderSchema(db, [
      deployment("d1", T0, { sha: "a1", changes: [{ sha: "a1", committedAtMs: T0 - HOUR }] }), incident("i1", T0 + HOUR), incident("i2", T0 + 2 * HOUR),
      deployment("d2", T0 + 5 * HOUR), deployment("r2", T0 + 6 * HOUR, { rollbackOf: "d2" }), sample("latency_p95_ms", T0, 120), sample("requests", T0, 1000),
    ]);
    db.prepare(`UPDATE incidents SET linked_deployment_id = (SELECT id FROM deployments WHERE external_id = 'd1')`).run();
    migrate(db, migrations);
    expect(db.prepare(`SELECT name FROM sqlite_master WHERE type = 'trigger'`).all()).toEqual([]);
    createStore(db);
    expect(counts(db)).toEqual({ d1: [2, 0], d2: [0, 1], r2: [0, 0] });
    expect(flags(db)).toEqual({ d1: [1, 0], d2: [1, 0], r2: [0, 1] });
    expect(changeFacts(db)).toEqual([{ change_key: "sha:a1", lead_seconds: 3600, pr_size_bucket: 5 }]);
    expect(points(db)).toEqual(pairedFromSamples(db));
    expect(countMismatches(db)).toEqual([]);
    expectConsistent(db);
  });

  it("keeps people's links as verdicts (migration 014), and the derived counts follow them", () => {
    const migrations = loadMigrations();
    const db = openDatabase(":memory:", migrations.filter((m) => m.version < 14));
    storeAtOlderSchema(db, [deployment("d1", T0), deployment("d2", T0 + 10 * HOUR), incident("i1", T0 + 11 * HOUR)]);
    const [i1, d1] = [db.prepare(`SELECT id FROM incidents WHERE external_id = 'i1'`).pluck().get(), db.prepare(`SELECT id FROM deployments WHERE external_id = 'd1'`).pluck().get()];
    db.prepare(`UPDATE incidents SET linked_deployment_id = ?, link_rule = 'manual' WHERE id = ?`).run(d1, i1);
    migrate(db, migrations);
    expect(db.prepare(`SELECT linked_deployment_id, link_rule, verdict, verdict_deployment_id FROM incidents`).get()).toEqual({ linked_deployment_id: d1, link_rule: "manual", verdict: "deployment", verdict_deployment_id: d1 });
    // A later write near the incident leaves the person's link alone.
    createStore(db).write([deployment("d3", T0 + 10.5 * HOUR)]);
    expect(counts(db)).toMatchObject({ d1: [1, 0], d2: [0, 0], d3: [0, 0] });
    expect(countMismatches(db)).toEqual([]);
    expectConsistent(db);
  });
});

describe("DERIVED_VERSION", () => {
  it("rebuilds the derived data at open when the database's differs, and only then", () => {
    const store = createStore(openDatabase(":memory:"));
    store.write([deployment("d1", T0, { changes: [{ sha: "a1", committedAtMs: T0 - HOUR }] }), incident("i1", T0 + HOUR), sample("requests", T0, 10)]);
    const version = () => store.db.prepare(`SELECT value FROM derived_settings WHERE key = 'derived_version'`).pluck().get();
    expect(version()).toBe(String(DERIVED_VERSION));
    // Derived rows made by other definitions (here: spoiled by hand).
    store.db.exec(`UPDATE stage_days SET coding = 1; UPDATE deployments SET linked_incidents = 7, caused_failure = 0; UPDATE changes SET lead_seconds = 1; DELETE FROM sample_points`);
    const spoiled = derivedRows(store.db);
    expect(ensureVersion(store.db)).toBe(false);
    expect(derivedRows(store.db)).toEqual(spoiled);
    expect(ensureVersion(store.db, DERIVED_VERSION + 1)).toBe(true);
    expect(version()).toBe(String(DERIVED_VERSION + 1));
    expect(counts(store.db)).toEqual({ d1: [1, 0] });
    expect(flags(store.db)).toEqual({ d1: [1, 0] });
    expect(derivedRows(store.db)).not.toEqual(spoiled);
    expectConsistent(store.db);
    // Opening with this code's version again rebuilds once more, then no more.
    createStore(store.db);
    expect(version()).toBe(String(DERIVED_VERSION));
    expect(ensureVersion(store.db)).toBe(false);
  });
});

describe("the org-wide reads", () => {
  it("take the derived columns from the covering indexes (no table rows)", () => {
    const store = createStore(openDatabase(":memory:"));
    const plans = [
      `SELECT group_concat(service_id), group_concat((status = 'success') + 2 * caused_failure + 4 * is_rework) FROM deployments INDEXED BY deployments_metrics_time WHERE environment = 'production' AND finished_at >= 0 AND finished_at < 1`,
      `SELECT group_concat(coalesce(lead_seconds * 8 + pr_size_bucket, -1)), group_concat(service_id) FROM changes INDEXED BY changes_metrics_time WHERE first_deployed_at >= 0 AND first_deployed_at < 1`,
    ].map((sql) => (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<{ detail: string }>).map((r) => r.detail).join("; "));
    expect(plans[0]).toContain("COVERING INDEX deployments_metrics_time");
    expect(plans[1]).toContain("COVERING INDEX changes_metrics_time");
  });
});
