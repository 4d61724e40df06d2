import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPool } from "../../src/store/postgres/pool.js";
import { startTestPostgres, type TestPostgres } from "../support/postgres.js";

// The PostgreSQL test harness itself (issue 19): the same `pg` pool code against the real server
// (TEST_DATABASE_URL) or PGlite, whichever this environment has.

const expectedEngine = process.env.TEST_DATABASE_URL ? "postgres" : "pglite";
let database: TestPostgres;
let pool: pg.Pool;
const idleErrors: Error[] = [];

beforeAll(async () => {
  database = await startTestPostgres();
  // max 1: PGlite serves one connection at a time (test/support/postgres.ts).
  pool = createPool(database.url, { max: 1, applicationName: "vitals-harness-test", onIdleError: (error) => idleErrors.push(error) });
});

afterAll(async () => {
  await pool?.end();
  await database?.close();
});

describe(`the PostgreSQL test harness (${expectedEngine})`, () => {
  it("reports the engine this environment provides", async () => {
    expect(database.engine).toBe(expectedEngine);
    const { rows } = await pool.query<{ version: string }>("SELECT version() AS version");
    expect(rows[0]?.version.includes("PGlite")).toBe(expectedEngine === "pglite");
    expect(rows[0]?.version).toMatch(/^PostgreSQL \d+/);
  });

  // pglite-socket ignores start-up parameters (application_name, statement_timeout, options).
  it.skipIf(expectedEngine !== "postgres")("names the connection as the pool was told (real server)", async () => {
    const { rows } = await pool.query<{ name: string }>("SELECT current_setting('application_name') AS name");
    expect(rows[0]?.name).toBe("vitals-harness-test");
  });

  it("creates a table, writes and reads in a transaction, and a rollback leaves nothing", async () => {
    await pool.query("CREATE TABLE deployments (id text PRIMARY KEY, finished_at_ms bigint NOT NULL)");
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      await client.query("INSERT INTO deployments VALUES ($1, $2), ($3, $4)", ["d1", 1_700_000_000_000, "d2", 1_700_000_360_000]);
      const inside = await client.query<{ n: string }>("SELECT count(*) AS n FROM deployments");
      expect(inside.rows[0]?.n).toBe("2");
      await client.query("COMMIT");

      await client.query("BEGIN");
      await client.query("INSERT INTO deployments VALUES ('d3', 0)");
      await client.query("ROLLBACK");
    } finally {
      client.release();
    }
    const { rows } = await pool.query<{ id: string; finished_at_ms: string }>("SELECT id, finished_at_ms FROM deployments ORDER BY id");
    // bigint arrives as text from pg unless the store sets a type parser: epoch ms exceed int4.
    expect(rows).toEqual([
      { id: "d1", finished_at_ms: "1700000000000" },
      { id: "d2", finished_at_ms: "1700000360000" },
    ]);
    expect(idleErrors).toEqual([]);
  });

  it("gives every call a database of its own", async () => {
    const other = await startTestPostgres();
    try {
      expect(other.url).not.toBe(database.url);
      const otherPool = createPool(other.url, { max: 1, onIdleError: (error) => idleErrors.push(error) });
      try {
        const { rows } = await otherPool.query<{ t: string | null }>("SELECT to_regclass('deployments')::text AS t");
        expect(rows[0]?.t).toBeNull();
      } finally {
        await otherPool.end();
      }
    } finally {
      await other.close();
    }
  });

  it.skipIf(expectedEngine !== "postgres")("drops the database on close (real server)", async () => {
    const other = await startTestPostgres();
    const name = new URL(other.url).pathname.slice(1);
    const exists = async () => {
      const { rows } = await pool.query<{ n: string }>("SELECT count(*) AS n FROM pg_database WHERE datname = $1", [name]);
      return rows[0]?.n;
    };
    expect(await exists()).toBe("1");
    await other.close();
    expect(await exists()).toBe("0");
  });
});
