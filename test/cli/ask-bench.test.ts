import { describe, expect, it } from "vitest";
import { benchOrg, benchRecordBatches } from "../../bench/org.js";
import { formatBench, median, type BenchResult } from "../../bench/run.js";
import { parseFileConfig } from "../../src/config/file.js";

// The benchmark behind `vitals bench` / `npm run bench` (README: performance).

const NOW = Date.parse("2026-05-04T09:00:00Z");

describe("the benchmark org", () => {
  it("has the size issue 3 asks for at scale 1: ≥ 200 services, ≥ 1,000,000 deployment + change rows, ≥ 100,000 incidents over 2 years", () => {
    const org = benchOrg({ nowMs: NOW, scale: 1 });
    let deployments = 0;
    let changes = 0;
    let incidents = 0;
    let first = Infinity;
    let batches = 0;
    for (const batch of benchRecordBatches(org, { nowMs: NOW, scale: 1 })) {
      batches++;
      for (const record of batch) {
        if (record.kind === "deployment") {
          deployments++;
          // One change row per pull request (each PR here has one commit).
          changes += record.changes?.length ?? 0;
          first = Math.min(first, record.finishedAtMs);
        } else if (record.kind === "incident") incidents++;
      }
    }
    expect(org.services.length).toBeGreaterThanOrEqual(200);
    expect(deployments + changes).toBeGreaterThanOrEqual(1_000_000);
    expect(incidents).toBeGreaterThanOrEqual(100_000);
    // 730 full days, then today up to now.
    expect(batches).toBe(731);
    expect(NOW - first).toBeGreaterThan(728 * 86_400_000);
  }, 120_000);

  it("comes with a valid config: every service in a team, teams in several time zones", () => {
    const org = benchOrg({ nowMs: NOW, scale: 0.1 });
    const config = parseFileConfig(org.configYaml, "bench.yml");
    expect(config.teams.flatMap((t) => t.services).sort()).toEqual(org.services.map((s) => s.id).sort());
    expect(new Set(config.teams.map((t) => t.timezone)).size).toBeGreaterThan(1);
  });
});

describe("the benchmark report", () => {
  it("takes the median (mean of the middle two for an even count)", () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 10])).toBe(3.5);
  });

  it("marks missed targets and lists them", () => {
    const result: BenchResult = {
      databasePath: "/tmp/x.db",
      rows: { deployments: 400_000, changes: 600_000, incidents: 100_000, samples: 900_000, services: 240, teams: 24 },
      import: { records: 2_000_000, seconds: 100, recordsPerSecond: 20_000 },
      answers: [{ metric: "lead_time", org: 120.5, team: 40, service: 31 }],
      peakRssMb: 512,
      loadAverage: 1.5,
      misses: ["lead_time at org scope: 120.5 ms (target < 100 ms)", "lead_time at service scope: 31.0 ms (target < 30 ms)"],
    };
    const text = formatBench(result, { scale: 1, runs: 5 });
    expect(text).toContain("400,000 deployments + 600,000 changes = 1,000,000 rows, 100,000 incidents");
    expect(text).toContain("Import: 2,000,000 records in 100.0 s = 20,000 records/s");
    expect(text).toContain("Peak RSS: 512 MB; load average 1.5 on");
    expect(text).toContain("  lead_time                120.5!    40.0     31.0!");
    expect(text).toContain("Missed 2 target(s):\n  - lead_time at org scope: 120.5 ms (target < 100 ms)");
    expect(text).not.toContain("PostgreSQL");
  });

  it("prints PostgreSQL beside SQLite with the ratios, marking and listing the missed ones", () => {
    const rows = { deployments: 400_000, changes: 600_000, incidents: 100_000, samples: 900_000, services: 240, teams: 24 };
    const result: BenchResult = {
      databasePath: "/tmp/x.db",
      rows,
      import: { records: 2_000_000, seconds: 100, recordsPerSecond: 20_000 },
      answers: [
        { metric: "lead_time", org: 20, team: 10, service: 2 },
        { metric: "mttr", org: 10, team: 5, service: 1 },
      ],
      peakRssMb: 512,
      loadAverage: 1.5,
      misses: [],
      postgres: {
        server: "127.0.0.1:5432",
        rows,
        import: { records: 2_000_000, seconds: 250, recordsPerSecond: 8_000 },
        answers: [
          { metric: "lead_time", org: 50, team: 30, service: 8 },
          { metric: "mttr", org: 31, team: 9, service: 3 },
        ],
        loadAverage: 1.2,
        ratios: { import: 2.5, org: [{ metric: "lead_time", ratio: 2.5 }, { metric: "mttr", ratio: 3.1 }] },
        misses: ["import: 2.50× SQLite (target ≤ 2×)", "org answer mttr: 3.10× SQLite (target ≤ 3×)"],
      },
    };
    const text = formatBench(result, { scale: 1, runs: 5 });
    expect(text).toContain("PostgreSQL on 127.0.0.1:5432 (a fresh database for this run): the same rows;");
    expect(text).toContain("Import: 2,000,000 records in 250.0 s = 8,000 records/s; PostgreSQL/SQLite 2.50×! (target ≤ 2×)");
    expect(text).toContain("  lead_time                  20.0     10.0      2.0 |     50.0     30.0      8.0 |   2.50× ");
    expect(text).toContain("  mttr                       10.0      5.0      1.0 |     31.0      9.0      3.0 |   3.10×!");
    expect(text).toContain("Worst org answer: mttr at 3.10× SQLite.");
    expect(text).toContain("PostgreSQL missed 2 target(s):\n  - import: 2.50× SQLite (target ≤ 2×)\n  - org answer mttr: 3.10× SQLite (target ≤ 3×)");
  });
});
