import pg from "pg";
import { afterAll, beforeAll } from "vitest";
import { openDatabase, type Db } from "../../src/store/db.js";
import { migratePostgres } from "../../src/store/postgres/migrate.js";
import { createPool } from "../../src/store/postgres/pool.js";
import { postgresRunner, RUNNER_TYPES, type PostgresRunner } from "../../src/store/postgres/runner.js";
import { POSTGRES, SQLITE, type Dialect } from "../../src/store/sql/dialect.js";
import { sqliteRunner, type SqliteRunner } from "../../src/store/sql/sqlite-runner.js";
import { startTestPostgres, type TestPostgres } from "./postgres.js";

// Both engines of the store, migrated and empty, for tests that run one store operation on each and
// compare (issue 19): SQLite in memory, and PostgreSQL from support/postgres.ts (the real server when
// TEST_DATABASE_URL is set, else PGlite). Start one per test file (beforeAll): PGlite takes seconds.

export interface SqliteEngine {
  readonly dialect: Dialect;
  readonly db: Db;
  readonly runner: SqliteRunner;
}

export interface PostgresEngine {
  readonly dialect: Dialect;
  readonly pool: pg.Pool;
  readonly runner: PostgresRunner;
  readonly server: TestPostgres;
  /** Empty every table (between tests), keeping the schema. */
  truncate(): Promise<void>;
  close(): Promise<void>;
}

export function sqliteEngine(): SqliteEngine {
  const db = openDatabase(":memory:");
  return { dialect: SQLITE, db, runner: sqliteRunner(db) };
}

export async function postgresEngine(): Promise<PostgresEngine> {
  const server = await startTestPostgres();
  // PGlite serves one connection at a time (support/postgres.ts).
  const pool = createPool(server.url, { max: server.engine === "pglite" ? 1 : 4, onIdleError: () => {}, types: RUNNER_TYPES });
  await migratePostgres(pool);
  return {
    dialect: POSTGRES,
    pool,
    runner: postgresRunner(pool),
    server,
    async truncate() {
      const { rows } = await pool.query<{ name: string }>(
        `SELECT quote_ident(tablename) AS name FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_version'`,
      );
      await pool.query(`TRUNCATE ${rows.map((r) => r.name).join(", ")} RESTART IDENTITY CASCADE`);
    },
    async close() {
      await pool.end();
      await server.close();
    },
  };
}

/**
 * One PostgreSQL engine for the test file (beforeAll/afterAll in the calling describe): PGlite takes
 * seconds to start. Call the returned function inside a test or hook for the engine.
 */
export function postgresEngineOfFile(): () => PostgresEngine {
  let engine: PostgresEngine | undefined;
  beforeAll(async () => {
    engine = await postgresEngine();
  }, 60_000);
  afterAll(async () => {
    await engine?.close();
  });
  return () => {
    if (!engine) throw new Error("the PostgreSQL engine is not started yet: call this inside a test or hook");
    return engine;
  };
}
