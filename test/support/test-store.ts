import pg from "pg";
import { afterAll } from "vitest";
import { openConfiguredStore, openStore } from "../../src/app/root.js";
import { parseEnv } from "../../src/config/env.js";
import type { FileConfig } from "../../src/config/file.js";
import { createLogger } from "../../src/log.js";
import type { SqliteStore, Store } from "../../src/store/index.js";
import type { PostgresStore } from "../../src/store/postgres/store.js";
import { numberPlaceholders } from "../../src/store/postgres/runner.js";
import { startTestPostgres, type TestPostgres } from "./postgres.js";

// The store a test runs on (issue 19): the whole suite runs on SQLite; the vitest project "postgres"
// (vitest.config.ts) runs the store and end-to-end tests again with VITALS_TEST_ENGINE=postgres, on
// the real server when TEST_DATABASE_URL is set, else on PGlite (support/postgres.ts).
//
// One PostgreSQL database per test FILE (PGlite takes seconds to start), emptied before each store
// is opened: a test sees an empty, migrated database either way.

export type TestStoreEngine = "sqlite" | "postgres";

export const TEST_ENGINE: TestStoreEngine = process.env.VITALS_TEST_ENGINE === "postgres" ? "postgres" : "sqlite";

let database: Promise<TestPostgres> | undefined;

afterAll(async () => {
  await (await database)?.close();
});

/** This file's PostgreSQL database, started on first use, dropped (or stopped) after the file. */
export function testDatabase(): Promise<TestPostgres> {
  return (database ??= startTestPostgres());
}

/**
 * The settings that point the app at this file's database: DATABASE_URL (and, for PGlite's one
 * connection, a pool of one), or SQLite in memory.
 */
export async function testStoreEnv(): Promise<Record<string, string>> {
  if (TEST_ENGINE === "sqlite") return { DATABASE_PATH: ":memory:" };
  const server = await testDatabase();
  return { DATABASE_URL: server.url, DATABASE_POOL_MAX: server.engine === "pglite" ? "1" : "4" };
}

/**
 * A migrated, empty store of TEST_ENGINE with the catalog synced from `config`, opened as the
 * app opens it (src/app/root.ts). Close it before the next one is opened: PGlite serves one
 * connection at a time.
 */
export async function openTestStore(config: FileConfig): Promise<Store> {
  if (TEST_ENGINE === "sqlite") return openStore(":memory:", config);
  const server = await testDatabase();
  await emptyDatabase(server);
  const env = parseEnv(await testStoreEnv());
  return openConfiguredStore(env, config, createLogger("silent"));
}

/** Truncate every table but the schema version (nothing yet when the database is new). */
async function emptyDatabase(server: TestPostgres): Promise<void> {
  await server.ready();
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(
      `SELECT quote_ident(tablename) AS name FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_version'`,
    );
    if (rows.length > 0) await client.query(`TRUNCATE ${rows.map((r) => r.name).join(", ")} RESTART IDENTITY CASCADE`);
  } finally {
    await client.end();
  }
  await server.ready();
}

/**
 * Rows of `sql` (`?` placeholders) read through the store's own engine, for tests that check what
 * the store's API does not show: better-sqlite3 for SQLite, the pool for PostgreSQL (int8 parsed to
 * numbers as the store's own reads are).
 */
export async function peekRows<Row>(store: Store, sql: string, params: readonly unknown[] = []): Promise<Row[]> {
  if (store.engine === "sqlite") return (store as SqliteStore).db.prepare(sql).all(...params) as Row[];
  const { rows } = await (store as PostgresStore).pool.query<Row & pg.QueryResultRow>(numberPlaceholders(sql).text, [...params]);
  return rows;
}

/** The first row of `sql`, or undefined. */
export async function peekRow<Row>(store: Store, sql: string, params: readonly unknown[] = []): Promise<Row | undefined> {
  return (await peekRows<Row>(store, sql, params))[0];
}

/** Make the store's database unreachable (a failure test): SQLite's file closed, PostgreSQL's pool ended. */
export async function breakStore(store: Store): Promise<void> {
  if (store.engine === "sqlite") (store as SqliteStore).db.close();
  else await store.close();
}
