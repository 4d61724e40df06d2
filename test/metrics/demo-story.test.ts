import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MetricId } from "../../src/domain/metric-ids.js";
import type { Scope } from "../../src/domain/scope.js";
import { pendingAlertTexts } from "../../src/alerts/actions.js";
import { buildTeamDigest } from "../../src/jobs/digest.js";
import { kpiEngine } from "../../src/app/engines.js";
import { parseEnv } from "../../src/config/env.js";
import { silentLogger } from "../../src/log.js";
import { answerKpi } from "../../src/query/run.js";
import { demoConfig } from "../../src/sources/demo/catalog.js";
import { generateDemoRecords } from "../../src/sources/demo/generate.js";
import { openDatabase } from "../../src/store/db.js";
import { createStore, type Store } from "../../src/store/index.js";

// Issue 13: the demo's story comes through as significant findings with their evidence, and its
// weeks without a real change say so.

const NOW = Date.parse("2026-12-01T10:00:00Z");
const config = demoConfig();
let store: Store;

beforeAll(async () => {
  store = createStore(openDatabase(":memory:"));
  await store.catalog.syncFromConfig(config);
  await store.write(generateDemoRecords({ nowMs: NOW }));
});
afterAll(() => store.close());

const last30 = (metric: MetricId, scope: Scope) =>
  answerKpi({ store, config, nowMs: NOW }, { metric, scope, window: { fromMs: NOW - 30 * 86_400_000, toMs: NOW }, windowLabel: "last 30 days" });

describe("the demo's story, with evidence", () => {
  it("payments-api's pickup time: lead time rose significantly, pickup grew there", async () => {
    const answer = await last30("lead_time", { kind: "team", id: "payments" });
    expect(answer.change).toMatchObject({ significant: true, test: "mann_whitney_u" });
    expect(answer.drivers.find((d) => d.kind === "service")!.label).toBe("payments-api");
    const stage = answer.findings.find((f) => f.kind === "stage")!;
    expect(stage.text).toMatch(/^Pickup time .* in payments-api/);
    expect(stage.evidence.observed).toBeGreaterThan(stage.evidence.expected);
  });

  it("checkout's Friday deploys: failures over-represented on Fridays against their share of deployments", async () => {
    const answer = await last30("change_failure_rate", { kind: "service", id: "checkout" });
    const friday = answer.findings.find((f) => f.kind === "weekday")!;
    expect(friday.text).toMatch(/followed Friday deploys of checkout, while Fridays carry \d+ % of deployments/);
    expect(friday.evidence.observed).toBeGreaterThanOrEqual(3);
    expect(friday.evidence.observed).toBeGreaterThan(2 * friday.evidence.expected);
    expect(friday.evidence.p_value!).toBeLessThan(0.05);
    // The change itself is a signal, not only its Friday pattern.
    expect(answer.change).toMatchObject({ significant: true, test: "fisher_exact" });
    expect(answer.change.p_value!).toBeLessThan(0.01);
    expect(answer.stats["failed"]! / answer.sample_size).toBeGreaterThan(3 * (answer.previous.value! / 100));
    // The team's answer: significant, checkout the top service driver, the breach explained by it.
    const team = await last30("change_failure_rate", { kind: "team", id: "payments" });
    expect(team.change).toMatchObject({ significant: true, test: "fisher_exact" });
    expect(team.drivers.find((d) => d.kind === "service")!.label).toBe("checkout");
    expect(team.findings[0]).toMatchObject({ kind: "breach", text: expect.stringContaining("checkout") });
  });

  it("gateway's latency after the upgrade: significant, gateway the top driver, the annotation at the change point", async () => {
    const answer = await last30("latency_p95", { kind: "team", id: "platform" });
    expect(answer.change.significant).toBe(true);
    expect(answer.drivers.filter((d) => d.kind === "service")[0]!.label).toBe("gateway");
    const upgrade = answer.findings.find((f) => f.kind === "annotation")!;
    expect(upgrade.text).toContain("Upgraded HTTP client library to v5");
    expect(upgrade.evidence.p_value!).toBeLessThan(0.05);
  });

  it("a breach names the services past the line and the outages or incidents that put them there", async () => {
    const service = await last30("uptime", { kind: "service", id: "notifications" });
    expect(service.threshold.status).toBe("critical");
    const outages = service.drivers.filter((d) => d.kind === "incident");
    expect(outages.length).toBeGreaterThan(0);
    for (const d of outages) expect(d).toMatchObject({ service: "notifications", contribution: null, detail: expect.stringMatching(/^SEV1 outage, .* down in the window/) });
    expect(service.findings[0]).toMatchObject({ kind: "breach", text: expect.stringContaining(`notifications is past the warn line with ${outages.length} outage`) });
    expect(service.findings[0]!.text).toContain(outages[0]!.label);

    const org = await last30("uptime", { kind: "org", id: null });
    expect(org.threshold.status).toBe("warn");
    const past = org.drivers.filter((d) => d.kind === "service" && d.contribution === null).map((d) => d.label);
    // Every service named past the line has its outages among the drivers, and in the question.
    for (const name of past.slice(0, 3)) {
      expect(org.drivers.some((d) => d.kind === "incident" && d.service === name)).toBe(true);
      expect(org.findings[0]!.text).toMatch(new RegExp(`${name} \\([\\d.]+ %: \\d+ outages?`));
    }
    // The org's uptime alert: its top driver is the service furthest into the breach, with its outage.
    const deps = { store, config, env: parseEnv({}), logger: silentLogger(), now: () => NOW };
    const alert = (await pendingAlertTexts(deps, kpiEngine, NOW)).find((t) => t.startsWith("System uptime for the organisation"))!;
    const furthest = org.drivers.filter((d) => d.kind === "service" && d.contribution === null).sort((a, b) => a.current! - b.current!)[0]!;
    expect(alert).toMatch(new RegExp(`top driver: ${furthest.label} \\([\\d.]+ %; .*: SEV1 outage, `));
    // The team CFR breach names the failures behind it.
    const team = await last30("change_failure_rate", { kind: "team", id: "payments" });
    expect(team.findings[0]!.text).toMatch(/checkout \(\d+(\.\d)? %: \d+ deployment-caused incidents, the latest "Checkout: /);
  });

  it("the weeks without a real change say so instead of naming a mover", async () => {
    const deps = { store, config, env: parseEnv({}), logger: silentLogger(), now: () => NOW };
    const models = [];
    for (const team of config.teams) models.push((await buildTeamDigest(deps, kpiEngine, team, NOW)).model);
    const quiet = models.filter((m) => m.biggestMover === null);
    expect(quiet.length).toBeGreaterThanOrEqual(1);
    for (const model of quiet) expect(model.kpis.length).toBeGreaterThan(0);
  });
});
