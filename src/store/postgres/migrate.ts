import { rollbackQuietly } from "./pool.js";
import type pg from "pg";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadMigrations, type Migration } from "../db.js";

// The PostgreSQL schema (issue 19): the numbered migrations of src/store/migrations in the
// PostgreSQL dialect, in ./migrations, with the same numbers and names, so a version means the same
// schema on both engines (test/store/postgres-schema.test.ts compares them).

/**
 * The advisory lock key for "migrates the schema": "VITALS" in ASCII, then 2 (the scheduler's,
 * SCHEDULER_LOCK_KEY in leader.ts, ends in 1). Taken per transaction (pg_advisory_xact_lock), so
 * it is released by the commit or rollback and never outlives a migration, even on a pooled
 * connection.
 */
export const MIGRATION_LOCK_KEY = 0x564954414c530002n;

const HERE = dirname(fileURLToPath(import.meta.url));

/**
 * Next to this module in sources (tsx) and in dist/src (tsc; package.json's build copies the
 * folder). Once bundled into a chunk of dist/cli (scripts/bundle.mjs), whose `migrations` folder
 * holds the SQLite files, this module's folder is dist/cli, and the build copies these files to
 * dist/cli/postgres-migrations.
 */
const POSTGRES_MIGRATIONS_DIR = basename(HERE) === "postgres" ? join(HERE, "migrations") : join(HERE, "postgres-migrations");

/** The PostgreSQL migrations, in order (the same `NNN_name.sql` reader as SQLite's). */
export function loadPostgresMigrations(dir = POSTGRES_MIGRATIONS_DIR): Migration[] {
  return loadMigrations(dir);
}

// One row (the key can only be true), holding the version of the last migration applied: what
// SQLite's `PRAGMA user_version` holds.
const CREATE_VERSION_TABLE = `
  CREATE TABLE schema_version (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    version  integer NOT NULL
  );
  INSERT INTO schema_version (version) VALUES (0);`;

async function readVersion(client: pg.PoolClient): Promise<number> {
  const table = await client.query<{ found: boolean }>(`SELECT to_regclass('schema_version') IS NOT NULL AS found`);
  // Created only when missing: CREATE TABLE IF NOT EXISTS would need the CREATE privilege on every
  // start, even when nothing is left to migrate.
  if (table.rows[0]?.found !== true) await client.query(CREATE_VERSION_TABLE);
  const { rows } = await client.query<{ version: number }>(`SELECT version FROM schema_version`);
  if (rows.length !== 1) throw new Error(`schema_version holds ${rows.length} rows, not one`);
  return rows[0]!.version;
}

/**
 * One transaction under the migration lock: apply the next migration newer than the database, if
 * any. Returns the database's version when none is left to apply, otherwise null (call again).
 */
async function applyNext(client: pg.PoolClient, ordered: readonly Migration[], latest: number): Promise<number | null> {
  await client.query("BEGIN");
  // A pool's statement timeout is sized for answers; a migration (an index over a large table) or
  // the wait for another replica's migration may take longer.
  await client.query("SET LOCAL statement_timeout = 0");
  // Replicas starting together queue here; each then reads the version the previous one left.
  await client.query("SELECT pg_advisory_xact_lock($1::bigint)", [String(MIGRATION_LOCK_KEY)]);
  const current = await readVersion(client);
  if (current > latest) {
    // A database written by a newer Vitals may hold data this code would misread (the wording of
    // the SQLite runner, src/store/db.ts).
    throw new Error(`database schema version ${current} is newer than this Vitals (${latest}); upgrade Vitals`);
  }
  const next = ordered.find((migration) => migration.version > current);
  if (next !== undefined) {
    await client.query(next.sql);
    await client.query("UPDATE schema_version SET version = $1", [next.version]);
  }
  await client.query("COMMIT");
  return next === undefined ? current : null;
}

/**
 * Apply every migration newer than the database, each in its own transaction, and return the
 * database's version. Safe to run from several replicas at once (they take turns on
 * MIGRATION_LOCK_KEY, and each applies only what the others left); re-running is a no-op; a
 * database newer than the newest migration is refused. Give it a pool without `statementTimeoutMs`
 * (pool.ts): the server-side limit is lifted per transaction, but pg's client-side query timeout
 * cannot be, and would end a long migration.
 */
export async function migratePostgres(pool: pg.Pool, migrations: readonly Migration[] = loadPostgresMigrations()): Promise<number> {
  const ordered = [...migrations].sort((a, b) => a.version - b.version);
  const latest = ordered.at(-1)?.version ?? 0;
  const client = await pool.connect();
  let reusable = true;
  try {
    for (;;) {
      const version = await applyNext(client, ordered, latest);
      if (version !== null) return version;
    }
  } catch (error) {
    // The failed migration's transaction (and the lock) end here; a connection that cannot even
    // roll back is broken, and the pool closes it instead of handing it out again.
    reusable = await rollbackQuietly(client);
    throw error;
  } finally {
    client.release(!reusable);
  }
}
