import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { vitals } from "./run.js";

const records = [
  '{"kind":"deployment","id":"d-1","service":"checkout","status":"success","finished_at":"2026-03-02T10:00:00Z","changes":[{"sha":"abcdef1","committed_at":"2026-03-01T08:00:00Z"}]}',
  '{"kind":"incident","id":"PD-1","service":"checkout","title":"5xx spike","created_at":"2026-03-02T11:00:00Z","resolved_at":"2026-03-02T12:30:00Z"}',
].join("\n");

function workspace() {
  const dir = mkdtempSync(join(tmpdir(), "vitals-import-"));
  const file = join(dir, "records.ndjson");
  writeFileSync(file, records);
  return { dir, file, db: join(dir, "vitals.db") };
}

describe("vitals import", () => {
  it("imports a file, and importing it again changes nothing", async () => {
    const w = workspace();
    const first = await vitals(["import", w.file, "--db", w.db]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/2 records .* deployments 1 new, 0 updated, 0 unchanged; incidents 1 new, 0 updated, 0 unchanged/);
    const again = await vitals(["import", w.file, "--db", w.db]);
    expect(again.stdout).toMatch(/deployments 0 new, 0 updated, 1 unchanged; incidents 0 new, 0 updated, 1 unchanged/);
    const db = new Database(w.db, { readonly: true });
    expect(db.prepare("SELECT linked_deployment_id IS NOT NULL AS linked, link_rule FROM incidents").get()).toEqual({ linked: 1, link_rule: "heuristic" });
    db.close();
  });

  it("writes nothing from a file with a bad line and exits 2 with the line's problem", async () => {
    const w = workspace();
    const result = await vitals(["import", "-", "--db", w.db], { stdin: records + '\n{"kind":"metric","name":"uptime","at":"2026-03-02T00:00:00Z","value":1}' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("stdin:3: name: expected one of uptime_pct");
    expect(result.stderr).toContain("nothing from this file was written");
    const db = new Database(w.db, { readonly: true });
    expect(db.prepare("SELECT count(*) AS n FROM deployments").get()).toEqual({ n: 0 });
    db.close();
  });

  it("explains usage errors without a stack trace", async () => {
    const result = await vitals(["import", "--bogus"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Unknown option '--bogus'.*Try: vitals import --help/);
    expect(result.stderr).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it("reports a missing file by name", async () => {
    const w = workspace();
    const result = await vitals(["import", join(w.dir, "nope.ndjson"), "--db", w.db]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("nope.ndjson: cannot read (ENOENT)");
  });
});
