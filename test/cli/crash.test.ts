import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeGithub } from "../fakes/github/server.js";
import { deploy, pushCommit, TOKEN } from "../sources/github/helpers.js";
import { vitals } from "./run.js";

// Crash safety proven, not assumed: a child `vitals import` or `vitals sync` is SIGKILLed in the
// middle of its write; the database must pass `PRAGMA integrity_check`, hold none of the
// interrupted write (a file is one transaction; a synced deployment is one, with its changes and
// its cursor), and re-running must end with exactly the expected rows.

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

function query<T>(db: string, sql: string): T[] {
  const conn = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return conn.prepare(sql).all() as T[];
  } finally {
    conn.close();
  }
}

function child(args: string[], env: Record<string, string>) {
  const proc = spawn(process.execPath, ["bin/vitals.js", ...args], {
    env: { PATH: process.env.PATH ?? "", VITALS_FROM_SOURCES: "1", LOG_LEVEL: "error", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => proc.once("exit", (_code, signal) => resolve(signal)));
  return { proc, exited };
}

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
    const { proc, exited } = child(["import", file, "--db", db], {});
    // The write is under way once the WAL grows: kill it then, bounded to 60 s of waiting.
    const deadline = Date.now() + 60_000;
    while (size(`${db}-wal`) < 256 * 1024 && Date.now() < deadline && proc.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 5));
    proc.kill("SIGKILL");
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

  it("a SIGKILLed sync keeps whole deployments only (each with all its changes), and a re-run ends with exactly the expected rows", async () => {
    // One repo, 40 production deployments, each shipping three new commits; GitHub answers slowly
    // (REST: a statuses and a compare request per deployment) so the kill lands mid-sync.
    const DEPLOYS = 40;
    const fake = await new FakeGithub({ token: TOKEN }).start();
    try {
      const repo = fake.repo("acme", "shop");
      const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");
      const first = Date.now() - 20 * 86_400_000;
      const shipped = new Map<string, string[]>();
      for (let d = 0; d < DEPLOYS; d++) {
        const base = first + d * 10 * 3_600_000;
        const shas = [0, 1, 2].map((c) => pushCommit(repo, `d${d}-c${c}`, iso(base + c * 60_000)));
        shipped.set(shas[2]!, [...shas].sort());
        deploy(repo, 1000 + d, shas[2]!, iso(base + 3_600_000), [["success", iso(base + 3_700_000)]]);
      }
      const config = join(dir, "sync.yml");
      writeFileSync(config, "github: { api: rest }\nservices:\n  - id: shop\n    github: { repo: acme/shop }\n");
      const db = join(dir, "sync.db");
      const args = ["sync", "github", "--db", db, "--config", config];
      const env = { GITHUB_TOKEN: TOKEN, GITHUB_API_URL: fake.baseUrl };

      fake.delayMs = 25;
      const { proc, exited } = child(args, env);
      // Polled while the child runs: before its migrations commit, the file exists without the table.
      const stored = () => {
        if (size(db) === 0) return 0;
        try {
          return query<{ n: number }>(db, "SELECT count(*) AS n FROM deployments")[0]!.n;
        } catch (error) {
          if (/no such table|SQLITE_BUSY|database is locked/.test(String(error))) return 0;
          throw error;
        }
      };
      const deadline = Date.now() + 60_000;
      while (stored() < 8 && Date.now() < deadline && proc.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 10));
      proc.kill("SIGKILL");
      expect(await exited).toBe("SIGKILL");

      expect(query<{ integrity_check: string }>(db, "PRAGMA integrity_check")).toEqual([{ integrity_check: "ok" }]);
      const kept = query<{ sha: string; shas: string | null }>(
        db,
        "SELECT d.sha, (SELECT group_concat(sha, ',') FROM (SELECT dc.sha FROM deployment_changes dc WHERE dc.deployment_id = d.id ORDER BY dc.sha)) AS shas FROM deployments d ORDER BY d.finished_at",
      );
      // Killed part-way: some deployments are in, not all.
      expect(kept.length).toBeGreaterThanOrEqual(8);
      expect(kept.length).toBeLessThan(DEPLOYS);
      // Oldest first and whole: every stored deployment holds exactly the three commits it shipped,
      // and no change is stored without the deployment that shipped it.
      const expectedOrder = [...shipped.keys()];
      expect(kept.map((k) => k.sha)).toEqual(expectedOrder.slice(0, kept.length));
      for (const k of kept) expect(k.shas?.split(",")).toEqual(shipped.get(k.sha));
      expect(query<{ n: number }>(db, "SELECT count(*) AS n FROM changes")[0]!.n).toBe(3 * kept.length);

      fake.delayMs = 0;
      const rerun = await vitals(args, { env });
      expect(rerun.code).toBe(0);
      const all = query<{ sha: string; n: number }>(db, "SELECT d.sha, (SELECT count(*) FROM deployment_changes dc WHERE dc.deployment_id = d.id) AS n FROM deployments d ORDER BY d.finished_at");
      expect(all).toEqual(expectedOrder.map((s) => ({ sha: s, n: 3 })));
      expect(query<{ n: number }>(db, "SELECT count(*) AS n FROM changes")[0]!.n).toBe(3 * DEPLOYS);
      expect(query<{ n: number }>(db, "SELECT count(DISTINCT sha) AS n FROM deployment_changes")[0]!.n).toBe(3 * DEPLOYS);
      // Idempotent: one more sync changes no row.
      const tables = () => JSON.stringify(["deployments", "changes", "deployment_changes"].map((t) => query(db, `SELECT * FROM ${t} ORDER BY 1, 2`)));
      const before = tables();
      expect((await vitals(args, { env })).code).toBe(0);
      expect(tables()).toBe(before);
      expect(query<{ integrity_check: string }>(db, "PRAGMA integrity_check")).toEqual([{ integrity_check: "ok" }]);
    } finally {
      await fake.stop();
    }
  }, 60_000);
});
