import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { vitals } from "./run.js";

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/coverage/${name}`, import.meta.url));

function workspace() {
  const dir = mkdtempSync(join(tmpdir(), "vitals-coverage-"));
  const config = join(dir, "vitals.yml");
  writeFileSync(config, "services:\n  - id: checkout\n  - id: web\n");
  return { db: join(dir, "vitals.db"), config, dir };
}

function stored(db: string) {
  // A failed run may not even create the database: nothing was written either way.
  if (!existsSync(db)) return [];
  const conn = new Database(db, { readonly: true });
  const rows = conn.prepare("SELECT service_id, name, at, source, value FROM samples ORDER BY at").all();
  conn.close();
  return rows;
}

describe("vitals coverage", () => {
  it("records an LCOV report as one coverage_pct sample, and re-recording it changes nothing", async () => {
    const w = workspace();
    const args = ["coverage", fixture("lcov.info"), "--service", "checkout", "--at", "2026-05-04T10:00:00Z", "--db", w.db, "--config", w.config];
    const first = await vitals(args);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("lcov, 9 of 12 lines covered = 75% for checkout at 2026-05-04T10:00:00.000Z (recorded)");
    const again = await vitals(args);
    expect(again.stdout).toContain("(unchanged)");
    expect(stored(w.db)).toEqual([{ service_id: "checkout", name: "coverage_pct", at: Date.parse("2026-05-04T10:00:00Z"), source: "coverage", value: 75 }]);
  });

  it("uses a Cobertura report's own timestamp, and the clock for an Istanbul summary", async () => {
    const w = workspace();
    const common = ["--db", w.db, "--config", w.config, "--now", "2026-05-04T12:00:00Z"];
    expect((await vitals(["coverage", fixture("cobertura.xml"), "--service", "web", ...common])).code).toBe(0);
    expect((await vitals(["coverage", fixture("coverage-summary.json"), "--service", "web", ...common])).code).toBe(0);
    expect(stored(w.db)).toEqual([
      { service_id: "web", name: "coverage_pct", at: Date.parse("2024-05-04T11:00:00.123Z"), source: "coverage", value: 85.2 },
      { service_id: "web", name: "coverage_pct", at: Date.parse("2026-05-04T12:00:00Z"), source: "coverage", value: 82.04 },
    ]);
  });

  it("reads a report from standard input with an explicit format", async () => {
    const w = workspace();
    const result = await vitals(["coverage", "-", "--format", "lcov", "--service", "web", "--at", "2026-05-04T10:00:00Z", "--db", w.db, "--config", w.config], {
      stdin: "SF:a.ts\nDA:1,1\nDA:2,0\nend_of_record\n",
    });
    expect(result.stdout).toContain("stdin: lcov, 1 of 2 lines covered = 50%");
  });

  it("writes nothing from a bad report and names its line", async () => {
    const w = workspace();
    const bad = join(w.dir, "bad.info");
    writeFileSync(bad, "SF:a.ts\nDA:1,1\nLF:many\nend_of_record\n");
    const result = await vitals(["coverage", bad, "--service", "web", "--db", w.db, "--config", w.config]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${bad}:3: LF: expected a whole number, got "many"`);
    expect(result.stderr).toContain("nothing was written");
    expect(stored(w.db)).toEqual([]);
  });

  it("requires a known --service and a valid --at", async () => {
    const w = workspace();
    const missing = await vitals(["coverage", fixture("lcov.info"), "--db", w.db, "--config", w.config]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--service is required");
    const unknown = await vitals(["coverage", fixture("lcov.info"), "--service", "chekout", "--db", w.db, "--config", w.config]);
    expect(unknown.stderr).toContain('unknown service "chekout"; the config file has checkout, web');
    const badAt = await vitals(["coverage", fixture("lcov.info"), "--service", "web", "--at", "monday", "--db", w.db, "--config", w.config]);
    expect(badAt.stderr).toContain('--at: expected an ISO timestamp with an offset, e.g. 2026-05-04T10:00:00Z (got "monday")');
  });
});
