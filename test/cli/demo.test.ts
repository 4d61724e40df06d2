import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { parseFileConfig } from "../../src/config/file.js";
import { vitals } from "./run.js";

describe("vitals demo", () => {
  it("builds the demo database and config, and rebuilding gives the same data", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vitals-demo-"));
    const args = ["demo", "--out", dir, "--days", "90", "--now", "2026-05-04T09:00:00Z"];
    const first = await vitals(args);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/records for 3 teams and 8 services written to/);
    expect(existsSync(join(dir, "demo.db"))).toBe(true);
    const config = parseFileConfig(readFileSync(join(dir, "demo.yml"), "utf8"), "demo.yml");
    expect(config.teams.map((t) => t.id)).toEqual(["payments", "platform", "growth"]);

    const count = () => {
      const db = new Database(join(dir, "demo.db"), { readonly: true });
      const row = db.prepare("SELECT (SELECT count(*) FROM deployments) AS d, (SELECT count(*) FROM incidents) AS i, (SELECT count(*) FROM samples) AS s").get();
      db.close();
      return row;
    };
    const before = count();
    expect((await vitals(args)).code).toBe(0);
    expect(count()).toEqual(before);
  });

  it("rejects a bad option value with what was expected", async () => {
    const result = await vitals(["demo", "--days", "ten", "--out", mkdtempSync(join(tmpdir(), "vitals-demo-"))]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--days: expected a positive whole number (got "ten")');
  });
});
