import { beforeEach, describe, expect, it } from "vitest";
import type { SampleName } from "../../src/domain/metric-ids.js";
import type { ChangeRecord, SampleRecord, VitalsRecord } from "../../src/domain/records.js";
import { createRandom, type Random } from "../../src/sources/demo/random.js";
import { Touches } from "../../src/store/derived/engine.js";
import { DEFAULT_STORE_OPTIONS, type RecordWriteResult } from "../../src/store/index.js";
import { storeOps } from "../../src/store/operations.js";
import { addStats, emptyStats } from "../../src/store/write-stats.js";
import { postgresEngineOfFile, sqliteEngine, type PostgresEngine, type SqliteEngine } from "../support/sql-engines.js";
import { byNaturalKeys, naturalKeys, postgresTables, sqliteTables, type Tables } from "../support/store-tables.js";

// A batch is written with a few set-based statements (src/store/sql/waves.ts); writing its records
// one by one, each its own write, is the definition it must meet: the same counts, the same
// incidents reported changed, the same rows in every table (derived data and ids included). The
// batches are random and full of what makes set-based writing hard: a deployment, incident or
// sample twice in one batch (changed, or the same again), pull requests shipped by several
// deployments, commits moving between deployments, rollbacks of deployments not seen yet.

const T0 = Date.parse("2026-05-04T08:00:00Z");
const HOUR = 3_600_000;
const SERVICES = ["checkout", "gateway", "search"];

function randomRecords(random: Random, count: number): VitalsRecord[] {
  const records: VitalsRecord[] = [];
  // A record sent again as it was, or with only its changes or resolution different.
  const sent = new Map<string, VitalsRecord>();
  const again = (record: VitalsRecord): VitalsRecord => {
    const key = `${record.kind}:${"externalId" in record ? record.externalId : ""}`;
    const earlier = sent.get(key);
    sent.set(key, record);
    if (!earlier || !random.chance(0.5)) return record;
    let repeated = earlier;
    if (record.kind === "deployment" && earlier.kind === "deployment" && random.chance(0.6)) {
      const known = earlier.changes ?? [];
      const pr = known.find((c) => c.pr)?.pr;
      // Another commit of a PR it shipped (a link, and no fact of the change, is new); one commit
      // fewer; or other changes altogether.
      const changes = random.pick([
        pr ? [...known, { sha: `c${random.int(41, 60)}aaaa`, committedAtMs: T0 + 100 * HOUR, pr: { number: pr.number } }] : known,
        known.slice(1),
        record.changes ?? known,
      ]);
      repeated = { ...earlier, changes };
    }
    sent.set(key, repeated);
    return repeated;
  };
  const at = () => T0 + Math.floor(random.between(0, 96)) * HOUR;
  const pr = (): ChangeRecord["pr"] => {
    const number = random.int(1, 12);
    return {
      number,
      ...(random.chance(0.6) ? { openedAtMs: T0 - random.int(1, 30) * HOUR } : {}),
      ...(random.chance(0.4) ? { firstReviewAtMs: T0 - random.int(0, 5) * HOUR } : {}),
      ...(random.chance(0.5) ? { mergedAtMs: T0 + random.int(0, 5) * HOUR } : {}),
      ...(random.chance(0.3) ? { size: random.int(1, 3) * 50 } : {}),
      ...(random.chance(0.3) ? { labels: random.pick([["feature"], ["bug"], ["feature", "ui"]]) } : {}),
      ...(random.chance(0.3) ? { title: random.pick(["Fix", "Add", "Tune"]), author: random.pick(["ana", "bo"]) } : {}),
    };
  };
  for (let i = 0; i < count; i++) {
    const kind = random.pick(["deployment", "deployment", "deployment", "incident", "metric", "metric", "annotation"] as const);
    const service = random.pick(SERVICES);
    if (kind === "deployment") {
      const changes = Array.from({ length: random.int(0, 3) }, (): ChangeRecord => {
        const sha = `c${random.int(1, 40)}aaaa`;
        return { sha, committedAtMs: T0 - random.int(1, 48) * HOUR, ...(random.chance(0.5) ? { pr: pr() } : {}) };
      });
      const finishedAtMs = at();
      records.push(again({
        kind,
        source: "github",
        externalId: `d${random.int(1, 30)}`,
        service: random.chance(0.9) ? service : "checkout",
        environment: random.chance(0.8) ? "production" : "staging",
        status: random.chance(0.8) ? "success" : "failure",
        finishedAtMs,
        startedAtMs: finishedAtMs - 600_000,
        ...(random.chance(0.7) ? { sha: `s${random.int(1, 40)}bbbb` } : {}),
        ...(random.chance(0.15) ? { rollbackOf: `d${random.int(1, 30)}` } : {}),
        ...(random.chance(0.1) ? { hotfix: true } : {}),
        ...(random.chance(0.85) ? { changes } : {}),
      }));
    } else if (kind === "incident") {
      const createdAtMs = at();
      records.push(again({
        kind,
        source: "pagerduty",
        externalId: `i${random.int(1, 20)}`,
        ...(random.chance(0.9) ? { service } : { externalService: "PXYZ" }),
        title: random.pick(["Checkout down", "Slow search"]),
        createdAtMs,
        ...(random.chance(0.6) ? { resolvedAtMs: createdAtMs + random.int(1, 6) * HOUR } : {}),
        ...(random.chance(0.3) ? { severity: random.pick(["SEV1", "SEV2"]) } : {}),
        ...(random.chance(0.2) ? { deploymentRef: random.chance(0.5) ? `d${random.int(1, 30)}` : `s${random.int(1, 40)}bb` } : {}),
        ...(random.chance(0.1) ? { changeCaused: false } : {}),
      }));
    } else if (kind === "metric") {
      const name = random.pick<SampleName>(["latency_p95_ms", "requests", "errors", "coverage_pct", "infra_cost_usd"]);
      records.push({
        kind,
        source: "prometheus",
        ...(name === "infra_cost_usd" && random.chance(0.5) ? {} : { service }),
        name,
        atMs: T0 + random.int(0, 4) * HOUR,
        value: random.pick([1, 2.5, 0.1 + 0.2, 1000, 1234.5678]),
      });
    } else {
      records.push({ kind, source: "slack", externalId: `a${random.int(1, 6)}`, atMs: at(), text: random.pick(["Freeze", "Launch"]), service });
    }
  }
  return records;
}

interface Outcome {
  result: Omit<RecordWriteResult, "relinked" | "duplicate" | "changedIncidentIds">;
  /** The incidents reported changed, in order, by natural key. */
  changed: (string | undefined)[];
  tables: Tables;
}

function sum(results: readonly RecordWriteResult[], tables: Tables): Outcome {
  const incidents = naturalKeys(tables)["incidents"]!;
  const total = { deployments: emptyStats(), incidents: emptyStats(), samples: emptyStats(), annotations: emptyStats() };
  for (const r of results) for (const kind of ["deployments", "incidents", "samples", "annotations"] as const) addStats(total[kind], r[kind]);
  return { result: total, changed: results.flatMap((r) => r.changedIncidentIds.map((id) => incidents.get(id))), tables };
}

const chunks = <T>(items: readonly T[], size: number): T[][] => Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

function onSqlite(batches: readonly (readonly VitalsRecord[])[]): { engine: SqliteEngine; outcome: Outcome } {
  const engine = sqliteEngine();
  const ops = storeOps(engine.dialect, DEFAULT_STORE_OPTIONS);
  const results = batches.map((batch) => engine.runner.transaction(ops.write(batch)));
  return { engine, outcome: sum(results, sqliteTables(engine)) };
}

async function onPostgres(engine: PostgresEngine, batches: readonly (readonly VitalsRecord[])[]): Promise<Outcome> {
  await engine.truncate();
  const ops = storeOps(engine.dialect, DEFAULT_STORE_OPTIONS);
  const results: RecordWriteResult[] = [];
  for (const batch of batches) results.push(await engine.runner.transaction(ops.write(batch)));
  return sum(results, await postgresTables(engine));
}

const byKeys = (outcome: Outcome) => ({ ...outcome, tables: byNaturalKeys(outcome.tables) });

// A sample written three times in one batch (changed, the same again, changed), a paired one
// among them, and an incident written three times (changed, the same, changed) around another:
// each later write must see the earlier ones, and the changed incidents come in record order (the
// third i1, of the third wave, before i2, of the first).
function repeatedKeys(): VitalsRecord[] {
  const sample = (value: number, untilMs?: number): VitalsRecord => ({ kind: "metric", source: "prometheus", service: "checkout", name: "latency_p95_ms", atMs: T0, value, ...(untilMs === undefined ? {} : { untilMs }) });
  const incident = (externalId: string, title: string): VitalsRecord => ({ kind: "incident", source: "pagerduty", externalId, service: "checkout", title, createdAtMs: T0 });
  return [
    sample(120),
    incident("i1", "Checkout down"),
    { kind: "metric", source: "prometheus", name: "infra_cost_usd", atMs: T0, untilMs: T0 + 24 * HOUR, value: 0.1 + 0.2 },
    sample(120),
    incident("i1", "Checkout down"),
    sample(95.5),
    incident("i1", "Checkout down again"),
    incident("i2", "Slow search"),
    sample(95.5, T0 + HOUR),
  ];
}

describe("a batch written with set-based statements", () => {
  const postgresOf = postgresEngineOfFile();
  let records: VitalsRecord[];
  beforeEach(() => {
    records = randomRecords(createRandom(19), 240);
  });

  it.each([19, 20, 21])("leaves on SQLite exactly what its records written one by one leave, ids included (seed %i)", (seed) => {
    records = randomRecords(createRandom(seed), 240);
    const batched = onSqlite(chunks(records, 60)).outcome;
    const oneByOne = onSqlite(records.map((r) => [r])).outcome;
    // The batches really are the hard kind: keys repeat inside them.
    expect(batched.result.deployments.updated).toBeGreaterThan(10);
    expect(batched.result.samples.unchanged + batched.result.samples.updated).toBeGreaterThan(10);
    expect(batched.tables["deployment_changes"]!.length).toBeGreaterThan(20);
    expect(batched).toEqual(oneByOne);
    // Written again, the same batches change nothing.
    const { engine } = onSqlite(chunks(records, 60));
    const ops = storeOps(engine.dialect, DEFAULT_STORE_OPTIONS);
    const before = sqliteTables(engine);
    for (const batch of chunks(records, 60)) engine.runner.transaction(ops.write(batch));
    expect(sqliteTables(engine)).toEqual(before);
  });

  it("leaves on PostgreSQL what its records written one by one leave, and what SQLite leaves", async () => {
    const batched = await onPostgres(postgresOf(), chunks(records, 60));
    const oneByOne = await onPostgres(postgresOf(), records.map((r) => [r]));
    expect(byKeys(batched)).toEqual(byKeys(oneByOne));
    expect(byKeys(batched)).toEqual(byKeys(onSqlite(chunks(records, 60)).outcome));
  }, 120_000);

  it("refreshes the first deployment of a change whose commit moved to another change", async () => {
    const pr = { number: 5, openedAtMs: T0 - 3 * HOUR };
    const shipped: VitalsRecord = {
      kind: "deployment", source: "github", externalId: "d1", service: "checkout", environment: "production", status: "success", finishedAtMs: T0,
      changes: [{ sha: "c1aaaa", committedAtMs: T0 - 5 * HOUR, pr }],
    };
    // The same deployment again, its commit now listed without the PR: the PR's change ships nowhere.
    const moved: VitalsRecord = { ...shipped, changes: [{ sha: "c1aaaa", committedAtMs: T0 - 5 * HOUR }] };
    const firstOf = (rows: Record<string, unknown>[]) => Object.fromEntries(rows.map((c) => [c["change_key"], c["first_deployed_at"]]));
    const sqlite = sqliteEngine();
    const ops = storeOps(sqlite.dialect, DEFAULT_STORE_OPTIONS);
    sqlite.runner.transaction(ops.write([shipped]));
    expect(sqlite.runner.transaction(ops.write([moved])).deployments).toEqual({ inserted: 0, updated: 1, unchanged: 0 });
    expect(firstOf(sqliteTables(sqlite)["changes"]!)).toEqual({ "pr:5": null, "sha:c1aaaa": T0 });
    const postgres = postgresOf();
    await postgres.truncate();
    const onPostgres = storeOps(postgres.dialect, DEFAULT_STORE_OPTIONS);
    await postgres.runner.transaction(onPostgres.write([shipped]));
    await postgres.runner.transaction(onPostgres.write([moved]));
    expect(firstOf((await postgresTables(postgres))["changes"]!)).toEqual({ "pr:5": null, "sha:c1aaaa": T0 });
  });

  it("sees, for a key written several times in one batch, each earlier write of it (both engines)", async () => {
    const batches = [[], repeatedKeys(), repeatedKeys()];
    const batched = onSqlite(batches).outcome;
    // The second batch starts from what the first left: its first sample and incident change it back.
    expect(batched.result.samples).toEqual({ inserted: 2, updated: 2 + 3, unchanged: 1 + 2 });
    expect(batched.result.incidents).toEqual({ inserted: 2, updated: 1 + 2, unchanged: 1 + 2 });
    expect(batched.changed).toEqual(["pagerduty/i1", "pagerduty/i1", "pagerduty/i2", "pagerduty/i1", "pagerduty/i1"]);
    expect(batched.tables["samples"]).toEqual(expect.arrayContaining([expect.objectContaining({ service_id: "checkout", value: 95.5, until_at: T0 + HOUR })]));
    expect(batched.tables["sample_points"]!.length).toBeGreaterThan(0);
    const oneByOne = onSqlite(batches.flatMap((batch) => batch.map((r) => [r]))).outcome;
    expect(batched).toEqual(oneByOne);
    expect(byKeys(await onPostgres(postgresOf(), batches))).toEqual(byKeys(batched));
  }, 60_000);

  it("touches the paired points of the samples it changes, no others, as one-by-one writes do (both engines)", async () => {
    const sample = (name: SampleName, atMs: number, value: number): SampleRecord => ({ source: "prometheus", service: "checkout", name, atMs, value });
    const first = [sample("latency_p95_ms", T0, 120), sample("requests", T0 + HOUR, 5)];
    // The requests sample is written again unchanged: its point needs no refresh.
    const second = [sample("requests", T0 + HOUR, 5), sample("latency_p95_ms", T0, 120), sample("latency_p95_ms", T0, 130)];
    const touchedKeys = (touches: Touches) => [...touches.pending.values()].flatMap((keys) => [...keys.values()]);
    const sqlite = sqliteEngine();
    const sqliteOps = storeOps(sqlite.dialect, DEFAULT_STORE_OPTIONS);
    const touchedOnSqlite = (batches: readonly SampleRecord[][]) => {
      const touches = new Touches();
      for (const batch of batches) sqlite.runner.transaction(sqliteOps.samples.upsertMany(batch, touches));
      return touchedKeys(touches);
    };
    sqlite.runner.transaction(sqliteOps.samples.upsertMany(first));
    expect(touchedOnSqlite([second])).toEqual([["checkout", T0, "prometheus"]]);
    expect(touchedOnSqlite(second.map((r) => [r]))).toEqual([["checkout", T0, "prometheus"]]);

    const postgres = postgresOf();
    await postgres.truncate();
    const postgresOps = storeOps(postgres.dialect, DEFAULT_STORE_OPTIONS);
    await postgres.runner.transaction(postgresOps.samples.upsertMany(first));
    const touches = new Touches();
    expect(await postgres.runner.transaction(postgresOps.samples.upsertMany(second, touches))).toEqual({ inserted: 0, updated: 1, unchanged: 2 });
    expect(touchedKeys(touches)).toEqual([["checkout", T0, "prometheus"]]);
  });
});
