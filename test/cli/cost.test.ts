import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { vitals } from "./run.js";

const focus = fileURLToPath(new URL("../fixtures/cost/focus.csv", import.meta.url));

function workspace() {
  const dir = mkdtempSync(join(tmpdir(), "vitals-cost-"));
  const config = join(dir, "vitals.yml");
  writeFileSync(config, "services:\n  - id: checkout\n  - id: search\ncost:\n  service_tag: service\n  share_untagged: true\n");
  return { db: join(dir, "vitals.db"), config, dir };
}

function totals(db: string) {
  // A failed run may not even create the database: nothing was written either way.
  if (!existsSync(db)) return [];
  const conn = new Database(db, { readonly: true });
  const rows = conn.prepare("SELECT service_id, round(sum(value), 2) AS usd, count(*) AS n FROM samples WHERE name = 'infra_cost_usd' GROUP BY 1 ORDER BY 1").all();
  conn.close();
  return rows;
}

describe("vitals cost", () => {
  it("imports a FOCUS export per service, reports untagged cost, and re-importing changes nothing", async () => {
    const w = workspace();
    const first = await vitals(["cost", focus, "--db", w.db, "--config", w.config]);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("8 rows, $43.30 BilledCost across 2 services → 5 cost samples (5 new, 0 updated, 0 unchanged)");
    expect(first.stdout).toContain("untagged: $9.50 at organisation scope, shared across services in proportion to their tagged cost");
    expect(first.stdout).toContain('tag "service" names services the config file does not list (counted as untagged): legacy-cron');
    expect(totals(w.db)).toEqual([
      { service_id: "", usd: 9.5, n: 2 },
      { service_id: "checkout", usd: 26.2, n: 2 },
      { service_id: "search", usd: 7.6, n: 1 },
    ]);
    const again = await vitals(["cost", focus, "--db", w.db, "--config", w.config]);
    expect(again.stdout).toContain("(0 new, 0 updated, 5 unchanged)");
  });

  it("writes nothing from a file with a bad row and names the row and column", async () => {
    const w = workspace();
    const bad = join(w.dir, "cost.csv");
    const lines = ["BilledCost,ChargePeriodStart,ChargePeriodEnd,Tags", ...Array.from({ length: 12 }, () => "1.5,2026-05-01T00:00:00Z,2026-05-02T00:00:00Z,"), "abc,2026-05-01T00:00:00Z,2026-05-02T00:00:00Z,"];
    writeFileSync(bad, lines.join("\n"));
    const result = await vitals(["cost", bad, "--db", w.db, "--config", w.config]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${bad}:14: BilledCost: expected a number, got "abc"`);
    expect(result.stderr).toContain("nothing from this file was written");
    expect(totals(w.db)).toEqual([]);
  });

  it("refuses an unknown cost column", async () => {
    const w = workspace();
    const result = await vitals(["cost", focus, "--cost-column", "ListCost", "--db", w.db, "--config", w.config]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--cost-column: expected BilledCost or EffectiveCost (got "ListCost")');
  });
});
