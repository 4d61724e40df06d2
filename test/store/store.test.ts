import { describe, expect, it } from "vitest";
import type { ChangeRecord, VitalsRecord } from "../../src/domain/records.js";
import { loadMigrations, migrate, openDatabase } from "../../src/store/db.js";
import { openBareTestStore, peekRow, peekRows, TEST_ENGINE } from "../support/test-store.js";

const T0 = Date.parse("2026-03-02T10:00:00Z");
const HOUR = 3_600_000;

const store = () => openBareTestStore();

function deployment(id: string, finishedAtMs: number, extra: Partial<Extract<VitalsRecord, { kind: "deployment" }>> = {}): VitalsRecord {
  return { kind: "deployment", source: "import", externalId: id, service: "checkout", environment: "production", status: "success", finishedAtMs, ...extra };
}

function incident(id: string, createdAtMs: number, extra: Partial<Extract<VitalsRecord, { kind: "incident" }>> = {}): VitalsRecord {
  return { kind: "incident", source: "import", externalId: id, service: "checkout", title: `incident ${id}`, createdAtMs, ...extra };
}

const change = (sha: string, committedAtMs: number, pr?: number): ChangeRecord => ({ sha, committedAtMs, pr: pr === undefined ? undefined : { number: pr } });

describe("the store", () => {
  // PostgreSQL's migrations: test/store/postgres-schema.test.ts.
  it.skipIf(TEST_ENGINE !== "sqlite")("applies migrations once and refuses a database newer than the code", () => {
    const db = openDatabase(":memory:");
    const version = db.pragma("user_version", { simple: true });
    expect(version).toBe(Math.max(...loadMigrations().map((m) => m.version)));
    migrate(db, loadMigrations()); // a second run is a no-op
    db.pragma("user_version = 999");
    expect(() => migrate(db, loadMigrations())).toThrow(/newer than this Vitals/);
  });

  it("writes a batch and reports a re-written batch as unchanged", async () => {
    const s = await store();
    const batch = [deployment("d1", T0, { sha: "aaaaaaa", changes: [change("aaaaaaa", T0 - 5 * HOUR)] }), incident("i1", T0 + HOUR)];
    const first = await s.write(batch);
    expect(first.deployments).toEqual({ inserted: 1, updated: 0, unchanged: 0 });
    expect(first.incidents).toEqual({ inserted: 1, updated: 0, unchanged: 0 });
    const again = await s.write(batch);
    expect(again.deployments).toEqual({ inserted: 0, updated: 0, unchanged: 1 });
    expect(again.incidents).toEqual({ inserted: 0, updated: 0, unchanged: 1 });
    expect(again.relinked).toBe(0);
  });

  it("reports a changed record as updated", async () => {
    const s = await store();
    await s.write([incident("i1", T0)]);
    const result = await s.write([incident("i1", T0, { resolvedAtMs: T0 + HOUR })]);
    expect(result.incidents).toEqual({ inserted: 0, updated: 1, unchanged: 0 });
    expect(await peekRow(s, "SELECT resolved_at FROM incidents")).toEqual({ resolved_at: T0 + HOUR });
  });

  it("writes nothing from a batch that fails part-way", async () => {
    const s = await store();
    const bad = { ...deployment("d2", T0), status: "exploded" } as unknown as VitalsRecord;
    await expect((async () => s.write([deployment("d1", T0), bad]))()).rejects.toThrow();
    expect(await peekRow(s, "SELECT count(*) AS n FROM deployments")).toEqual({ n: 0 });
  });

  it("records the first production deployment of a change, so a redeploy adds no lead-time sample", async () => {
    const s = await store();
    await s.write([
      deployment("d1", T0, { sha: "aaaaaaa", changes: [change("aaaaaaa", T0 - 5 * HOUR, 7)] }),
      deployment("d2", T0 + 2 * HOUR, { sha: "aaaaaaa", changes: [change("aaaaaaa", T0 - 5 * HOUR, 7)] }),
    ]);
    const rows = await peekRows(s, "SELECT change_key, first_deployed_at FROM changes");
    expect(rows).toEqual([{ change_key: "pr:7", first_deployed_at: T0 }]);
  });

  it("keeps the earliest commit of a pull request, which survives squash merges", async () => {
    const s = await store();
    await s.write([deployment("d1", T0, { changes: [change("bbbbbbb", T0 - 2 * HOUR, 9), change("ccccccc", T0 - 30 * HOUR, 9)] })]);
    expect(await peekRow(s, "SELECT committed_at FROM changes")).toEqual({ committed_at: T0 - 30 * HOUR });
  });

  it("ignores non-production deployments for first deployment", async () => {
    const s = await store();
    await s.write([deployment("s1", T0, { environment: "staging", changes: [change("aaaaaaa", T0 - HOUR)] })]);
    expect(await peekRow(s, "SELECT first_deployed_at FROM changes")).toEqual({ first_deployed_at: null });
  });

  it("links an incident to the deployment it names, to a rolled-back deployment, or by the attribution window", async () => {
    const s = await store();
    await s.write([
      deployment("d1", T0, { sha: "aaaaaaa" }),
      deployment("d2", T0 + 10 * HOUR, { sha: "bbbbbbb" }),
      deployment("d3", T0 + 11 * HOUR, { sha: "aaaaaaa", rollbackOf: "d2" }),
      incident("explicit", T0 + 10.5 * HOUR, { deploymentRef: "d1" }),
      incident("rolled-back", T0 + 10.2 * HOUR),
      incident("late", T0 + 40 * HOUR),
    ]);
    const links = await peekRows(
      s,
      `SELECT i.external_id AS incident, d.external_id AS deployment, i.link_rule AS rule FROM incidents i LEFT JOIN deployments d ON d.id = i.linked_deployment_id
       ORDER BY i.external_id`,
    );
    expect(links).toEqual([
      { incident: "explicit", deployment: "d1", rule: "explicit" },
      { incident: "late", deployment: null, rule: null },
      { incident: "rolled-back", deployment: "d2", rule: "rollback" },
    ]);
  });

  it("creates services seen in data and attaches configured ones to their team", async () => {
    const s = await store();
    await s.catalog.syncFromConfig({ teams: [{ id: "payments", name: "Payments", services: ["checkout"] }], services: [], timezone: "UTC" } as never);
    await s.write([deployment("d1", T0, { service: "ledger" })]);
    expect(await s.catalog.services()).toEqual([
      { id: "checkout", name: null, team_id: "payments", from_config: 1 },
      { id: "ledger", name: null, team_id: null, from_config: 0 },
    ]);
  });

  it("upserts samples keyed by service, name, time and source", async () => {
    const s = await store();
    const sample: VitalsRecord = { kind: "metric", source: "api", service: "checkout", name: "uptime_pct", atMs: T0, value: 99.9 };
    expect((await s.write([sample])).samples).toEqual({ inserted: 1, updated: 0, unchanged: 0 });
    expect((await s.write([sample])).samples).toEqual({ inserted: 0, updated: 0, unchanged: 1 });
    expect((await s.write([{ ...sample, value: 99.5 }])).samples).toEqual({ inserted: 0, updated: 1, unchanged: 0 });
  });
});
