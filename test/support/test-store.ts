import pg from "pg";
import { afterAll, afterEach } from "vitest";
import { openConfiguredStore, openStore } from "../../src/app/root.js";
import { parseEnv } from "../../src/config/env.js";
import type { FileConfig } from "../../src/config/file.js";
import type { VitalsRecord } from "../../src/domain/records.js";
import { createLogger } from "../../src/log.js";
import type { SqliteStore, Store } from "../../src/store/index.js";
import { openPostgresStore, type PostgresStore } from "../../src/store/postgres/store.js";
import { createStore, DEFAULT_STORE_OPTIONS } from "../../src/store/index.js";
import { openDatabase } from "../../src/store/db.js";
import type { StoreOptions } from "../../src/config/store-options.js";
import { numberPlaceholders } from "../../src/store/postgres/runner.js";
import { startTestPostgres, type TestPostgres } from "./postgres.js";

// The store a test runs on (issue 19): the whole suite runs on SQLite; the vitest project "postgres"
// (vitest.config.ts) runs the store and end-to-end tests again with VITALS_TEST_ENGINE=postgres, on
// the real server when TEST_DATABASE_URL is set, else on PGlite (support/postgres.ts).
//
// One PostgreSQL database per test FILE (PGlite takes seconds to start), emptied before each store
// is opened: a test sees an empty, migrated database either way.

type TestStoreEngine = "sqlite" | "postgres";

export const TEST_ENGINE: TestStoreEngine = process.env.VITALS_TEST_ENGINE === "postgres" ? "postgres" : "sqlite";

let database: Promise<TestPostgres> | undefined;

const opened: Store[] = [];

// A store a test opened is closed after it (again, if the test closed it: closing twice is harmless).
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
});

afterAll(async () => {
  await (await database)?.close();
});

/** This file's PostgreSQL database, started on first use, dropped (or stopped) after the file. */
function testDatabase(): Promise<TestPostgres> {
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
 * An empty migrated store of TEST_ENGINE with `options` and no catalog, as createStore opens one;
 * closed after the test.
 */
export async function openBareTestStore(options: StoreOptions = DEFAULT_STORE_OPTIONS): Promise<Store> {
  if (TEST_ENGINE === "sqlite") return kept(createStore(openDatabase(":memory:"), options));
  const server = await testDatabase();
  await withClient(server, emptyTables);
  return kept(await openPostgresStore(server.url, options, { maxConnections: server.engine === "pglite" ? 1 : 4, onIdleError: () => {} }));
}

function kept<S extends Store>(store: S): S {
  opened.push(store);
  return store;
}

/** Records every test of a file starts from, written once per file on PostgreSQL (see openTestStore). */
interface TestSeed {
  /** Names the records and the config they were written under (a different key writes them again). */
  readonly key: string;
  records(): VitalsRecord[];
}

/**
 * A migrated store of TEST_ENGINE with the catalog synced from `config`, opened as the app opens it
 * (src/app/root.ts), holding only `seed`'s records. Close it before the next one is opened: PGlite
 * serves one connection at a time.
 *
 * Writing the demo data takes ~15 s on PostgreSQL (one round trip per statement), so it is written
 * once per file and copied aside (schema `seed`); every later store starts from that copy.
 */
export async function openTestStore(config: FileConfig, seed?: TestSeed): Promise<Store> {
  if (TEST_ENGINE === "sqlite") {
    const store = openStore(":memory:", config);
    if (seed) store.write(seed.records());
    return store;
  }
  const server = await testDatabase();
  const seeded = seed !== undefined && seed.key === seededKey;
  await withClient(server, (client) => (seeded ? restoreSeed(client) : emptyTables(client)));
  const env = parseEnv(await testStoreEnv());
  const store = await openConfiguredStore(env, config, createLogger("silent"));
  if (seed && !seeded) {
    await store.write(seed.records());
    await keepSeed((store as PostgresStore).pool);
    seededKey = seed.key;
  }
  return store;
}

let seededKey: string | undefined;

/** One connection of its own, ended before PGlite's one slot is needed again. */
async function withClient(server: TestPostgres, work: (client: pg.Client) => Promise<void>): Promise<void> {
  await server.ready();
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  try {
    // PGlite keeps ONE session across connections: the statements the last store prepared (by
    // name, src/store/postgres/runner.ts) would clash with the next store's.
    await client.query("DEALLOCATE ALL");
    await work(client);
  } finally {
    await client.end();
  }
  await server.ready();
}

/** The store's tables (all but the schema version; none yet when the database is new). */
async function tables(client: pg.Client | pg.Pool): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT quote_ident(tablename) AS name FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_version' ORDER BY tablename`,
  );
  return rows.map((r) => r.name);
}

async function emptyTables(client: pg.Client): Promise<void> {
  const names = await tables(client);
  if (names.length > 0) await client.query(`TRUNCATE ${names.join(", ")} RESTART IDENTITY CASCADE`);
}

/** Copy every table into schema `seed`, through the open store's pool (on PGlite, the one connection). */
async function keepSeed(pool: pg.Pool): Promise<void> {
  const names = await tables(pool);
  await pool.query(`DROP SCHEMA IF EXISTS seed CASCADE; CREATE SCHEMA seed; ${names.map((t) => `CREATE TABLE seed.${t} AS TABLE public.${t};`).join(" ")}`);
}

/** Every table back to the seed copy, identity sequences past the copied ids. */
async function restoreSeed(client: pg.Client): Promise<void> {
  const names = await tables(client);
  const { rows: identities } = await client.query<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' AND is_identity = 'YES'`,
  );
  await client.query("BEGIN");
  try {
    // Foreign keys are not checked while the copy goes back (it satisfied them when it was taken).
    await client.query("SET LOCAL session_replication_role = replica");
    await client.query(`TRUNCATE ${names.join(", ")} RESTART IDENTITY CASCADE`);
    for (const t of names) await client.query(`INSERT INTO public.${t} OVERRIDING SYSTEM VALUE TABLE seed.${t}`);
    for (const { table_name: t, column_name: c } of identities) {
      await client.query(`SELECT setval(pg_get_serial_sequence($1, $2), COALESCE((SELECT max(${pg.escapeIdentifier(c)}) FROM public.${pg.escapeIdentifier(t)}), 0) + 1, false)`, [`public.${pg.escapeIdentifier(t)}`, c]);
    }
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK");
    throw error;
  }
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
