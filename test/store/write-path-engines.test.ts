import { beforeEach, describe, expect, it } from "vitest";
import type { StoreOptions } from "../../src/config/store-options.js";
import type { IncidentFilters, ResolvedIncidentFilters } from "../../src/domain/incident-filter.js";
import type { SampleName } from "../../src/domain/metric-ids.js";
import type { ChangeRecord, VitalsRecord } from "../../src/domain/records.js";
import { DEFAULT_STORE_OPTIONS, type RecordWriteResult, type WriteAlso } from "../../src/store/index.js";
import { storeOps } from "../../src/store/operations.js";
import type { Dialect } from "../../src/store/sql/dialect.js";
import { run } from "../../src/store/sql/query.js";
import { postgresEngineOfFile, sqliteEngine } from "../support/sql-engines.js";
import { expectSameTables, postgresTables, resultByKeys, sqliteTables, type Engines, type Tables } from "../support/store-tables.js";

// The write path (src/store/operations.ts `write`) is one operation for both engines: the same
// batches written through it on SQLite and on PostgreSQL must report the same WriteStats and leave
// the same rows in every table, ids included (both number rows from 1), derived data included.

const T0 = Date.parse("2026-03-02T10:00:00Z");
const HOUR = 3_600_000;

type Deployment = Extract<VitalsRecord, { kind: "deployment" }>;
type Incident = Extract<VitalsRecord, { kind: "incident" }>;

const deployment = (id: string, at: number, extra: Partial<Deployment> = {}): VitalsRecord => ({
  kind: "deployment", source: "github", externalId: id, service: "checkout", environment: "production", status: "success", finishedAtMs: at, startedAtMs: at - 600_000, sha: `${id}aaaa0000`, ...extra,
});
const incident = (id: string, at: number, extra: Partial<Incident> = {}): VitalsRecord => ({
  kind: "incident", source: "pagerduty", externalId: id, service: "checkout", title: `Incident ${id}`, createdAtMs: at, ...extra,
});
const sample = (name: SampleName, at: number, value: number, service: string | undefined = "checkout"): VitalsRecord => ({ kind: "metric", source: "prometheus", service, name, atMs: at, value });
const commit = (sha: string, at: number, pr?: ChangeRecord["pr"]): ChangeRecord => ({ sha, committedAtMs: at, pr });

const FIRST: VitalsRecord[] = [
  deployment("d1", T0, {
    changes: [
      commit("c1aaaa01", T0 - 5 * HOUR, { number: 7, openedAtMs: T0 - 4 * HOUR, firstReviewAtMs: T0 - 3 * HOUR, mergedAtMs: T0 - HOUR, size: 120, labels: ["feature"], headBranch: "feat/x", title: "X", author: "ana", url: "https://example.test/pr/7" }),
      commit("c1aaaa02", T0 - 6 * HOUR, { number: 7 }),
      commit("c1bbbb03", T0 - 2 * HOUR),
    ],
  }),
  deployment("d2", T0 + 10 * HOUR, { changes: [commit("c2aaaa01", T0 + 8 * HOUR, { number: 8, openedAtMs: T0 + 8.5 * HOUR, mergedAtMs: T0 + 9 * HOUR })] }),
  deployment("d2-staging", T0 + 9 * HOUR, { environment: "staging", changes: [commit("c2aaaa01", T0 + 8 * HOUR, { number: 8 })] }),
  deployment("d3", T0 + 20 * HOUR, { status: "failure" }),
  deployment("r1", T0 + 12 * HOUR, { rollbackOf: "d2" }),
  deployment("h1", T0 + 13 * HOUR, { hotfix: true, changes: [commit("c3aaaa01", T0 + 12.5 * HOUR)] }),
  // Rolls back a deployment that has not arrived yet (it comes in the second batch).
  deployment("r2", T0 + 40 * HOUR, { rollbackOf: "d5" }),
  deployment("g1", T0 + HOUR, { service: "gateway", url: "https://example.test/deploy/g1" }),
  incident("i1", T0 + HOUR, { deploymentRef: "d1", severity: "SEV1", urgency: "high" }),
  incident("i2", T0 + 11 * HOUR, { deploymentRef: "c2aaaa", priority: "P2" }),
  incident("i3", T0 + 14 * HOUR, { acknowledgedAtMs: T0 + 14.2 * HOUR, ownerName: "Bo", ownerEmail: "bo@example.test" }),
  incident("i4", T0 + 60 * HOUR, { status: "triggered" }),
  incident("i5", T0 + 2 * HOUR, { changeCaused: false, resolvedAtMs: T0 + 3 * HOUR }),
  incident("i6", T0 + 2 * HOUR, { service: undefined, externalService: "PXYZ", escalationPolicy: "Ops" }),
  incident("i7", T0 + 2 * HOUR, { service: "gateway", url: "https://example.test/i7" }),
  sample("latency_p95_ms", T0, 120.5),
  sample("requests", T0, 1000),
  sample("errors", T0, 5),
  sample("error_rate_pct", T0 + HOUR, 0.1 + 0.2),
  sample("latency_p95_ms", T0 + HOUR, 90, "gateway"),
  sample("coverage_pct", T0, 80.25),
  sample("infra_cost_usd", T0, 1234.5678, undefined),
  { kind: "metric", source: "cost", name: "infra_cost_usd", atMs: T0, untilMs: T0 + 24 * HOUR, value: 99.99 },
  { kind: "annotation", source: "slack", externalId: "a1", atMs: T0 + 5 * HOUR, text: "Feature freeze", service: "checkout", author: "U1" },
  { kind: "annotation", source: "api", externalId: "a2", atMs: T0 + 6 * HOUR, text: "Org offsite", team: "payments" },
];

const SECOND: VitalsRecord[] = [
  // d1 no longer ships c1bbbb03, ships a new commit, and its PR gained a review time.
  deployment("d1", T0, {
    changes: [
      commit("c1aaaa01", T0 - 5 * HOUR, { number: 7, firstReviewAtMs: T0 - 2.5 * HOUR }),
      commit("c1cccc04", T0 - 1.5 * HOUR),
    ],
  }),
  deployment("d1b", T0 + 1.5 * HOUR),
  deployment("d2", T0 + 10 * HOUR, { status: "failure" }),
  deployment("d5", T0 + 39 * HOUR),
  deployment("r1", T0 + 12 * HOUR, { rollbackOf: "d2", status: "failure" }),
  incident("i3", T0 + 14 * HOUR, { acknowledgedAtMs: T0 + 14.2 * HOUR, resolvedAtMs: T0 + 16 * HOUR, ownerName: "Bo", ownerEmail: "bo@example.test" }),
  incident("i8", T0 + 39.5 * HOUR, { severity: "SEV2" }),
  incident("i9", T0 + 11 * HOUR, { deploymentRef: "c1cccc" }),
  sample("requests", T0, 1200),
  sample("latency_p95_ms", T0 + 2 * HOUR, 101.125),
  { kind: "annotation", source: "slack", externalId: "a1", atMs: T0 + 5 * HOUR, text: "Feature freeze (extended)", service: "checkout", author: "U1" },
];

/** Write `records` on both engines, each in one transaction; both must report the same. */
async function writeBoth({ sqlite, postgres }: Engines, records: readonly VitalsRecord[], also?: WriteAlso): Promise<RecordWriteResult> {
  const onSqlite = sqlite.runner.transaction(storeOps(sqlite.dialect, DEFAULT_STORE_OPTIONS).write(records, also));
  const onPostgres = await postgres.runner.transaction(storeOps(postgres.dialect, DEFAULT_STORE_OPTIONS).write(records, also));
  expect(resultByKeys(onPostgres, await postgresTables(postgres))).toEqual(resultByKeys(onSqlite, sqliteTables(sqlite)));
  return onSqlite;
}

const ONLY_UNCHANGED = (count: { deployments: number; incidents: number; samples: number; annotations: number }) => ({
  deployments: { inserted: 0, updated: 0, unchanged: count.deployments },
  incidents: { inserted: 0, updated: 0, unchanged: count.incidents },
  samples: { inserted: 0, updated: 0, unchanged: count.samples },
  annotations: { inserted: 0, updated: 0, unchanged: count.annotations },
  relinked: 0,
  changedIncidentIds: [],
  duplicate: false,
});

async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200 && !(await condition()); i++) await new Promise((resolve) => setTimeout(resolve, 25));
  expect(await condition()).toBe(true);
}

const rowsOf = (tables: Record<string, Record<string, unknown>[]>, table: string) => tables[table] ?? [];

describe("the write path on both engines", () => {
  const postgresOf = postgresEngineOfFile();
  let engines: Engines;
  beforeEach(async () => {
    await postgresOf().truncate();
    engines = { sqlite: sqliteEngine(), postgres: postgresOf() };
  });

  it("writes, rewrites and re-sends batches with the same stats and the same rows", async () => {
    const first = await writeBoth(engines, FIRST);
    expect(first.deployments).toEqual({ inserted: 8, updated: 0, unchanged: 0 });
    expect(first.incidents).toEqual({ inserted: 7, updated: 0, unchanged: 0 });
    expect(first.samples).toEqual({ inserted: 8, updated: 0, unchanged: 0 });
    expect(first.annotations).toEqual({ inserted: 2, updated: 0, unchanged: 0 });
    expect(first.changedIncidentIds).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const afterFirst = await expectSameTables(engines);
    // No deployment or incident of the first batch was written twice: their ids agree as numbers too.
    const postgresFirst = await postgresTables(postgresOf());
    for (const table of ["deployments", "incidents"]) expect(postgresFirst[table]).toEqual(afterFirst[table]);

    // The links the rules give, the same on both (the tables are compared whole above).
    const links = Object.fromEntries(rowsOf(afterFirst, "incidents").map((i) => [i["external_id"], [i["linked_deployment_id"], i["link_rule"]]]));
    const idOf = Object.fromEntries(rowsOf(afterFirst, "deployments").map((d) => [d["external_id"], d["id"]]));
    expect(links).toEqual({
      i1: [idOf["d1"], "explicit"],
      i2: [idOf["d2"], "explicit"],
      i3: [idOf["h1"], "heuristic"],
      i4: [idOf["r2"], "heuristic"],
      i5: [null, null],
      i6: [null, null],
      i7: [idOf["g1"], "heuristic"],
    });
    expect(rowsOf(afterFirst, "deployments").find((d) => d["external_id"] === "r2")).toMatchObject({ rollback_of: "d5", rollback_of_id: null });
    expect(rowsOf(afterFirst, "sample_points").length).toBeGreaterThan(0);

    const second = await writeBoth(engines, SECOND);
    expect(second.deployments).toEqual({ inserted: 2, updated: 3, unchanged: 0 });
    expect(second.incidents).toEqual({ inserted: 2, updated: 1, unchanged: 0 });
    expect(second.samples).toEqual({ inserted: 1, updated: 1, unchanged: 0 });
    expect(second.annotations).toEqual({ inserted: 0, updated: 1, unchanged: 0 });
    expect(second.relinked).toBeGreaterThan(0);
    const afterSecond = await expectSameTables(engines);
    // The late deployment resolved the earlier rollback of it.
    expect(rowsOf(afterSecond, "deployments").find((d) => d["external_id"] === "r2")).toMatchObject({ rollback_of_id: idOf["d5"] ?? rowsOf(afterSecond, "deployments").find((d) => d["external_id"] === "d5")!["id"] });
    expect(afterSecond).not.toEqual(afterFirst);

    // The same batch again changes nothing, anywhere.
    expect(await writeBoth(engines, SECOND)).toEqual(ONLY_UNCHANGED({ deployments: 5, incidents: 3, samples: 2, annotations: 1 }));
    expect(await expectSameTables(engines)).toEqual(afterSecond);
    expect(await writeBoth(engines, FIRST)).toMatchObject({ incidents: { inserted: 0 }, annotations: { inserted: 0 }, duplicate: false });
    await expectSameTables(engines);
  });

  it("rolls a batch with a bad record back whole, its cursor too, on both", async () => {
    await writeBoth(engines, FIRST);
    const before = await expectSameTables(engines);
    const bad = [...SECOND.slice(0, 4), { ...(deployment("dx", T0 + 3 * HOUR) as Deployment), status: "queued" } as unknown as VitalsRecord, ...SECOND.slice(4)];
    const cursor = { source: "github", key: "acme/checkout", cursor: "page-2", etag: "W/1", atMs: T0 } as const;
    expect(() => engines.sqlite.runner.transaction(storeOps(engines.sqlite.dialect, DEFAULT_STORE_OPTIONS).write(bad, { cursor }))).toThrow(/CHECK constraint/);
    await expect(postgresOf().runner.transaction(storeOps(postgresOf().dialect, DEFAULT_STORE_OPTIONS).write(bad, { cursor }))).rejects.toThrow(/check constraint/);
    expect(await expectSameTables(engines)).toEqual(before);
  });

  it("saves the cursor with the records, and writes nothing for a delivery already recorded", async () => {
    const delivery = { source: "pagerduty", id: "evt-1", atMs: T0 };
    const cursor = { source: "pagerduty", key: "incidents", cursor: "2026-03-02T10:00:00.000Z", etag: null, atMs: T0 + HOUR };
    const first = await writeBoth(engines, FIRST, { delivery, cursor });
    expect(first).toMatchObject({ duplicate: false, incidents: { inserted: 7 } });
    const written = await expectSameTables(engines);
    expect(rowsOf(written, "webhook_deliveries")).toEqual([{ source: "pagerduty", delivery_id: "evt-1", received_at: T0 }]);
    expect(rowsOf(written, "sync_cursors")).toEqual([{ ...{ source: "pagerduty", key: "incidents", cursor: cursor.cursor, etag: null, last_success_at: T0 + HOUR }, last_error: null, last_error_at: null }]);

    // The redelivery carries other records (and a later cursor): none of it lands.
    const again = await writeBoth(engines, SECOND, { delivery: { ...delivery, atMs: T0 + 5 * HOUR }, cursor: { ...cursor, cursor: "later", atMs: T0 + 5 * HOUR } });
    expect(again).toEqual({
      deployments: { inserted: 0, updated: 0, unchanged: 0 },
      incidents: { inserted: 0, updated: 0, unchanged: 0 },
      samples: { inserted: 0, updated: 0, unchanged: 0 },
      annotations: { inserted: 0, updated: 0, unchanged: 0 },
      relinked: 0,
      changedIncidentIds: [],
      duplicate: true,
    });
    expect(await expectSameTables(engines)).toEqual(written);

    // Another delivery id is a new delivery.
    expect(await writeBoth(engines, SECOND, { delivery: { ...delivery, id: "evt-2" } })).toMatchObject({ duplicate: false, deployments: { inserted: 2 } });
    expect(rowsOf(await expectSameTables(engines), "webhook_deliveries")).toHaveLength(2);
  });

  it("opens a database (derived version, incident filters) the same way on both", async () => {
    await writeBoth(engines, FIRST);
    const openBoth = async (options: StoreOptions) => {
      const onSqlite = engines.sqlite.runner.transaction(storeOps(engines.sqlite.dialect, options).open());
      expect(await postgresOf().runner.transaction(storeOps(postgresOf().dialect, options).open())).toEqual(onSqlite);
      return onSqlite;
    };
    // A database the derived definitions have not been recorded in is rebuilt once, then not again.
    expect(await openBoth(DEFAULT_STORE_OPTIONS)).toEqual({ derivedRebuilt: true, incidentsRefiltered: 0 });
    const written = await expectSameTables(engines);
    expect(await openBoth(DEFAULT_STORE_OPTIONS)).toEqual({ derivedRebuilt: false, incidentsRefiltered: 0 });
    // Only SEV1 incidents count as change failures now: the others lose their links (i1 is SEV1).
    const sev1: ResolvedIncidentFilters = { changeFailure: { severities: ["SEV1"] }, recovery: undefined };
    const incidentFilters: IncidentFilters = { fingerprint: "sev1-only", forService: () => sev1, overrides: [], topLevel: sev1 };
    expect(await openBoth({ ...DEFAULT_STORE_OPTIONS, incidentFilters })).toEqual({ derivedRebuilt: false, incidentsRefiltered: 6 });
    const refiltered = await expectSameTables(engines);
    expect(rowsOf(refiltered, "incidents").filter((i) => i["linked_deployment_id"] !== null).map((i) => i["external_id"])).toEqual(["i1"]);
    expect(refiltered).not.toEqual(written);
    expect(await openBoth({ ...DEFAULT_STORE_OPTIONS, incidentFilters })).toEqual({ derivedRebuilt: false, incidentsRefiltered: 0 });
  });

  it("counts a record another replica inserted between the lookup and the upsert as unchanged, and one delivery once (real server)", async (context) => {
    if (postgresOf().server.engine !== "postgres") context.skip(); // PGlite serves one connection at a time
    const ops = storeOps(postgresOf().dialect, DEFAULT_STORE_OPTIONS);
    const waiting = async () => Number((await postgresOf().pool.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)).rows[0].n);
    // The service exists already: the second writer's first wait is then at the record's own upsert.
    await postgresOf().pool.query(`INSERT INTO services (id) VALUES ('checkout')`);
    const gate = await postgresOf().pool.connect();
    try {
      for (const [records, expected] of [
        [[deployment("d1", T0)], { deployments: 1, incidents: 0, samples: 0, annotations: 0 }],
        [[incident("i1", T0 + HOUR)], { deployments: 0, incidents: 1, samples: 0, annotations: 0 }],
      ] as const) {
        await gate.query(`SELECT pg_advisory_lock(4242)`);
        // The first writer writes, then waits (uncommitted) at the gate.
        const first = postgresOf().runner.transaction((function* () {
          const result = yield* ops.write(records);
          yield* run(`SELECT pg_advisory_xact_lock(4242)`);
          return result;
        })());
        await waitFor(async () => (await waiting()) === 1);
        // The second finds no row, and its upsert waits for the first's.
        const second = postgresOf().runner.transaction(ops.write(records));
        await waitFor(async () => (await waiting()) === 2);
        await gate.query(`SELECT pg_advisory_unlock(4242)`);
        expect(await first).toMatchObject({ deployments: { inserted: expected.deployments }, incidents: { inserted: expected.incidents } });
        expect(await second).toEqual(ONLY_UNCHANGED(expected));
      }

      // One delivery handed to two replicas at once: the second waits for the first's commit, then is the duplicate.
      const delivery = { source: "pagerduty", id: "evt-9", atMs: T0 };
      await gate.query(`SELECT pg_advisory_lock(4242)`);
      const first = postgresOf().runner.transaction((function* () {
        const result = yield* ops.write([incident("i9", T0)], { delivery });
        yield* run(`SELECT pg_advisory_xact_lock(4242)`);
        return result;
      })());
      await waitFor(async () => (await waiting()) === 1);
      const second = postgresOf().runner.transaction(ops.write([incident("i9", T0, { title: "Other" })], { delivery }));
      await waitFor(async () => (await waiting()) === 2);
      await gate.query(`SELECT pg_advisory_unlock(4242)`);
      expect(await first).toMatchObject({ duplicate: false, incidents: { inserted: 1 } });
      expect(await second).toMatchObject({ duplicate: true, incidents: { inserted: 0, updated: 0, unchanged: 0 } });
      expect((await postgresOf().pool.query(`SELECT title FROM incidents WHERE external_id = 'i9'`)).rows).toEqual([{ title: "Incident i9" }]);
    } finally {
      gate.release();
    }
  });

  it("answers the modules' own reads and writes the same on both", async () => {
    await writeBoth(engines, FIRST);
    const config = { teams: [{ id: "payments", name: "Payments", channel: "#pay", services: ["checkout", "Zeta", "alpha"] }, { id: "edge", name: "Edge", services: ["gateway"], timezone: "Europe/Paris" }], services: [{ id: "checkout", name: "Checkout" }], timezone: "UTC" } as never;
    const idOfIncident = (tables: Tables, externalId: string) => rowsOf(tables, "incidents").find((i) => i["external_id"] === externalId)!["id"] as number;
    const idOfDeployment = (tables: Tables, externalId: string) => rowsOf(tables, "deployments").find((d) => d["external_id"] === externalId)!["id"] as number;
    // One script of operations, run on each engine with that engine's ids.
    const script = (d: Dialect, tables: Tables) => {
      const ops = storeOps(d, DEFAULT_STORE_OPTIONS);
      const i3 = idOfIncident(tables, "i3");
      return (function* () {
        yield* ops.catalog.syncFromConfig(config);
        // Incidents no rule links (more than a day after the last deployment).
        yield* ops.write([incident("u1", T0 + 90 * HOUR), incident("u2", T0 + 95 * HOUR), incident("u3", T0 + 99 * HOUR)]);
        yield* ops.syncState.saveCursor("github", "acme/b", "c2", "W/2", T0);
        yield* ops.syncState.saveCursor("github", "acme/B", "c1", null, T0);
        yield* ops.syncState.recordFailure("github", "acme/b", "HTTP 502", T0 + 1);
        yield* ops.syncState.recordFailure("sonar", "checkout", "timeout", T0 + 2);
        yield* ops.links.setManualLink(i3, idOfDeployment(tables, "d1"), { by: "U1", atMs: T0 + 3 });
        const afterManual = yield* ops.incidents.get("pagerduty", "i3");
        yield* ops.links.setVerdict(i3, { kind: "rules" });
        return {
          teams: yield* ops.catalog.teams(),
          services: yield* ops.catalog.services(),
          cursors: yield* ops.syncState.cursors(),
          cursor: yield* ops.syncState.cursor("github", "acme/b"),
          noCursor: yield* ops.syncState.cursor("github", "nope"),
          firstDelivery: [yield* ops.syncState.firstDelivery("github", "g-1", T0), yield* ops.syncState.firstDelivery("github", "g-1", T0 + 1)],
          afterManual: [afterManual?.link_rule, afterManual?.verdict, afterManual?.verdict_by],
          afterRules: yield* ops.incidents.get("pagerduty", "i3"),
          relinked: yield* ops.links.relinkIncident(i3),
          open: yield* ops.incidents.openExternalIds("pagerduty"),
          finishedAt: yield* ops.deployments.finishedAtOf([{ source: "github", externalId: "d2" }, { source: "github", externalId: "nope" }, { source: "github", externalId: "d1" }]),
          unlinked: (yield* ops.links.unlinkedOnDeployedServices(T0, T0 + 100 * HOUR, 2)).map((i) => ({ ...i, id: undefined })),
        };
      })();
    };
    const onSqlite = engines.sqlite.runner.transaction(script(engines.sqlite.dialect, sqliteTables(engines.sqlite)));
    const onPostgres = await postgresOf().runner.transaction(script(postgresOf().dialect, await postgresTables(postgresOf())));
    expect({ ...onPostgres, afterRules: { ...onPostgres.afterRules, id: 0, linked_deployment_id: 0 } }).toEqual({ ...onSqlite, afterRules: { ...onSqlite.afterRules, id: 0, linked_deployment_id: 0 } });
    // Text in byte order on both (upper case first), whatever the PostgreSQL database's collation.
    expect(onSqlite.services.map((s) => s.id)).toEqual(["Zeta", "alpha", "checkout", "gateway"]);
    expect(onSqlite.cursors.map((c) => `${c.source}:${c.key}`)).toEqual(["github:acme/B", "github:acme/b", "sonar:checkout"]);
    expect(onSqlite.afterManual).toEqual(["manual", "deployment", "U1"]);
    expect(onSqlite.afterRules).toMatchObject({ link_rule: "heuristic", verdict: null });
    expect(onSqlite.firstDelivery).toEqual([true, false]);
    expect(onSqlite.unlinked.map((i) => [i.external_id, i.total])).toEqual([["u3", 3], ["u2", 3]]);
    await expectSameTables(engines);
  });
});
