import { describe, expect, it } from "vitest";
import { demoCatalog, demoConfig } from "../../src/sources/demo/catalog.js";
import { generateDemoRecords } from "../../src/sources/demo/generate.js";
import { openDatabase } from "../../src/store/db.js";
import { createStore } from "../../src/store/index.js";

const NOW = Date.parse("2026-05-04T09:00:00Z");
const DAY = 86_400_000;

describe("demo data", () => {
  it("is the same for the same seed and clock", () => {
    expect(generateDemoRecords({ nowMs: NOW, days: 30 })).toEqual(generateDemoRecords({ nowMs: NOW, days: 30 }));
    expect(generateDemoRecords({ nowMs: NOW, days: 30, seed: 7 })).not.toEqual(generateDemoRecords({ nowMs: NOW, days: 30 }));
  });

  it("stays in the past and in the requested span", () => {
    const records = generateDemoRecords({ nowMs: NOW, days: 60 });
    const times = records.map((r) => (r.kind === "deployment" ? r.finishedAtMs : r.kind === "incident" ? r.createdAtMs : r.atMs));
    expect(Math.max(...times)).toBeLessThan(NOW);
    expect(Math.min(...times)).toBeGreaterThanOrEqual(NOW - 61 * DAY);
  });

  it("matches its config: every service in data belongs to a configured team", () => {
    const config = demoConfig();
    const configured = new Set(config.teams.flatMap((t) => t.services));
    const inData = new Set(generateDemoRecords({ nowMs: NOW, days: 30 }).flatMap((r) => (r.kind === "annotation" || !r.service ? [] : [r.service])));
    expect([...inData].every((s) => configured.has(s))).toBe(true);
    expect(config.teams.map((t) => t.id)).toEqual(["payments", "platform", "growth"]);
  });

  it("tells its story: checkout's Friday deploys fail more often in the last four weeks", () => {
    const store = createStore(openDatabase(":memory:"));
    store.catalog.syncFromConfig(demoConfig());
    store.write(generateDemoRecords({ nowMs: NOW, days: 365 }));
    const rate = (from: number, to: number) =>
      store.db
        .prepare(
          `SELECT avg(EXISTS (SELECT 1 FROM incidents i WHERE i.linked_deployment_id = d.id)) AS rate
           FROM deployments d WHERE d.service_id = 'checkout' AND d.status = 'success' AND d.finished_at >= ? AND d.finished_at < ?`,
        )
        .get(from, to) as { rate: number };
    expect(rate(NOW - 28 * DAY, NOW).rate).toBeGreaterThan(rate(NOW - 365 * DAY, NOW - 28 * DAY).rate * 1.5);
  });

  it("scales to many services for benchmarks", () => {
    const catalog = demoCatalog(205);
    expect(catalog.services).toHaveLength(205);
    expect(new Set(catalog.services.map((s) => s.id)).size).toBe(205);
    expect(catalog.teams.length).toBe(23);
  });
});
