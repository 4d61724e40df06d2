import { describe, expect, it } from "vitest";
import { parseFileConfig } from "../../src/config/file.js";
import { METRIC_IDS } from "../../src/domain/metric-ids.js";
import type { ChangeRecord, VitalsRecord } from "../../src/domain/records.js";
import { explainMetric } from "../../src/query/explain.js";
import { openDatabase } from "../../src/store/db.js";
import { createStore } from "../../src/store/index.js";

const T0 = Date.parse("2026-03-02T10:00:00Z");
const HOUR = 3_600_000;
const NOW = T0 + 30 * 24 * HOUR;

const config = parseFileConfig(
  `
production_environment: prod
metrics: { attribution_window_hours: 6, outage_severities: [SEV0, SEV1] }
pagerduty: { outage_priorities: [P1, P2] }
cost: { share_untagged: false }
teams: [{ id: payments, name: Payments, services: [checkout] }]
thresholds:
  - { metric: change_failure_rate, warn: 10, critical: 20 }
  - { metric: change_failure_rate, team: payments, warn: 15, critical: 25 }
`,
  "explain.yml",
);

function setup(records: VitalsRecord[]) {
  const store = createStore(openDatabase(":memory:"), { productionEnvironment: "prod", attributionWindowMs: 6 * HOUR });
  store.catalog.syncFromConfig(config);
  store.write(records);
  return { store, config, nowMs: NOW };
}

function deployment(id: string, finishedAtMs: number, extra: Partial<Extract<VitalsRecord, { kind: "deployment" }>> = {}): VitalsRecord {
  return { kind: "deployment", source: "import", externalId: id, service: "checkout", environment: "prod", status: "success", finishedAtMs, ...extra };
}

function incident(id: string, createdAtMs: number, extra: Partial<Extract<VitalsRecord, { kind: "incident" }>> = {}): VitalsRecord {
  return { kind: "incident", source: "import", externalId: id, service: "checkout", title: `incident ${id}`, createdAtMs, ...extra };
}

const change = (sha: string, committedAtMs: number): ChangeRecord => ({ sha, committedAtMs });

describe("explainMetric", () => {
  it("shows the change failure rate definition with the configured attribution window, environment and thresholds", async () => {
    const e = await explainMetric(setup([]), "change_failure_rate");
    expect(e.definition).toContain('Successful "prod" deployments');
    expect(e.definition).toContain("within 6 h");
    expect(e.formula).toContain("distinct failed deployments ÷ all successful production deployments");
    expect(e.tiers).toBe("elite ≤ 5 %, high ≤ 10 %, medium ≤ 15 %, low otherwise");
    expect(e.settings).toContainEqual({ name: "metrics.attribution_window_hours", value: "6 h" });
    expect(e.settings).toContainEqual({ name: "production_environment", value: "prod" });
    expect(e.thresholds).toEqual(["organisation: warn 10, critical 20 (higher is worse)", "team payments: warn 15, critical 25 (higher is worse)"]);
    expect(e.basis).toEqual([{ source: "METRICS.md", text: "attribution rules, counting once, tiers" }]);
    // The attribution method and the test in force for the metric asked.
    expect(e.methods.attribution).toContain("shift-share");
    expect(e.methods.test).toContain("Fisher's exact test");
    expect((await explainMetric(setup([]), "lead_time")).methods).toMatchObject({ attribution: expect.stringContaining("Shapley"), test: expect.stringContaining("Mann–Whitney U") });
    expect((await explainMetric(setup([]), "mttr")).methods.test).toContain("Welch's t test on log durations");
  });

  it("says where it falls back on DORA's published definition because METRICS.md is silent", async () => {
    const mtta = await explainMetric(setup([]), "mtta");
    expect(mtta.basis.map((b) => b.source)).toEqual(["METRICS.md", "DORA"]);
    expect(mtta.tiers).toMatch(/^none/);
    expect((await explainMetric(setup([]), "mttr")).basis.some((b) => b.source === "DORA" && b.text.startsWith("failed deployment recovery time"))).toBe(true);
  });

  it("shows the outage severities and priorities in force for uptime", async () => {
    const e = await explainMetric(setup([]), "uptime");
    expect(e.settings).toContainEqual({ name: "metrics.outage_severities", value: "SEV0, SEV1" });
    expect(e.settings).toContainEqual({ name: "pagerduty.outage_priorities", value: "P1, P2 (with high urgency)" });
    expect((await explainMetric(setup([]), "cost_per_user")).definition).toContain("counts at org scope only");
  });

  it("counts deployments without commits, other environments and failed deployments", async () => {
    const ctx = setup([
      deployment("d1", T0, { sha: "a1", changes: [change("a1", T0 - HOUR)] }),
      deployment("d2", T0 + HOUR),
      deployment("d3", T0 + 2 * HOUR, { status: "failure" }),
      deployment("s1", T0, { environment: "staging" }),
      deployment("s2", T0, { environment: "staging" }),
    ]);
    const coverage = (await explainMetric(ctx, "lead_time")).coverage;
    expect(coverage).toContain('2 successful "prod" deployments stored (2026-03-02 to 2026-03-02); 1 failed ones are not counted as deployments.');
    expect(coverage).toContain("2 deployments to other environments are ignored (staging: 2).");
    expect(coverage).toContain("1 production deployments have no commits attached, so they add no lead-time sample.");
    expect(coverage).toContain("1 changes shipped; 0 have a commit time at or after their deployment (sample ≤ 0) and are excluded.");
  });

  it("counts lead-time samples ≤ 0 as excluded", async () => {
    const ctx = setup([deployment("d1", T0, { sha: "a1", changes: [change("a1", T0 + HOUR), change("b2", T0 - HOUR)] })]);
    expect((await explainMetric(ctx, "lead_time")).coverage).toContain("2 changes shipped; 1 have a commit time at or after their deployment (sample ≤ 0) and are excluded.");
  });

  it("counts incidents on unmapped services, open incidents and how incidents were linked", async () => {
    const ctx = setup([
      deployment("d1", T0),
      incident("i1", T0 + HOUR, { resolvedAtMs: T0 + 2 * HOUR, acknowledgedAtMs: T0 + 1.5 * HOUR }),
      incident("i2", T0 + 10 * HOUR),
      incident("u1", T0, { service: undefined, externalService: "PXYZ123", resolvedAtMs: T0 + HOUR }),
    ]);
    const cfr = (await explainMetric(ctx, "change_failure_rate")).coverage;
    expect(cfr).toContain("Incidents linked to a deployment: 0 named it explicitly, 0 confirmed by people, 0 through a rollback, 1 by the 6 h attribution window.");
    expect(cfr).toContain("1 incidents on known services follow no deployment within the rules (not change failures).");
    expect(cfr.some((line) => line.startsWith("1 incidents are on unmapped services (PXYZ123: 1): they cannot be attributed"))).toBe(true);
    const mttr = (await explainMetric(ctx, "mttr")).coverage;
    expect(mttr[0]).toBe("3 incidents stored: 2 resolved, 1 open (oldest opened 2026-03-02, 29 days ago); open incidents are excluded and counted.");
    expect((await explainMetric(ctx, "mtta")).coverage).toContain("2 incidents were never acknowledged (no time-to-acknowledge sample).");
  });

  it("says which latency and error samples are left out of the weighting and why", async () => {
    const sample = (name: Extract<VitalsRecord, { kind: "metric" }>["name"], atMs: number, value: number): VitalsRecord => ({ kind: "metric", source: "import", service: "checkout", name, atMs, value });
    const ctx = setup([
      sample("latency_p95_ms", T0, 200),
      sample("latency_p95_ms", T0 + HOUR, 250),
      sample("requests", T0, 1000),
      sample("errors", T0, 5),
      sample("errors", T0 + HOUR, 7),
    ]);
    expect((await explainMetric(ctx, "latency_p95")).coverage).toContain("1 samples have no request count at the same time and enter a plain (unweighted) mean, labelled as such.");
    expect((await explainMetric(ctx, "error_rate")).coverage).toContain("1 error counts have no request count at the same time and are left out (a rate needs both).");
  });

  it("explains every metric on an empty store without failing", async () => {
    const ctx = setup([]);
    for (const metric of METRIC_IDS) {
      const e = await explainMetric(ctx, metric);
      expect(e.coverage.length, metric).toBeGreaterThan(0);
      expect(e.definition.length, metric).toBeGreaterThan(20);
    }
  });
});
