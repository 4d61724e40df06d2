import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { vitals } from "./run.js";

// Crash safety proven, not assumed: a child `vitals import` is SIGKILLed in the middle of its
// write; the database must pass `PRAGMA integrity_check`, hold none of the interrupted write (a
// file is one transaction), and re-running the import must end with exactly the expected rows.

const RECORDS = 60_000;
let dir: string;
let file: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "vitals-crash-"));
  file = join(dir, "big.ndjson");
  const start = Date.parse("2025-01-01T00:00:00Z");
  const lines: string[] = [];
  for (let i = 0; i < RECORDS; i++) {
    const at = new Date(start + i * 600_000).toISOString();
    lines.push(JSON.stringify({ kind: "deployment", id: `d-${i}`, service: `svc-${i % 40}`, status: "success", finished_at: at, changes: [{ sha: `${i.toString(16).padStart(7, "0")}a`, committed_at: at }] }));
  }
  writeFileSync(file, `${lines.join("\n")}\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const size = (path: string) => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};

function count(db: string): { deployments: number; integrity: string } {
  const conn = new Database(db, { readonly: true });
  try {
    const integrity = (conn.prepare("PRAGMA integrity_check").get() as { integrity_check: string }).integrity_check;
    const deployments = (conn.prepare("SELECT count(*) AS n FROM deployments").get() as { n: number }).n;
    return { deployments, integrity };
  } finally {
    conn.close();
  }
}

describe("crash safety", () => {
  it("a SIGKILLed import leaves an intact database without half of its write, and a re-run completes it exactly", async () => {
    const db = join(dir, "import.db");
    // An empty, migrated database first, so that the kill lands in the records' transaction.
    expect((await vitals(["import", "-", "--db", db], { stdin: "" })).code).toBe(0);
    const child = spawn(process.execPath, ["bin/vitals.js", "import", file, "--db", db], {
      env: { PATH: process.env.PATH ?? "", VITALS_FROM_SOURCES: "1", LOG_LEVEL: "error" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once("exit", (_code, signal) => resolve(signal)));
    // The write is under way once the WAL grows: kill it then, bounded to 60 s of waiting.
    const deadline = Date.now() + 60_000;
    while (size(`${db}-wal`) < 256 * 1024 && Date.now() < deadline && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 5));
    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");

    const after = count(db);
    expect(after.integrity).toBe("ok");
    // Nothing of the interrupted transaction is visible.
    expect(after.deployments).toBe(0);

    const rerun = await vitals(["import", file, "--db", db]);
    expect(rerun.code).toBe(0);
    expect(count(db)).toEqual({ deployments: RECORDS, integrity: "ok" });
    const again = await vitals(["import", file, "--db", db]);
    expect(again.stdout).toContain(`deployments 0 new, 0 updated, ${RECORDS} unchanged`);
    expect(count(db).deployments).toBe(RECORDS);
  }, 120_000);
});
