import { describe, expect, it } from "vitest";
import type { VitalsRecord } from "../../src/domain/records.js";
import { Touches } from "../../src/store/derived/engine.js";
import { DEFAULT_STORE_OPTIONS } from "../../src/store/index.js";
import { storeOps } from "../../src/store/operations.js";
import type { Sql } from "../../src/store/sql/query.js";
import { sqliteEngine } from "../support/sql-engines.js";
import { openBareTestStore, peekRow } from "../support/test-store.js";

// Incident → deployment links, in METRICS.md's order (change failure rate): explicit, then rollback,
// then the heuristic (same service, after the deployment finished, before the service's next
// deployment, within the attribution window, 24 h by default). A person's correction wins.

const T0 = Date.parse("2026-03-02T10:00:00Z");
const HOUR = 3_600_000;

type Deployment = Extract<VitalsRecord, { kind: "deployment" }>;
type Incident = Extract<VitalsRecord, { kind: "incident" }>;

const deployment = (id: string, finishedAtMs: number, extra: Partial<Deployment> = {}): Deployment => ({
  kind: "deployment", source: "github", externalId: id, service: "checkout", environment: "production", status: "success", finishedAtMs, ...extra,
});
const incident = (id: string, createdAtMs: number, extra: Partial<Incident> = {}): Incident => ({
  kind: "incident", source: "pagerduty", externalId: id, service: "checkout", title: `incident ${id}`, createdAtMs, ...extra,
});

async function setup(records: VitalsRecord[] = []) {
  const store = await openBareTestStore();
  if (records.length > 0) await store.write(records);
  const link = (incidentId: string) =>
    peekRow<{ deployment: string | null; rule: string | null }>(
      store,
      `SELECT d.external_id AS deployment, i.link_rule AS rule FROM incidents i LEFT JOIN deployments d ON d.id = i.linked_deployment_id
       WHERE i.external_id = ?`,
      [incidentId],
    );
  const idOf = async (table: "incidents" | "deployments", externalId: string) =>
    (await peekRow<{ id: number }>(store, `SELECT id FROM ${table} WHERE external_id = ?`, [externalId]))!.id;
  return { store, link, idOf };
}

describe("the heuristic link", () => {
  it("links an incident on the same service created within the window after a deployment finished", async () => {
    const { link } = await setup([deployment("d1", T0), incident("i1", T0 + 2 * HOUR)]);
    expect(await link("i1")).toEqual({ deployment: "d1", rule: "heuristic" });
  });

  it("includes the window's end and excludes anything later", async () => {
    const { link } = await setup([deployment("d1", T0), incident("edge", T0 + 24 * HOUR), incident("late", T0 + 24 * HOUR + 1)]);
    expect(await link("edge")).toEqual({ deployment: "d1", rule: "heuristic" });
    expect(await link("late")).toEqual({ deployment: null, rule: null });
  });

  it("follows a configured attribution window", async () => {
    const store = await openBareTestStore({ productionEnvironment: "production", attributionWindowMs: 2 * HOUR });
    await store.write([deployment("d1", T0), incident("in", T0 + HOUR), incident("out", T0 + 3 * HOUR)]);
    const rule = async (id: string) => (await peekRow<{ link_rule: string | null }>(store, `SELECT link_rule FROM incidents WHERE external_id = ?`, [id]))?.link_rule;
    expect([await rule("in"), await rule("out")]).toEqual(["heuristic", null]);
  });

  it("attributes an incident to the service's latest deployment before it, not an earlier one", async () => {
    const { link } = await setup([deployment("d1", T0), deployment("d2", T0 + 3 * HOUR), incident("i1", T0 + 4 * HOUR)]);
    expect(await link("i1")).toEqual({ deployment: "d2", rule: "heuristic" });
  });

  it("does not link an incident created before the deployment finished", async () => {
    const { link } = await setup([deployment("d1", T0, { startedAtMs: T0 - HOUR }), incident("i1", T0 - 30 * 60_000)]);
    expect(await link("i1")).toEqual({ deployment: null, rule: null });
  });

  it("does not link incidents on a service with no prior deployment, on another service, or on no service", async () => {
    const { link } = await setup([
      deployment("d1", T0),
      incident("first", T0 - HOUR),
      incident("other", T0 + HOUR, { service: "search" }),
      incident("unmapped", T0 + HOUR, { service: undefined, externalService: "PXYZ" }),
    ]);
    expect([await link("first"), await link("other"), await link("unmapped")]).toEqual([
      { deployment: null, rule: null },
      { deployment: null, rule: null },
      { deployment: null, rule: null },
    ]);
  });

  it("ignores failed deployments and other environments", async () => {
    const { link } = await setup([
      deployment("good", T0),
      deployment("failed", T0 + HOUR, { status: "failure" }),
      deployment("staging", T0 + 2 * HOUR, { environment: "staging" }),
      incident("i1", T0 + 3 * HOUR),
    ]);
    expect(await link("i1")).toEqual({ deployment: "good", rule: "heuristic" });
  });
});

describe("the rollback link", () => {
  it("beats the heuristic and needs no window: the rolled-back deployment was live when the incident began", async () => {
    const { link } = await setup([
      deployment("d1", T0),
      incident("soon", T0 + HOUR),
      incident("days-later", T0 + 50 * HOUR),
      deployment("r1", T0 + 60 * HOUR, { rollbackOf: "d1" }),
    ]);
    expect(await link("soon")).toEqual({ deployment: "d1", rule: "rollback" });
    expect(await link("days-later")).toEqual({ deployment: "d1", rule: "rollback" });
  });

  it("does not reach past the next deployment of the service", async () => {
    const { link } = await setup([
      deployment("d1", T0),
      deployment("d2", T0 + 10 * HOUR),
      incident("after-d2", T0 + 40 * HOUR),
      deployment("r1", T0 + 60 * HOUR, { rollbackOf: "d1" }),
    ]);
    expect(await link("after-d2")).toEqual({ deployment: null, rule: null });
  });

  it("moves to a deployment that arrives later between the rolled-back one and the incident", async () => {
    const { store, link } = await setup([
      deployment("d1", T0),
      deployment("r1", T0 + 60 * HOUR, { rollbackOf: "d1" }),
      incident("i1", T0 + 40 * HOUR),
    ]);
    expect(await link("i1")).toEqual({ deployment: "d1", rule: "rollback" });
    // A late sync reveals d2 (not rolled back), 30 h before the incident: outside the window, so no link.
    await store.write([deployment("d2", T0 + 10 * HOUR)]);
    expect(await link("i1")).toEqual({ deployment: null, rule: null });
  });
});

describe("the explicit link", () => {
  it("names a deployment by id and beats rollback and heuristic", async () => {
    const { link } = await setup([
      deployment("d-1041", T0),
      deployment("d-1042", T0 + 5 * HOUR),
      deployment("r1", T0 + 8 * HOUR, { rollbackOf: "d-1042" }),
      incident("i1", T0 + 6 * HOUR, { deploymentRef: "d-1041" }),
    ]);
    expect(await link("i1")).toEqual({ deployment: "d-1041", rule: "explicit" });
  });

  it("names a deployment by a commit sha, short or long, its head or any commit it shipped", async () => {
    const { link } = await setup([
      deployment("d1", T0, { sha: "9f1c2e7aa0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5" }),
      deployment("d2", T0 + HOUR, { sha: "aaaaaaa1111", changes: [{ sha: "bbbbbbb2222", committedAtMs: T0 - HOUR }] }),
      deployment("d3", T0 + 2 * HOUR),
      incident("short", T0 + 3 * HOUR, { deploymentRef: "9f1c2e" }),
      incident("commit", T0 + 3 * HOUR, { deploymentRef: "BBBBBBB2222" }),
    ]);
    expect(await link("short")).toEqual({ deployment: "d1", rule: "explicit" });
    expect(await link("commit")).toEqual({ deployment: "d2", rule: "explicit" });
  });

  it("falls back to the other rules when the reference names no known deployment", async () => {
    const { link } = await setup([deployment("d1", T0), incident("i1", T0 + HOUR, { deploymentRef: "d-9999" })]);
    expect(await link("i1")).toEqual({ deployment: "d1", rule: "heuristic" });
  });

  it("links once the named deployment arrives, however long after the incident it is synced", async () => {
    const { store, link } = await setup([deployment("d0", T0 - 100 * HOUR), incident("i1", T0 + 72 * HOUR, { deploymentRef: "d-1042" })]);
    expect(await link("i1")).toEqual({ deployment: null, rule: null });
    await store.write([deployment("d-1042", T0)]);
    expect(await link("i1")).toEqual({ deployment: "d-1042", rule: "explicit" });
  });
});

describe("links over time", () => {
  it("does not depend on the order records arrive in", async () => {
    const { store, link } = await setup([incident("i1", T0 + HOUR)]);
    expect(await link("i1")).toEqual({ deployment: null, rule: null });
    const result = await store.write([deployment("d1", T0)]);
    expect(result.relinked).toBe(1);
    expect(await link("i1")).toEqual({ deployment: "d1", rule: "heuristic" });
  });

  it("relinks nothing when the same records are written again", async () => {
    const records = [deployment("d1", T0), incident("i1", T0 + HOUR)];
    const { store } = await setup(records);
    expect((await store.write(records)).relinked).toBe(0);
  });

  it("drops a link when the deployment turns out to have failed or moves after the incident", async () => {
    const { store, link } = await setup([deployment("d0", T0 - 2 * HOUR), deployment("d1", T0), incident("i1", T0 + HOUR)]);
    await store.write([deployment("d1", T0, { status: "failure" })]);
    expect(await link("i1")).toEqual({ deployment: "d0", rule: "heuristic" });
    await store.write([deployment("d0", T0 + 2 * HOUR)]);
    expect(await link("i1")).toEqual({ deployment: null, rule: null });
  });

  it("keeps a person's correction over the automatic rules until it is withdrawn", async () => {
    const { store, link, idOf } = await setup([deployment("d0", T0 - 30 * HOUR), deployment("d1", T0), incident("i1", T0 + HOUR)]);
    await store.links.setManualLink(await idOf("incidents", "i1"), await idOf("deployments", "d0"));
    await store.write([deployment("d2", T0 + 30 * 60_000), incident("i1", T0 + HOUR, { title: "renamed" })]);
    expect(await link("i1")).toEqual({ deployment: "d0", rule: "manual" });
    await store.links.setManualLink(await idOf("incidents", "i1"), null);
    expect(await link("i1")).toEqual({ deployment: "d2", rule: "heuristic" });
  });
});

/** `op`, recording the text of every statement it runs in `texts`. */
function* counted<T>(op: Sql<T>, texts: string[]): Sql<T> {
  let step = op.next();
  while (!step.done) {
    texts.push(step.value.text);
    let result: unknown;
    try {
      result = yield step.value;
    } catch (error) {
      step = op.throw(error);
      continue;
    }
    step = op.next(result);
  }
  return step.value;
}

describe("relinking many incidents at once", () => {
  // On PostgreSQL every statement is a round trip: a relink runs the same few statements however
  // many incidents it affects, and leaves the links the rules give each one. (The statements are
  // the same on both engines, so SQLite counts them.)
  it("reads the affected incidents, their deployments and writes the changed links in three statements", () => {
    const engine = sqliteEngine();
    const ops = storeOps(engine.dialect, DEFAULT_STORE_OPTIONS);
    engine.runner.transaction(ops.write([
      deployment("d1", T0, { sha: "abcdef1234567" }),
      deployment("d2", T0 + 5 * HOUR),
      deployment("r2", T0 + 8 * HOUR, { rollbackOf: "d2" }),
      deployment("s1", T0, { service: "search", changes: [{ sha: "fedcba7654321", committedAtMs: T0 - HOUR }] }),
      incident("by-id", T0 + 6 * HOUR, { deploymentRef: " d1 " }),
      incident("by-sha", T0 + 6 * HOUR, { deploymentRef: "ABCDEF12" }),
      incident("by-commit", T0 + 2 * HOUR, { service: "search", deploymentRef: "fedcba76" }),
      incident("rolled-back", T0 + 6 * HOUR),
      incident("heuristic", T0 + HOUR, { service: "search" }),
      incident("too-late", T0 + 40 * HOUR, { service: "search" }),
      incident("unknown-ref", T0 + 2 * HOUR, { deploymentRef: "d-404" }),
    ]));
    const links = () =>
      engine.db.prepare(`SELECT i.external_id AS incident, d.external_id AS deployment, i.link_rule AS rule
                         FROM incidents i LEFT JOIN deployments d ON d.id = i.linked_deployment_id ORDER BY i.external_id`).all();
    const expected = [
      { incident: "by-commit", deployment: "s1", rule: "explicit" },
      { incident: "by-id", deployment: "d1", rule: "explicit" },
      { incident: "by-sha", deployment: "d1", rule: "explicit" },
      { incident: "heuristic", deployment: "s1", rule: "heuristic" },
      { incident: "rolled-back", deployment: "d2", rule: "rollback" },
      { incident: "too-late", deployment: null, rule: null },
      { incident: "unknown-ref", deployment: "d1", rule: "heuristic" },
    ];
    expect(links()).toEqual(expected);

    engine.db.exec(`UPDATE incidents SET linked_deployment_id = NULL, link_rule = NULL`);
    const relink = (fromMs: number, toMs: number) => {
      const texts: string[] = [];
      const changed = engine.runner.transaction(counted(ops.links.relink(fromMs, toMs, [], new Touches()), texts));
      return { changed, statements: texts.length };
    };
    expect(relink(T0, T0 + 48 * HOUR)).toEqual({ changed: 6, statements: 3 });
    expect(links()).toEqual(expected);
    // Nothing changed: no UPDATE; nothing affected: no lookup either.
    expect(relink(T0, T0 + 48 * HOUR)).toEqual({ changed: 0, statements: 2 });
    expect(relink(T0 + 100 * HOUR, T0 + 101 * HOUR)).toEqual({ changed: 0, statements: 1 });
  });
});

describe("unlinked incidents for explain", () => {
  it("lists incidents no rule linked on services that deploy, newest first, with the total", async () => {
    const { store } = await setup([
      deployment("d1", T0),
      incident("linked", T0 + HOUR),
      incident("late", T0 + 30 * HOUR),
      incident("later", T0 + 40 * HOUR),
      incident("no-deploys", T0 + HOUR, { service: "search" }),
      incident("unmapped", T0 + HOUR, { service: undefined, externalService: "PXYZ" }),
    ]);
    const rows = await store.links.unlinkedOnDeployedServices(T0, T0 + 48 * HOUR, 1);
    expect(rows.map((r) => [r.external_id, r.service_id, r.total])).toEqual([["later", "checkout", 2]]);
  });
});

describe("change failure rate counts", () => {
  it("count several incidents on one deployment once, and a rolled-back deployment without incidents", async () => {
    const { store } = await setup([
      deployment("d1", T0),
      incident("a", T0 + HOUR),
      incident("b", T0 + 2 * HOUR),
      incident("c", T0 + 3 * HOUR, { deploymentRef: "d1" }),
      deployment("d2", T0 + 10 * HOUR),
      deployment("d3", T0 + 20 * HOUR),
      deployment("r3", T0 + 21 * HOUR, { rollbackOf: "d3" }),
      deployment("d4", T0 + 40 * HOUR),
    ]);
    const rows = await store.reads.metric.deploymentSlices("production", [T0, T0 + 48 * HOUR], null);
    expect(rows.reduce((sum, r) => sum + r.n, 0)).toBe(5);
    expect(rows.reduce((sum, r) => sum + r.failed, 0)).toBe(2); // d1 (three incidents) and d3 (rolled back)
  });
});
