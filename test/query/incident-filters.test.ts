import { describe, expect, it } from "vitest";
import type { ConfigError } from "../../src/config/errors.js";
import { parseFileConfig } from "../../src/config/file.js";
import { storeOptionsFrom } from "../../src/config/store-options.js";
import type { VitalsRecord } from "../../src/domain/records.js";
import { openDatabase, type Db } from "../../src/store/db.js";
import { createStore } from "../../src/store/index.js";
import { renderAnswer } from "../../src/present/answer-text.js";
import { explainMetric } from "../../src/query/explain.js";
import { ask, DAY, deployment, HOUR, LAST_30D, testConfig } from "../metrics/factories.js";

// `incidents.change_failure` / `incidents.recovery` (METRICS.md "Which incidents count"): a filter
// changes CFR and MTTR exactly as counted by hand, at the top level, a team or a service (most
// specific wins, each filter on its own), and a changed filter re-derives the stored links and
// flags when the store opens, without a re-import.

const D = LAST_30D.fromMs;
const incident = (id: string, created: number, hours: number, severity: string, urgency: "high" | "low"): VitalsRecord => ({
  kind: "incident", source: "import", externalId: id, service: "checkout", title: id, severity, urgency, createdAtMs: created, resolvedAtMs: created + hours * HOUR,
});
// Four deployments of checkout; i1 (SEV1, high, 1 h) after d1, i2 (SEV3, low, 5 h) after d2,
// i3 (SEV2, high, 2 h) after d3, nothing after d4: all three within the 24 h window.
const RECORDS: VitalsRecord[] = [
  deployment({ id: "d1", at: D + 1 * DAY }), deployment({ id: "d2", at: D + 5 * DAY }), deployment({ id: "d3", at: D + 10 * DAY }), deployment({ id: "d4", at: D + 15 * DAY }),
  incident("i1", D + 1 * DAY + 2 * HOUR, 1, "SEV1", "high"),
  incident("i2", D + 5 * DAY + 3 * HOUR, 5, "SEV3", "low"),
  incident("i3", D + 10 * DAY + 1 * HOUR, 2, "SEV2", "high"),
];

function storeWith(db: Db, extra: Record<string, unknown>) {
  const config = testConfig(extra);
  const store = createStore(db, storeOptionsFrom(config));
  store.catalog.syncFromConfig(config);
  return { store, config };
}

const measure = async (db: Db, extra: Record<string, unknown> = {}) => {
  const { store, config } = storeWith(db, extra);
  const cfr = await ask(store, "change_failure_rate", { config });
  const mttr = await ask(store, "mttr", { config });
  return { cfr, mttr };
};

describe("which incidents count", () => {
  it("without a filter every incident counts, as before", async () => {
    const db = openDatabase(":memory:");
    storeWith(db, {}).store.write(RECORDS);
    const { cfr, mttr } = await measure(db);
    expect(cfr.value).toBe(75); // d1, d2, d3 of 4
    expect(mttr.value).toBeCloseTo((1 + 5 + 2) / 3, 2);
    expect(cfr.stats).toMatchObject({ failed: 3, incidents_left_out_by_filter: 0 });
    expect(mttr.stats["left_out_by_filter"]).toBe(0);
    expect(cfr.definition).toBe("3 of 4 production deployments in last 30 days caused a failure, 0 confirmed by people");
  });

  it("a top-level filter changes CFR and MTTR exactly, without re-importing", async () => {
    const db = openDatabase(":memory:");
    storeWith(db, {}).store.write(RECORDS);
    const filters = { incidents: { change_failure: { severities: ["SEV1", "sev2"] }, recovery: { urgencies: ["high"] } } };
    const { cfr, mttr } = await measure(db, filters);
    expect(cfr.value).toBe(50); // i2 (SEV3) no longer marks d2: d1, d3 of 4
    expect(cfr.stats).toMatchObject({ failed: 2, count: 4, incidents_left_out_by_filter: 1 });
    expect(mttr.value).toBe((1 + 2) / 2); // i2 (low urgency) leaves MTTR
    expect(mttr.sample_size).toBe(2);
    expect(mttr.stats["left_out_by_filter"]).toBe(1);
    expect(cfr.definition).toContain("incidents counted: severity SEV1 or sev2 (incidents.change_failure), 1 created in the window left out");
    expect(mttr.definition).toContain("counting urgency high (incidents.recovery): 1 left out");
    // As text: the new figures are counts, not percentages or hours.
    expect(renderAnswer(cfr, { zone: "UTC" })).toContain("failed 2 · confirmed 0 · failed_by_explicit 0 · failed_by_rollback 0 · failed_by_window 2 · incidents_left_out_by_filter 1 · incidents_not_change_caused 0");
    expect(renderAnswer(mttr, { zone: "UTC" })).toContain("left_out_by_filter 1");
    // The derived failure counts follow the links (migration 009's triggers).
    expect(db.prepare(`SELECT external_id, linked_incidents FROM deployments ORDER BY external_id`).all()).toEqual([
      { external_id: "d1", linked_incidents: 1 }, { external_id: "d2", linked_incidents: 0 }, { external_id: "d3", linked_incidents: 1 }, { external_id: "d4", linked_incidents: 0 },
    ]);
    // Opening again with the same filters re-derives nothing.
    expect(storeWith(db, filters).store.links.applyIncidentFilters()).toBe(0);
    // Removing the filter again brings everything back.
    expect((await measure(db)).cfr.value).toBe(75);
    expect((await measure(db)).mttr.value).toBeCloseTo(8 / 3, 2);
  });

  it("a team's filter replaces only the filter it sets; a service's beats its team's", async () => {
    const db = openDatabase(":memory:");
    storeWith(db, {}).store.write(RECORDS);
    const top = { change_failure: { severities: ["SEV1", "SEV2"] }, recovery: { urgencies: ["high"] } };
    const teams = (incidents: Record<string, unknown>) => [
      { id: "payments", name: "Payments", services: ["checkout", "ledger"], incidents },
      { id: "platform", name: "Platform", services: ["gateway"] },
    ];
    // Payments sets recovery only: change failure stays the organisation's.
    const team = await measure(db, { incidents: top, teams: teams({ recovery: { severities: ["SEV3"] } }) });
    expect(team.cfr.value).toBe(50);
    expect(team.mttr.value).toBe(5); // i2 only
    // checkout's own change-failure filter wins over the organisation's.
    const service = await measure(db, { incidents: top, teams: teams({ recovery: { severities: ["SEV3"] } }), services: [{ id: "checkout", incidents: { change_failure: { urgencies: ["low"] } } }] });
    expect(service.cfr.value).toBe(25); // d2 only
    expect(service.cfr.stats["incidents_left_out_by_filter"]).toBe(2);
    expect(service.mttr.value).toBe(5);
  });

  it("all given lists must match, and an incident without the attribute does not match", async () => {
    const db = openDatabase(":memory:");
    const { store } = storeWith(db, { incidents: { change_failure: { severities: ["SEV1", "SEV2", "SEV3"], urgencies: ["high"] }, recovery: { priorities: ["P1"] } } });
    store.write(RECORDS);
    const { cfr, mttr } = await measure(db, { incidents: { change_failure: { severities: ["SEV1", "SEV2", "SEV3"], urgencies: ["high"] }, recovery: { priorities: ["P1"] } } });
    expect(cfr.stats["failed"]).toBe(2); // i2 is SEV3 but low urgency
    expect(mttr.value).toBeNull(); // no incident has a priority
    expect(mttr.stats["left_out_by_filter"]).toBe(3);
  });

  it("explain shows the filters in force, how many stored incidents they leave out, and the links by rule", async () => {
    const db = openDatabase(":memory:");
    const extra = {
      incidents: { change_failure: { severities: ["SEV1", "SEV2"] }, recovery: { urgencies: ["high"] } },
      services: [{ id: "checkout", incidents: { recovery: { priorities: ["P1"] } } }],
    };
    const { store, config } = storeWith(db, extra);
    store.write(RECORDS);
    const cfr = await explainMetric({ store, config, nowMs: LAST_30D.toMs }, "change_failure_rate");
    expect(cfr.settings).toContainEqual({ name: "incidents.change_failure", value: "severity SEV1 or SEV2" });
    expect(cfr.coverage).toContain("Incidents linked to a deployment: 0 named it explicitly, 0 confirmed by people, 0 through a rollback, 2 by the 24 h attribution window.");
    expect(cfr.coverage).toContain("Incidents that can mark a deployment failed (incidents.change_failure): severity SEV1 or SEV2; 1 stored incidents left out.");
    const mttr = await explainMetric({ store, config, nowMs: LAST_30D.toMs }, "mttr");
    expect(mttr.settings).toContainEqual({ name: "incidents.recovery", value: "urgency high (service checkout: priority P1)" });
    expect(mttr.coverage).toContain("Incidents that count toward MTTR and MTTA (incidents.recovery): urgency high (service checkout: priority P1); 3 stored incidents left out.");
  });
});

describe("the incidents section of vitals.yml", () => {
  it("names the line, the field and what was expected when a filter is wrong", async () => {
    const problems = (() => {
      try {
        parseFileConfig("incidents:\n  recovery: { urgencies: [medium] }\n  change_failure: { severity: [SEV1] }\n", "vitals.yml");
      } catch (error) {
        return (error as ConfigError).problems;
      }
      throw new Error("expected a ConfigError");
    })();
    expect([...problems].sort()).toEqual([
      'vitals.yml:2: incidents.recovery.urgencies.0: Invalid option: expected one of "high"|"low"',
      'vitals.yml:3: incidents.change_failure: Unrecognized key: "severity"',
    ]);
  });
});
