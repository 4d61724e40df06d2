import { describe, expect, it } from "vitest";
import type { SampleName } from "../../src/domain/metric-ids.js";
import type { ChangeRecord, VitalsRecord } from "../../src/domain/records.js";
import { loadMigrations, migrate, openDatabase, type Db } from "../../src/store/db.js";
import { createStore } from "../../src/store/index.js";
import { DEPLOY_FLAGS, LEAD_CODE } from "../../src/store/metric-reads.js";

// What migrations 009–012 keep beside the records (failure counts on deployments, paired samples,
// stage sums per day, the indexed lead code) must always equal what the records say, whichever
// write path changed them.

const T0 = Date.parse("2026-03-02T10:00:00Z");
const HOUR = 3_600_000;

const deployment = (id: string, at: number, extra: Partial<Extract<VitalsRecord, { kind: "deployment" }>> = {}): VitalsRecord => ({
  kind: "deployment", source: "import", externalId: id, service: "checkout", environment: "production", status: "success", finishedAtMs: at, ...extra,
});
const incident = (id: string, at: number, extra: Partial<Extract<VitalsRecord, { kind: "incident" }>> = {}): VitalsRecord => ({
  kind: "incident", source: "import", externalId: id, service: "checkout", title: id, createdAtMs: at, ...extra,
});
const sample = (name: SampleName, at: number, value: number, service = "checkout"): VitalsRecord => ({ kind: "metric", source: "prometheus", service, name, atMs: at, value });

/**
 * Records as they would have been stored before a migration: written by today's store into a
 * scratch database, then copied row by row (the columns the older schema has) into `db`, so the
 * older schema's own triggers run. Today's store cannot write to an older schema directly (its
 * statements name columns later migrations add).
 */
const DERIVED = new Set(["linked_incidents", "successful_rollbacks"]); // the older schema's triggers count them

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

describe("failure counts on deployments", () => {
  it("follow links, relinks, rollbacks resolved later, manual links and unlinks", () => {
    const store = createStore(openDatabase(":memory:"));
    store.write([deployment("d1", T0), deployment("d2", T0 + 10 * HOUR), incident("i1", T0 + HOUR), incident("i2", T0 + 2 * HOUR), incident("i3", T0 + 11 * HOUR)]);
    expect(counts(store.db)).toEqual({ d1: [2, 0], d2: [1, 0] });

    // A deployment between d1 and i2 takes over i2's link (relink on write).
    store.write([deployment("d1b", T0 + 1.5 * HOUR)]);
    expect(counts(store.db)).toEqual({ d1: [1, 0], d1b: [1, 0], d2: [1, 0] });

    // A rollback of d2 arrives: d2 now has a successful rollback.
    store.write([deployment("r1", T0 + 12 * HOUR, { rollbackOf: "d2" })]);
    expect(counts(store.db)["d2"]).toEqual([1, 1]);
    // The rollback is re-reported as failed: it no longer counts.
    store.write([deployment("r1", T0 + 12 * HOUR, { rollbackOf: "d2", status: "failure" })]);
    expect(counts(store.db)["d2"]).toEqual([1, 0]);

    const i3 = store.db.prepare(`SELECT id FROM incidents WHERE external_id = 'i3'`).pluck().get() as number;
    const d1 = store.db.prepare(`SELECT id FROM deployments WHERE external_id = 'd1'`).pluck().get() as number;
    store.links.setManualLink(i3, d1);
    expect(counts(store.db)).toMatchObject({ d1: [2, 0], d2: [0, 0] });
    store.links.setManualLink(i3, null); // back to the rules: d2 again
    expect(counts(store.db)).toMatchObject({ d1: [1, 0], d2: [1, 0] });
    expect(countMismatches(store.db)).toEqual([]);
  });

  it("are computed for the deployments already stored when migration 009 runs", () => {
    const migrations = loadMigrations();
    const db = openDatabase(":memory:", migrations.filter((m) => m.version < 9));
    storeAtOlderSchema(db, [deployment("d1", T0), incident("i1", T0 + HOUR), incident("i2", T0 + 2 * HOUR), deployment("d2", T0 + 5 * HOUR), deployment("r2", T0 + 6 * HOUR, { rollbackOf: "d2" })]);
    migrate(db, migrations);
    expect(counts(db)).toEqual({ d1: [2, 0], d2: [0, 1], r2: [0, 0] });
    expect(countMismatches(db)).toEqual([]);
  });
});

describe("people's links when migration 014 runs", () => {
  it("become verdicts that keep the link, and the failure counts stay as they were", () => {
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
  });

  it("drop a sample's value when it is deleted or renamed, and the row with the last value", () => {
    const store = createStore(openDatabase(":memory:"));
    store.write([sample("latency_p95_ms", T0, 120), sample("requests", T0, 1000), sample("errors", T0 + HOUR, 3)]);
    store.db.prepare(`DELETE FROM samples WHERE name = 'requests'`).run();
    store.db.prepare(`UPDATE samples SET name = 'coverage_pct' WHERE name = 'errors'`).run();
    expect(points(store.db)).toEqual([{ service_id: "checkout", at: T0, source: "prometheus", latency_p95_ms: 120, requests: null, errors: null, error_rate_pct: null }]);
    expect(points(store.db)).toEqual(pairedFromSamples(store.db));
  });

  it("are built from the samples already stored when migration 010 runs", () => {
    const migrations = loadMigrations();
    const db = openDatabase(":memory:", migrations.filter((m) => m.version < 10));
    storeAtOlderSchema(db, [sample("latency_p95_ms", T0, 120), sample("requests", T0, 1000), sample("error_rate_pct", T0 + HOUR, 0.2, "gateway")]);
    migrate(db, migrations);
    expect(points(db)).toHaveLength(2);
    expect(points(db)).toEqual(pairedFromSamples(db));
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

describe("stage sums per day", () => {
  const DAY = 24 * HOUR;
  const pr = (sha: string, number: number, extra: Partial<NonNullable<ChangeRecord["pr"]>> = {}): ChangeRecord => ({
    sha, committedAtMs: T0 - 3 * DAY, pr: { number, openedAtMs: T0 - 2 * DAY, firstReviewAtMs: T0 - DAY, mergedAtMs: T0 - HOUR, ...extra },
  });

  it("follow first shipments, earlier shipments found later, and PR data that arrives later", () => {
    const store = createStore(openDatabase(":memory:"));
    store.write([deployment("d1", T0, { sha: "a1", changes: [pr("a1", 1), { sha: "b1", committedAtMs: T0 - DAY }] })]);
    expect(stageDays(store.db)).toHaveLength(1);
    // A redeploy adds nothing; the same PR shipped a day earlier by a deployment found later moves its day.
    store.write([deployment("d2", T0 + DAY, { sha: "a1", changes: [pr("a1", 1)] })]);
    store.write([deployment("d0", T0 - 20 * HOUR, { sha: "a1", changes: [pr("a1", 1, { mergedAtMs: T0 - 21 * HOUR })] })]);
    // Review data arrives for another PR.
    store.write([deployment("d3", T0 + 2 * DAY, { sha: "c1", changes: [pr("c1", 3, { firstReviewAtMs: undefined })] })]);
    store.write([deployment("d3", T0 + 2 * DAY, { sha: "c1", changes: [pr("c1", 3)] })]);
    expect(stageDays(store.db)).toEqual(stageDaysFromChanges(store.db));
    expect(stageDays(store.db).length).toBeGreaterThanOrEqual(3);
  });

  it("are built from the changes already stored when migration 012 runs", () => {
    const migrations = loadMigrations();
    const db = openDatabase(":memory:", migrations.filter((m) => m.version < 12));
    storeAtOlderSchema(db, [deployment("d1", T0, { sha: "a1", changes: [pr("a1", 1)] }), deployment("d2", T0 + DAY, { sha: "c1", changes: [pr("c1", 2, { mergedAtMs: undefined })] })]);
    migrate(db, migrations);
    expect(stageDays(db)).toHaveLength(2);
    expect(stageDays(db)).toEqual(stageDaysFromChanges(db));
  });
});

describe("the indexed expressions", () => {
  const normalise = (sql: string) => sql.replace(/\s+/g, " ");
  it.each([
    { name: "lead code", version: 11, expression: LEAD_CODE },
    { name: "deployment flags", version: 13, expression: DEPLOY_FLAGS },
  ])("$name: the read uses the indexed expression, so SQLite reads it from the index", ({ version, expression }) => {
    expect(normalise(loadMigrations().find((m) => m.version === version)!.sql)).toContain(normalise(expression));
  });
});
