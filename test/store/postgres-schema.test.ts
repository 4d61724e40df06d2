import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadMigrations, migrate, openDatabase, type Db, type Migration } from "../../src/store/db.js";
import { SCHEDULER_LOCK_KEY } from "../../src/store/postgres/leader.js";
import { loadPostgresMigrations, MIGRATION_LOCK_KEY, migratePostgres } from "../../src/store/postgres/migrate.js";
import { createPool } from "../../src/store/postgres/pool.js";
import { startTestPostgres, type TestPostgres } from "../support/postgres.js";

// The PostgreSQL migrations (issue 19) against the SQLite ones: the same numbered files, and after
// each of them the same tables, columns, keys and indexes, so a schema version means one schema on
// both engines and the store's SQL (its ON CONFLICT targets above all) finds what it expects.

const engine = process.env.TEST_DATABASE_URL ? "postgres" : "pglite";

/**
 * SQLite declared type → PostgreSQL type (src/store/postgres/migrations/001_initial.sql). Every
 * INTEGER is a bigint: epoch ms, ids, counts and 0/1 flags alike.
 */
const TYPE_MAPPING: Readonly<Record<string, string>> = { TEXT: "text", INTEGER: "bigint", REAL: "double precision" };

/**
 * SQLite rowid aliases that are not generated ids, so not identities in PostgreSQL: the incident's
 * own id (014_incident_attribution.sql).
 */
const KEYS_NOT_GENERATED = new Set(["link_confirmations.incident_id"]);

/** Tables of one engine's bookkeeping: SQLite keeps its version in `PRAGMA user_version`. */
const BOOKKEEPING = new Set(["schema_version"]);

interface ColumnShape {
  readonly name: string;
  readonly type: string;
  readonly notNull: boolean;
  readonly default: string | null;
  /** Generated on insert: SQLite's rowid alias, PostgreSQL's identity. */
  readonly generated: boolean;
}

interface TableShape {
  readonly columns: ColumnShape[];
  readonly primaryKey: string[];
  /** Column lists of the unique constraints and unique indexes (the ON CONFLICT targets), sorted. */
  readonly unique: string[];
  /** "column → table(column) ON DELETE action", sorted. */
  readonly foreignKeys: string[];
}

interface IndexShape {
  readonly table: string;
  readonly unique: boolean;
  /** Key columns, then PostgreSQL's INCLUDEd ones; an expression is "(expression)". */
  readonly columns: string[];
  /** The partial index's predicate, normalised (lower case, no parentheses or casts); null if none. */
  readonly where: string | null;
}

interface SchemaShape {
  readonly tables: Record<string, TableShape>;
  readonly indexes: Record<string, IndexShape>;
  readonly triggers: string[];
}

const normaliseDefault = (value: string | null): string | null => (value === null ? null : value.replace(/::[a-z ]+$/, ""));
const normalisePredicate = (sql: string): string =>
  sql
    .replace(/::[a-z ]+/g, "")
    .replace(/[()]/g, "")
    .replace(/\s+/g, " ")
    .trim()
    .toLowerCase();

function sqliteSchema(db: Db): SchemaShape {
  const tables: Record<string, TableShape> = {};
  const indexes: Record<string, IndexShape> = {};
  const names = db.prepare<[], string>(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).pluck().all();
  for (const table of names) {
    const info = db.pragma(`table_xinfo(${table})`) as { name: string; type: string; notnull: number; dflt_value: string | null; pk: number }[];
    const withoutRowid = db.prepare<[string], { wr: number }>(`SELECT wr FROM pragma_table_list WHERE name = ?`).get(table)?.wr === 1;
    const primaryKey = info.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
    const rowidAlias = !withoutRowid && primaryKey.length === 1 ? info.find((c) => c.name === primaryKey[0] && c.type === "INTEGER") : undefined;
    const columns = info.map((c) => {
      const type = TYPE_MAPPING[c.type];
      if (type === undefined) throw new Error(`${table}.${c.name}: SQLite type ${c.type} is not in the type mapping`);
      const generated = c === rowidAlias && !KEYS_NOT_GENERATED.has(`${table}.${c.name}`);
      // A rowid alias cannot hold NULL (an insert without it generates one), whatever table_xinfo says.
      return { name: c.name, type, notNull: c.notnull === 1 || c === rowidAlias, default: normaliseDefault(c.dflt_value), generated };
    });
    const list = db.pragma(`index_list(${table})`) as { name: string; unique: number; origin: string; partial: number }[];
    const keyColumns = (index: string) =>
      (db.pragma(`index_xinfo(${index})`) as { cid: number; name: string | null; key: number }[]).filter((c) => c.key === 1).map((c) => c.name ?? "(expression)");
    const unique = list
      .filter((i) => i.unique === 1 && i.origin !== "pk")
      .map((i) => keyColumns(i.name).join(", "))
      .sort();
    const foreignKeys = (db.pragma(`foreign_key_list(${table})`) as { table: string; from: string; to: string; on_delete: string }[])
      .map((f) => `${f.from} → ${f.table}(${f.to}) ON DELETE ${f.on_delete}`)
      .sort();
    tables[table] = { columns, primaryKey, unique, foreignKeys };
    for (const index of list.filter((i) => i.origin === "c")) {
      const sql = db.prepare<[string], string>(`SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?`).pluck().get(index.name) ?? "";
      const where = /\bWHERE\b([\s\S]*)$/i.exec(sql)?.[1];
      indexes[index.name] = { table, unique: index.unique === 1, columns: keyColumns(index.name), where: where === undefined ? null : normalisePredicate(where) };
    }
  }
  const triggers = db.prepare<[], string>(`SELECT name FROM sqlite_schema WHERE type = 'trigger' ORDER BY name`).pluck().all();
  return { tables, indexes, triggers };
}

const DELETE_ACTIONS: Readonly<Record<string, string>> = { a: "NO ACTION", r: "RESTRICT", c: "CASCADE", n: "SET NULL", d: "SET DEFAULT" };

async function postgresSchema(pool: pg.Pool): Promise<SchemaShape> {
  const tables: Record<string, TableShape> = {};
  const indexes: Record<string, IndexShape> = {};
  const columns = await pool.query<{ table: string; name: string; type: string; not_null: boolean; default: string | null; identity: string }>(`
    SELECT c.relname AS table, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
      pg_get_expr(d.adbin, d.adrelid) AS default, a.attidentity AS identity
    FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
    WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
    ORDER BY c.relname, a.attnum`);
  for (const c of columns.rows) {
    if (BOOKKEEPING.has(c.table)) continue;
    tables[c.table] ??= { columns: [], primaryKey: [], unique: [], foreignKeys: [] };
    tables[c.table]!.columns.push({ name: c.name, type: c.type, notNull: c.not_null, default: normaliseDefault(c.default), generated: c.identity !== "" });
  }
  // Index columns by position (key columns first, then INCLUDE); 0 is an expression.
  const indexRows = await pool.query<{ table: string; name: string; unique: boolean; primary: boolean; constraint: boolean; columns: (string | null)[]; where: string | null }>(`
    SELECT t.relname AS table, i.relname AS name, x.indisunique AS unique, x.indisprimary AS primary,
      EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid AND k.contype IN ('p', 'u', 'x')) AS constraint,
      ARRAY(SELECT a.attname::text FROM unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, n)
              LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.n) AS columns,
      pg_get_expr(x.indpred, x.indrelid) AS where
    FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
    WHERE t.relnamespace = 'public'::regnamespace
    ORDER BY i.relname`);
  for (const i of indexRows.rows) {
    if (BOOKKEEPING.has(i.table)) continue;
    const table = tables[i.table]!;
    const indexColumns = i.columns.map((c) => c ?? "(expression)");
    if (i.primary) table.primaryKey.push(...indexColumns);
    else if (i.unique) table.unique.push(indexColumns.join(", "));
    if (!i.constraint) indexes[i.name] = { table: i.table, unique: i.unique, columns: indexColumns, where: i.where === null ? null : normalisePredicate(i.where) };
  }
  for (const table of Object.values(tables)) table.unique.sort();
  const foreignKeys = await pool.query<{ table: string; from: string; to_table: string; to: string; on_delete: string }>(`
    SELECT c.conrelid::regclass::text AS table, a.attname AS from, c.confrelid::regclass::text AS to_table, f.attname AS to, c.confdeltype AS on_delete
    FROM pg_constraint c
      JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
      JOIN pg_attribute f ON f.attrelid = c.confrelid AND f.attnum = c.confkey[1]
    WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace AND cardinality(c.conkey) = 1`);
  for (const f of foreignKeys.rows) tables[f.table]!.foreignKeys.push(`${f.from} → ${f.to_table}(${f.to}) ON DELETE ${DELETE_ACTIONS[f.on_delete]}`);
  for (const table of Object.values(tables)) table.foreignKeys.sort();
  const triggers = await pool.query<{ name: string }>(`
    SELECT t.tgname AS name FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
    WHERE NOT t.tgisinternal AND c.relnamespace = 'public'::regnamespace ORDER BY t.tgname`);
  return { tables, indexes, triggers: triggers.rows.map((t) => t.name) };
}

async function versionOf(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ version: number }>("SELECT version FROM schema_version");
  expect(rows).toHaveLength(1);
  return rows[0]!.version;
}

const sqliteMigrations = loadMigrations();
const postgresMigrations = loadPostgresMigrations();
const newest = sqliteMigrations.at(-1)!.version;

let database: TestPostgres;
let pool: pg.Pool;

// max 1: PGlite serves one connection at a time (test/support/postgres.ts).
const poolOf = (url: string) => createPool(url, { max: 1, applicationName: "vitals-schema-test", onIdleError: () => undefined });

beforeAll(async () => {
  database = await startTestPostgres();
  pool = poolOf(database.url);
});

afterAll(async () => {
  await pool?.end();
  await database?.close();
});

// Each test starts from an empty database (one PGlite instance serves the whole file).
beforeEach(async () => {
  await pool.query("DROP SCHEMA public CASCADE; CREATE SCHEMA public");
});

describe(`the PostgreSQL migrations (${engine})`, () => {
  it("has the SQLite migrations' numbers and names, one file each", () => {
    const named = (list: readonly Migration[]) => list.map((m) => `${String(m.version).padStart(3, "0")}_${m.name}`);
    expect(named(postgresMigrations)).toEqual(named(sqliteMigrations));
    expect(postgresMigrations.length).toBeGreaterThanOrEqual(12);
  });

  it("migrates a fresh database to the newest version, and a second run changes nothing", async () => {
    expect(await migratePostgres(pool)).toBe(newest);
    expect(await versionOf(pool)).toBe(newest);
    const migrated = await postgresSchema(pool);
    // A second run must apply nothing: migrations that would fail if they ran prove it.
    const failing = postgresMigrations.map((m) => ({ ...m, sql: "SELECT 1 / 0" }));
    expect(await migratePostgres(pool, failing)).toBe(newest);
    expect(await migratePostgres(pool)).toBe(newest);
    expect(await postgresSchema(pool)).toEqual(migrated);
    expect(await versionOf(pool)).toBe(newest);
  });

  it("refuses a database newer than its newest migration, with the SQLite runner's words", async () => {
    await migratePostgres(pool);
    await pool.query("UPDATE schema_version SET version = $1", [newest + 1]);
    const sqlite = openDatabase(":memory:");
    sqlite.pragma(`user_version = ${newest + 1}`);
    let sqliteError: unknown;
    try {
      migrate(sqlite, sqliteMigrations);
    } catch (error) {
      sqliteError = error;
    } finally {
      sqlite.close();
    }
    expect(sqliteError).toBeInstanceOf(Error);
    await expect(migratePostgres(pool)).rejects.toThrow((sqliteError as Error).message);
    await expect(migratePostgres(pool)).rejects.toThrow(`database schema version ${newest + 1} is newer than this Vitals (${newest}); upgrade Vitals`);
    expect(await versionOf(pool)).toBe(newest + 1);
  });

  it("rolls back a migration that fails, leaving the version it had", async () => {
    await migratePostgres(pool);
    const broken: Migration = { version: newest + 1, name: "broken", sql: "CREATE TABLE half_done (id bigint); SELECT 1 / 0" };
    await expect(migratePostgres(pool, [...postgresMigrations, broken])).rejects.toThrow(/division by zero/);
    expect(await versionOf(pool)).toBe(newest);
    const { rows } = await pool.query<{ found: boolean }>("SELECT to_regclass('half_done') IS NOT NULL AS found");
    expect(rows[0]?.found).toBe(false);
  });

  it("gives, after every migration, the schema SQLite has at that version", async () => {
    const sqlite = openDatabase(":memory:", []);
    try {
      for (const [step, migration] of sqliteMigrations.entries()) {
        migrate(sqlite, sqliteMigrations.slice(0, step + 1));
        expect(await migratePostgres(pool, postgresMigrations.slice(0, step + 1))).toBe(migration.version);
        const expected = sqliteSchema(sqlite);
        const actual = await postgresSchema(pool);
        // The triggers of migrations 009, 010 and 012 are left out of the PostgreSQL files (015 drops them).
        expect({ version: migration.version, ...actual, triggers: [] }).toEqual({ version: migration.version, ...expected, triggers: [] });
      }
      // At the newest version nothing is left out.
      const [expected, actual] = [sqliteSchema(sqlite), await postgresSchema(pool)];
      expect(actual).toEqual(expected);
      expect(Object.keys(actual.tables).length).toBeGreaterThanOrEqual(20);
      expect(actual.tables.deployments?.unique).toEqual(["source, external_id"]);
    } finally {
      sqlite.close();
    }
  });

  it("describes a schema closely enough to see one column differ", async () => {
    await migratePostgres(pool);
    const before = await postgresSchema(pool);
    await pool.query("ALTER TABLE incidents ALTER COLUMN verdict_at TYPE integer");
    expect(await postgresSchema(pool)).not.toEqual(before);
    await pool.query("ALTER TABLE incidents ALTER COLUMN verdict_at TYPE bigint, ALTER COLUMN verdict_by SET NOT NULL");
    expect(await postgresSchema(pool)).not.toEqual(before);
  });

  // PGlite serves one connection at a time (test/support/postgres.ts): two migrators cannot overlap.
  it.skipIf(engine !== "postgres")("lets migrators started together on one database take turns (real server)", async () => {
    const pools = [poolOf(database.url), poolOf(database.url), poolOf(database.url)];
    try {
      const versions = await Promise.all(pools.map((p) => migratePostgres(p)));
      expect(versions).toEqual([newest, newest, newest]);
      expect(await versionOf(pool)).toBe(newest);
      const sqlite = openDatabase(":memory:");
      try {
        expect(await postgresSchema(pool)).toEqual(sqliteSchema(sqlite));
      } finally {
        sqlite.close();
      }
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });

  it.skipIf(engine !== "postgres")("waits for the migration lock, not the scheduler's (real server)", async () => {
    const other = new pg.Client({ connectionString: database.url });
    await other.connect();
    try {
      // The leader holds its lock for as long as it runs: a rolling update's migration must not wait for it.
      await other.query("SELECT pg_advisory_lock($1::bigint)", [String(SCHEDULER_LOCK_KEY)]);
      expect(await migratePostgres(pool)).toBe(newest);
      // Even a run with nothing to apply takes its turn (it reads the version under the lock).
      await other.query("SELECT pg_advisory_lock($1::bigint)", [String(MIGRATION_LOCK_KEY)]);
      let finished = false;
      const migrating = migratePostgres(pool).then((version) => {
        finished = true;
        return version;
      });
      // The other session's lock is waited on, server-side (no timer decides the outcome).
      const waiting = async () =>
        (await other.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_locks
            WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`)).rows[0]?.n ?? 0;
      while ((await waiting()) === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(finished).toBe(false);
      await other.query("SELECT pg_advisory_unlock($1::bigint)", [String(MIGRATION_LOCK_KEY)]);
      expect(await migrating).toBe(newest);
    } finally {
      await other.end();
    }
  });
});
