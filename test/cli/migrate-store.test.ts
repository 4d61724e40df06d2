import { copyFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadMigrations } from "../../src/store/db.js";
import { migratePostgres } from "../../src/store/postgres/migrate.js";
import { createPool } from "../../src/store/postgres/pool.js";
import { startTestPostgres, type TestPostgres } from "../support/postgres.js";
import { demoDatabase, vitals } from "./run.js";

// `vitals migrate-store` (issue 19) against a fresh PostgreSQL: the real server with
// TEST_DATABASE_URL, otherwise PGlite (test/support/postgres.ts). PGlite serves one connection at a
// time, so the test reads the target through a short-lived client, never while the command runs.

const engine = process.env.TEST_DATABASE_URL ? "postgres" : "pglite";
const NOW = "2026-05-04T09:00:00Z";
const newest = loadMigrations().at(-1)!.version;

let database: TestPostgres;
let demo: { dir: string; db: string };

const settle = () => new Promise((resolve) => setTimeout(resolve, 25));

/**
 * A short-lived connection to the target. pglite-socket (in this process) frees its one connection
 * slot when it sees the socket close, a moment after the client's end() resolves: the next
 * connection waits for that (a real server has slots to spare).
 */
async function onTarget<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  let client: pg.Client | undefined;
  for (let attempt = 0; client === undefined; attempt++) {
    const candidate = new pg.Client({ connectionString: database.url });
    try {
      await candidate.connect();
      client = candidate;
    } catch (error) {
      if (attempt >= 40) throw error;
      await settle();
    }
  }
  try {
    return await work(client);
  } finally {
    await client.end();
    await settle();
  }
}

async function migrateTarget(): Promise<void> {
  const pool = createPool(database.url, { max: 1, onIdleError: () => undefined });
  try {
    await migratePostgres(pool);
  } finally {
    await pool.end();
    await settle();
  }
}

function sqliteTables(path: string): string[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare<[], string>(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).pluck().all();
  } finally {
    db.close();
  }
}

function sqliteRows(path: string, sql: string): Record<string, unknown>[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare<[], Record<string, unknown>>(sql).all();
  } finally {
    db.close();
  }
}

/** pg returns bigint as a decimal string; the values here are far below 2^53. */
const normalise = (rows: Record<string, unknown>[]) =>
  rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === "string" && /^-?\d+$/.test(v) && k !== "external_id" && k !== "sha" ? Number(v) : v])));

/** Rows in one order on both sides (text keys sort by collation in PostgreSQL, bytes in SQLite). */
const sorted = (rows: Record<string, unknown>[]) => [...rows].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));

async function targetCounts(tables: readonly string[]): Promise<Record<string, number>> {
  return onTarget(async (client) => {
    const counts: Record<string, number> = {};
    for (const table of tables) {
      const found = (await client.query<{ found: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS found`, [table])).rows[0]!.found;
      counts[table] = found ? Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n) : 0;
    }
    return counts;
  });
}

const copy = (from: string, extra: string[] = []) => vitals(["migrate-store", "--from", from, "--to", database.url, ...extra]);

beforeAll(async () => {
  database = await startTestPostgres();
  const made = demoDatabase("vitals-migrate-store-", NOW);
  demo = { dir: made.dir, db: made.args[1]! };
}, 60_000);

afterAll(async () => {
  await database?.close();
  if (demo) rmSync(demo.dir, { recursive: true, force: true });
});

// Each test starts from an empty target (one PostgreSQL per file).
beforeEach(async () => {
  await onTarget((client) => client.query("DROP SCHEMA public CASCADE; CREATE SCHEMA public"));
});

describe(`vitals migrate-store (${engine})`, () => {
  it("copies the demo database: every table's rows, value for value, with the identities continuing after them", async () => {
    const result = await copy(demo.db, ["--batch", "97"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/copied \d+ tables, \d+ rows in \d+\.\d s; counts and checksums verified/);
    const tables = sqliteTables(demo.db);
    expect(tables.length).toBeGreaterThanOrEqual(20);
    const expected = Object.fromEntries(tables.map((t) => [t, Number(sqliteRows(demo.db, `SELECT count(*) AS n FROM ${t}`)[0]!.n)]));
    expect(await targetCounts(tables)).toEqual(expected);
    expect(expected.deployments).toBeGreaterThan(500);
    for (const table of tables) expect(result.stdout).toMatch(new RegExp(`^  ${table} +${expected[table]}$`, "m"));

    // The key tables, derived columns and derived tables included; rollbacks reference rows of their own table.
    const keyTables = ["deployments", "changes", "deployment_changes", "incidents", "samples", "sample_points", "stage_days", "derived_settings"];
    expect(sqliteRows(demo.db, "SELECT count(*) AS n FROM deployments WHERE rollback_of_id IS NOT NULL")[0]!.n).toBeGreaterThan(0);
    for (const table of keyTables) {
      const fromSqlite = sqliteRows(demo.db, `SELECT * FROM ${table}`);
      const fromPostgres = await onTarget(async (client) => (await client.query<Record<string, unknown>>(`SELECT * FROM ${table}`)).rows);
      expect(fromSqlite.length, table).toBeGreaterThan(0);
      expect(sorted(normalise(fromPostgres)), table).toEqual(sorted(normalise(fromSqlite)));
    }

    // setval: the next generated id follows the copied ones.
    const maxId = Number(sqliteRows(demo.db, "SELECT max(id) AS n FROM annotations")[0]!.n);
    const nextId = await onTarget(async (client) =>
      Number((await client.query<{ id: string }>(`INSERT INTO annotations (source, external_id, at, text) VALUES ('test', 'after-copy', 1, 'x') RETURNING id`)).rows[0]!.id),
    );
    expect(nextId).toBe(maxId + 1);
  }, 60_000);

  it("changes nothing and says so when run again after it succeeded", async () => {
    expect((await copy(demo.db)).code).toBe(0);
    const tables = sqliteTables(demo.db);
    const before = await targetCounts(tables);
    const again = await copy(demo.db);
    expect(again.stderr).toBe("");
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already holds exactly these rows \(\d+ tables, \d+ rows\): nothing to do/);
    expect(again.stdout).not.toContain("copied");
    expect(await targetCounts(tables)).toEqual(before);
  }, 60_000);

  it("refuses a target that holds other data, naming the table, and leaves it untouched", async () => {
    await migrateTarget();
    await onTarget((client) => client.query(`INSERT INTO teams (id, name) VALUES ('elsewhere', 'Another org')`));
    const result = await copy(demo.db);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^vitals migrate-store: the PostgreSQL database already holds other data \(teams: 1 row\); copy into an empty database\n$/);
    const counts = await targetCounts(sqliteTables(demo.db));
    expect(counts.teams).toBe(1);
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(1);
  }, 60_000);

  it("refuses a target whose schema is newer, copying nothing", async () => {
    await migrateTarget();
    await onTarget((client) => client.query("UPDATE schema_version SET version = $1", [newest + 1]));
    const result = await copy(demo.db);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`database schema version ${newest + 1} is newer than this Vitals (${newest}); upgrade Vitals`);
    const counts = await targetCounts(sqliteTables(demo.db));
    expect(Object.values(counts).every((n) => n === 0)).toBe(true);
  }, 60_000);

  it("names the tables found on one side only, copying nothing", async () => {
    await migrateTarget();
    await onTarget((client) => client.query("CREATE TABLE notes_of_another_tool (id bigint PRIMARY KEY)"));
    const result = await copy(demo.db);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("vitals migrate-store: the two databases have different tables (only in PostgreSQL: notes_of_another_tool)\n");
    const counts = await targetCounts(sqliteTables(demo.db));
    expect(Object.values(counts).every((n) => n === 0)).toBe(true);
  }, 60_000);

  it("keeps integers beyond 2^53 exact", async () => {
    const big = join(demo.dir, "big.db");
    copyFileSync(demo.db, big);
    const db = new Database(big);
    db.prepare("UPDATE annotations SET at = 9007199254740993 WHERE id = (SELECT min(id) FROM annotations)").run();
    db.close();
    const result = await copy(big);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const stored = await onTarget(async (client) => (await client.query<{ at: string }>("SELECT at::text AS at FROM annotations ORDER BY id LIMIT 1")).rows[0]!.at);
    expect(stored).toBe("9007199254740993");
  }, 60_000);

  it("refuses a SQLite database newer than this Vitals, copying nothing", async () => {
    const newer = join(demo.dir, "newer.db");
    copyFileSync(demo.db, newer);
    const db = new Database(newer);
    db.pragma(`user_version = ${newest + 1}`);
    db.close();
    const result = await copy(newer);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`vitals migrate-store: ${newer}: database schema version ${newest + 1} is newer than this Vitals (${newest}); upgrade Vitals\n`);
    const counts = await targetCounts(sqliteTables(demo.db));
    expect(Object.values(counts).every((n) => n === 0)).toBe(true);
  }, 60_000);

  it("rolls back every copied table when the target rejects a row", async () => {
    const broken = join(demo.dir, "broken.db");
    copyFileSync(demo.db, broken);
    const db = new Database(broken);
    // PostgreSQL's text cannot hold NUL; SQLite's can. incidents is copied after teams, services, deployments.
    db.prepare("UPDATE incidents SET title = 'bad' || char(0) || 'title' WHERE id = (SELECT max(id) FROM incidents)").run();
    db.close();
    const result = await copy(broken);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^vitals migrate-store: copying table incidents failed, nothing was copied: .*0x00/);
    const counts = await targetCounts(sqliteTables(demo.db));
    expect(counts).toMatchObject({ teams: 0, services: 0, deployments: 0, changes: 0, incidents: 0 });
    expect(Object.values(counts).every((n) => n === 0)).toBe(true);
  }, 60_000);

  it("rolls back and names the table when a copied table's checksum differs", async () => {
    await migrateTarget();
    // A trigger the copy does not know about alters what is stored: the verification must see it.
    await onTarget((client) =>
      client.query(`
        CREATE FUNCTION shout() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.text := upper(NEW.text); RETURN NEW; END $$;
        CREATE TRIGGER shout BEFORE INSERT ON annotations FOR EACH ROW EXECUTE FUNCTION shout();`),
    );
    const result = await copy(demo.db);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^vitals migrate-store: table annotations differs after copying \(SQLite 4 rows, checksum -?\d+; PostgreSQL 4 rows, checksum -?\d+\); rolled back, nothing was copied\n$/);
    const counts = await targetCounts(sqliteTables(demo.db));
    expect(Object.values(counts).every((n) => n === 0)).toBe(true);
  }, 60_000);

  it("never prints the password of the target URL", async () => {
    const password = "Sup3r-Secret-pw";
    const withPassword = new URL(database.url);
    withPassword.password = password;
    const run = await vitals(["migrate-store", "--from", demo.db, "--to", withPassword.toString()]);
    // PGlite and a trust-authenticated server ignore the password; a server that checks it refuses it.
    expect([0, 1]).toContain(run.code);
    expect(run.stdout + run.stderr).not.toContain(password);
    if (run.code === 0) expect(run.stdout).toContain(":***@");

    const unreachable = await vitals(["migrate-store", "--from", demo.db, "--to", `postgres://vitals:${password}@127.0.0.1:1/vitals`]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/^vitals migrate-store: postgres:\/\/vitals:\*\*\*@127\.0\.0\.1:1\/vitals: cannot connect: .*\n$/);
    expect(unreachable.stdout + unreachable.stderr).not.toContain(password);
  }, 60_000);

  it("says in one line what is wrong with its arguments", async () => {
    const missing = await vitals(["migrate-store", "--from", join(demo.dir, "nope.db"), "--to", database.url]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`vitals migrate-store: --from: no SQLite database at ${join(demo.dir, "nope.db")}\n`);
    const mysql = await vitals(["migrate-store", "--from", demo.db, "--to", "mysql://root:hunter2@db/vitals"]);
    expect(mysql.code).toBe(2);
    expect(mysql.stderr).toBe("vitals migrate-store: --to: expected a PostgreSQL URL, postgres://user:password@host:5432/database (got mysql://root:***@db/vitals)\n");
    const batch = await vitals(["migrate-store", "--from", demo.db, "--to", database.url, "--batch", "0"]);
    expect(batch.code).toBe(2);
    expect(batch.stderr).toContain("--batch: expected a whole number of rows ≥ 1");
    const none = await vitals(["migrate-store"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("--from is required");
  });
});
