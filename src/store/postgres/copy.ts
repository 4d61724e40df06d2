import { rollbackQuietly } from "./pool.js";
import type pg from "pg";
import { createHash } from "node:crypto";
import { openDatabase, type Db } from "../db.js";
import { derivedOps } from "../derived/engine.js";
import { SQLITE } from "../sql/dialect.js";
import { sqliteRunner } from "../sql/sqlite-runner.js";
import { migratePostgres } from "./migrate.js";

// `vitals migrate-store` (issue 19): move an existing SQLite database into PostgreSQL, table by
// table, in one PostgreSQL transaction that is verified before it commits. It works on the tables
// directly (the same numbered schema on both engines, src/store/postgres/migrations), so it knows no
// record type: a table added by a later migration is copied without a change here.

/** A refusal or a failed verification: one line for the user, and the target as it was. */
export class StoreCopyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StoreCopyError";
  }
}

/** PostgreSQL's limit on the parameters of one statement (a 16-bit count in the wire protocol). */
const MAX_PARAMETERS = 65_535;

/** Tables of one engine's bookkeeping: SQLite keeps its version in `PRAGMA user_version`. */
const TARGET_BOOKKEEPING = new Set(["schema_version"]);

/** The PostgreSQL types of the schema's type mapping (test/store/postgres-schema.test.ts). */
type ColumnType = "bigint" | "double precision" | "text";
const COLUMN_TYPES = new Set<string>(["bigint", "double precision", "text"]);

interface Column {
  readonly name: string;
  readonly type: ColumnType;
}

interface Table {
  readonly name: string;
  readonly columns: readonly Column[];
  /** Columns that reference this table itself (a rollback's deployment): written after the rows. */
  readonly selfReferences: readonly string[];
  readonly primaryKey: readonly string[];
  readonly identity: readonly string[];
}

interface TableCount {
  readonly table: string;
  readonly rows: number;
}

export interface CopyResult {
  /** `unchanged`: the target already held exactly these rows, and nothing was written. */
  readonly outcome: "copied" | "unchanged";
  readonly schemaVersion: number;
  readonly tables: readonly TableCount[];
}

/** Row count and an order-independent checksum (sum of a 64-bit hash of every row), comparable across engines. */
interface Digest {
  rows: number;
  sum: bigint;
}

const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * Open the SQLite database through the runner every command uses (migrated to the newest version; a
 * newer one is refused), with its derived data made by this Vitals' definitions, so what is copied is
 * what this version's store would read.
 */
export function openCopySource(path: string): { db: Db; schemaVersion: number } {
  const db = openDatabase(path);
  try {
    sqliteRunner(db).transaction(derivedOps(SQLITE).ensureVersion());
  } catch (error) {
    db.close();
    throw error;
  }
  return { db, schemaVersion: db.pragma("user_version", { simple: true }) as number };
}

/** A SQLite table as PRAGMA describes it: column names in order, its key, what it references. */
interface SourceTable {
  readonly columns: string[];
  readonly primaryKey: string[];
  readonly references: { readonly from: string; readonly table: string }[];
}

/** A PostgreSQL table as its catalog describes it: typed columns in order, its identity columns. */
interface TargetTable {
  readonly columns: Column[];
  readonly identity: string[];
}

function sourceTables(db: Db): Map<string, SourceTable> {
  const tables = new Map<string, SourceTable>();
  // sqlite_% are SQLite's own (sqlite_sequence, sqlite_stat1): no Vitals data.
  const names = db.prepare<[], string>(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name`).pluck().all();
  for (const name of names) {
    const info = db.pragma(`table_info(${quote(name)})`) as { name: string; pk: number }[];
    const references = (db.pragma(`foreign_key_list(${quote(name)})`) as { table: string; from: string }[]).map((f) => ({ from: f.from, table: f.table }));
    const primaryKey = info.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
    tables.set(name, { columns: info.map((c) => c.name), primaryKey, references });
  }
  return tables;
}

async function targetTables(client: pg.PoolClient): Promise<Map<string, TargetTable>> {
  const { rows } = await client.query<{ table: string; name: string; type: string; identity: string }>(`
    SELECT c.relname AS table, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attidentity AS identity
    FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
    ORDER BY c.relname, a.attnum`);
  const tables = new Map<string, TargetTable>();
  for (const row of rows) {
    if (TARGET_BOOKKEEPING.has(row.table)) continue;
    if (!COLUMN_TYPES.has(row.type)) throw new StoreCopyError(`target column ${row.table}.${row.name} has type ${row.type}, which the SQLite type mapping has no source for`);
    const table = tables.get(row.table) ?? { columns: [], identity: [] };
    table.columns.push({ name: row.name, type: row.type as ColumnType });
    if (row.identity !== "") table.identity.push(row.name);
    tables.set(row.table, table);
  }
  return tables;
}

const onlyIn = (a: Iterable<string>, b: { has(name: string): boolean }): string[] => [...a].filter((name) => !b.has(name)).sort();

/** Both sides' tables, matched by name and column set, parents before the tables that reference them. */
function matchTables(db: Db, target: Map<string, TargetTable>): Table[] {
  const source = sourceTables(db);
  const sourceOnly = onlyIn(source.keys(), target);
  const targetOnly = onlyIn(target.keys(), source);
  if (sourceOnly.length > 0 || targetOnly.length > 0) {
    const parts = [sourceOnly.length > 0 ? `only in SQLite: ${sourceOnly.join(", ")}` : "", targetOnly.length > 0 ? `only in PostgreSQL: ${targetOnly.join(", ")}` : ""];
    throw new StoreCopyError(`the two databases have different tables (${parts.filter(Boolean).join("; ")})`);
  }
  const tables = new Map<string, Table>();
  for (const [name, s] of source) {
    const t = target.get(name)!;
    const targetNames = new Set(t.columns.map((c) => c.name));
    const missing = [...onlyIn(s.columns, targetNames), ...onlyIn(targetNames, new Set(s.columns))];
    if (missing.length > 0) throw new StoreCopyError(`table ${name} has different columns in the two databases (${missing.join(", ")})`);
    const selfReferences = s.references.filter((r) => r.table === name).map((r) => r.from);
    tables.set(name, { name, columns: t.columns, selfReferences, primaryKey: s.primaryKey, identity: t.identity });
  }
  // Depth-first: a table comes after every table it references (a cycle other than a self-reference
  // could not be inserted in any order, and the schema has none).
  const ordered: Table[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (name: string, path: string[]): void => {
    if (state.get(name) === "done") return;
    if (state.get(name) === "visiting") throw new StoreCopyError(`tables reference each other in a cycle (${[...path, name].join(" → ")})`);
    state.set(name, "visiting");
    for (const r of source.get(name)!.references) if (r.table !== name && tables.has(r.table)) visit(r.table, [...path, name]);
    state.set(name, "done");
    ordered.push(tables.get(name)!);
  };
  for (const name of [...tables.keys()].sort()) visit(name, []);
  return ordered;
}

type Param = string | number | null;

/** A SQLite value (read with safeIntegers) as the parameter for its PostgreSQL column. */
function toParam(table: string, column: Column, value: unknown): Param {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) throw new StoreCopyError(`${table}.${column.name} holds a BLOB, which the PostgreSQL schema has no type for`);
  if (column.type === "double precision") return typeof value === "bigint" ? Number(value) : (value as number | string);
  // bigint as its decimal text: exact beyond 2^53. A value SQLite kept in another type (text in an
  // INTEGER column) goes as it is, and PostgreSQL rejects it (the copy rolls back naming the table).
  return String(value);
}

const float64Hex = (value: number): string => {
  const bytes = Buffer.alloc(8);
  bytes.writeDoubleBE(value);
  return bytes.toString("hex");
};

/**
 * One field of a row's canonical text: self-delimiting, and what rowHashSql renders in PostgreSQL
 * for the stored value (doubles by their IEEE bits, so no float formatting can differ).
 */
function fieldText(column: Column, param: Param): string {
  if (param === null) return "N";
  if (column.type === "bigint") return `I${param}`;
  if (column.type === "double precision") return typeof param === "number" ? `R${float64Hex(param)}` : `R?${param}`;
  return `T${Buffer.byteLength(String(param), "utf8")}:${param}`;
}

/** The first 8 bytes of md5(canonical row text), as a signed 64-bit integer (rowHashSql's value). */
function rowHash(text: string): bigint {
  return createHash("md5").update(text, "utf8").digest().readBigInt64BE(0);
}

function rowHashSql(table: Table): string {
  const fields = table.columns.map(({ name, type }) => {
    const c = quote(name);
    const value = type === "bigint" ? `'I' || ${c}::text` : type === "double precision" ? `'R' || encode(float8send(${c}), 'hex')` : `'T' || octet_length(${c}) || ':' || ${c}`;
    return `CASE WHEN ${c} IS NULL THEN 'N' ELSE ${value} END`;
  });
  return `('x' || left(md5(${fields.join(" || ")}), 16))::bit(64)::bigint`;
}

async function targetDigest(client: pg.PoolClient, table: Table): Promise<Digest> {
  const { rows } = await client.query<{ rows: string; sum: string | null }>(`SELECT count(*) AS rows, sum(${rowHashSql(table)}) AS sum FROM ${quote(table.name)}`);
  return { rows: Number(rows[0]!.rows), sum: BigInt(rows[0]!.sum ?? 0) };
}

/** Every row of a source table as parameters, in batches, with the table's digest accumulated as it reads. */
function* sourceBatches(db: Db, table: Table, batchRows: number, digest: Digest): Generator<Param[][]> {
  const statement = db.prepare(`SELECT ${table.columns.map((c) => quote(c.name)).join(", ")} FROM ${quote(table.name)}`).raw(true).safeIntegers(true);
  let batch: Param[][] = [];
  for (const values of statement.iterate() as Iterable<unknown[]>) {
    const row = table.columns.map((column, i) => toParam(table.name, column, values[i]));
    digest.rows += 1;
    digest.sum += rowHash(row.map((param, i) => fieldText(table.columns[i]!, param)).join(""));
    batch.push(row);
    if (batch.length === batchRows) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

function sourceDigest(db: Db, table: Table): Digest {
  const digest: Digest = { rows: 0, sum: 0n };
  for (const batch of sourceBatches(db, table, 10_000, digest)) void batch;
  return digest;
}

function values(rows: number, columns: number, casts: readonly string[] = []): string {
  const tuples: string[] = [];
  for (let r = 0; r < rows; r++) tuples.push(`(${Array.from({ length: columns }, (_, c) => `$${r * columns + c + 1}${casts[c] ?? ""}`).join(", ")})`);
  return tuples.join(", ");
}

async function copyTable(client: pg.PoolClient, db: Db, table: Table, batchRows: number): Promise<Digest> {
  const digest: Digest = { rows: 0, sum: 0n };
  const names = table.columns.map((c) => quote(c.name)).join(", ");
  const rowsPerStatement = Math.max(1, Math.min(batchRows, Math.floor(MAX_PARAMETERS / table.columns.length)));
  // A row may reference a row of its own table copied after it: those columns are NULL on insert
  // and set once every row is in (rows are in no order the reference follows).
  const selfIndexes = table.selfReferences.map((name) => table.columns.findIndex((c) => c.name === name));
  const keyIndexes = table.primaryKey.map((name) => table.columns.findIndex((c) => c.name === name));
  const later: Param[][] = [];
  for (const batch of sourceBatches(db, table, rowsPerStatement, digest)) {
    const rows = batch.map((row) => {
      if (selfIndexes.every((i) => row[i] === null)) return row;
      later.push([...keyIndexes.map((i) => row[i]!), ...selfIndexes.map((i) => row[i]!)]);
      return row.map((value, i) => (selfIndexes.includes(i) ? null : value));
    });
    // Unnamed: a named statement would outlive this command in a session shared with others
    // (PGlite has one; so has a transaction-pooling PgBouncer), and parsing is cheap next to the rows.
    await client.query(`INSERT INTO ${quote(table.name)} (${names}) VALUES ${values(rows.length, table.columns.length)}`, rows.flat());
  }
  if (later.length > 0) {
    if (keyIndexes.length === 0 || keyIndexes.includes(-1)) throw new StoreCopyError(`table ${table.name} references itself but has no primary key to update by`);
    const keyed = [...keyIndexes, ...selfIndexes].map((i) => table.columns[i]!);
    const casts = keyed.map((c) => `::${c.type}`);
    const alias = keyed.map((_, i) => `v${i}`);
    const set = table.selfReferences.map((name, i) => `${quote(name)} = v.v${keyIndexes.length + i}`).join(", ");
    const where = table.primaryKey.map((name, i) => `t.${quote(name)} = v.v${i}`).join(" AND ");
    const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / keyed.length));
    for (let start = 0; start < later.length; start += perStatement) {
      const chunk = later.slice(start, start + perStatement);
      await client.query(`UPDATE ${quote(table.name)} AS t SET ${set} FROM (VALUES ${values(chunk.length, keyed.length, casts)}) AS v(${alias.join(", ")}) WHERE ${where}`, chunk.flat());
    }
  }
  return digest;
}

const rowsText = (rows: number): string => `${rows} ${rows === 1 ? "row" : "rows"}`;

function describeDigest(d: Digest): string {
  return `${rowsText(d.rows)}, checksum ${d.sum}`;
}

const sameDigest = (a: Digest, b: Digest): boolean => a.rows === b.rows && a.sum === b.sum;

/**
 * Copy every table of `source` into the PostgreSQL database of `pool` (migrated first), in one
 * transaction, verified before it commits: per table, the row count and a checksum of every row's
 * values must equal the source's, or the transaction rolls back naming the table. A target that
 * already holds data is refused, unless it holds exactly these rows (then nothing is written).
 * Use a pool without a statement timeout (a large table's checksum takes a while).
 */
export async function copySqliteToPostgres(source: Db, pool: pg.Pool, options: { batchRows: number; schemaVersion: number }): Promise<CopyResult> {
  const targetVersion = await migratePostgres(pool);
  if (targetVersion !== options.schemaVersion) {
    throw new StoreCopyError(`the SQLite database is at schema version ${options.schemaVersion} and PostgreSQL at ${targetVersion}; run the same Vitals version on both`);
  }
  const client = await pool.connect();
  let reusable = true;
  // One read transaction on SQLite: every table is read from one snapshot, even if a running
  // Vitals writes meanwhile (WAL).
  source.exec("BEGIN");
  try {
    await client.query("BEGIN");
    const encoding = (await client.query<{ server_encoding: string }>("SHOW server_encoding")).rows[0]?.server_encoding;
    // The checksums hash UTF-8 text on both sides.
    if (encoding !== "UTF8") throw new StoreCopyError(`the PostgreSQL database's encoding is ${encoding ?? "unknown"}; create it with ENCODING 'UTF8'`);
    const tables = matchTables(source, await targetTables(client));
    const existing: { table: Table; digest: Digest }[] = [];
    for (const table of tables) existing.push({ table, digest: await targetDigest(client, table) });
    if (existing.some((e) => e.digest.rows > 0)) {
      const differing = existing.filter((e) => !sameDigest(e.digest, sourceDigest(source, e.table)));
      await client.query("ROLLBACK");
      const foreign = differing.filter((e) => e.digest.rows > 0);
      if (foreign.length > 0) {
        const held = foreign.map((e) => `${e.table.name}: ${rowsText(e.digest.rows)}`).join(", ");
        throw new StoreCopyError(`the PostgreSQL database already holds other data (${held}); copy into an empty database`);
      }
      if (differing.length > 0) {
        const missing = differing.map((e) => e.table.name).join(", ");
        throw new StoreCopyError(`the PostgreSQL database holds part of this database's rows (not in: ${missing}); copy into an empty database`);
      }
      return { outcome: "unchanged", schemaVersion: targetVersion, tables: existing.map((e) => ({ table: e.table.name, rows: e.digest.rows })) };
    }
    const counts: TableCount[] = [];
    for (const table of tables) {
      let copied: Digest;
      try {
        copied = await copyTable(client, source, table, options.batchRows);
      } catch (error) {
        if (error instanceof StoreCopyError) throw error;
        throw new StoreCopyError(`copying table ${table.name} failed, nothing was copied: ${(error as Error).message}`);
      }
      const stored = await targetDigest(client, table);
      if (!sameDigest(copied, stored)) {
        throw new StoreCopyError(`table ${table.name} differs after copying (SQLite ${describeDigest(copied)}; PostgreSQL ${describeDigest(stored)}); rolled back, nothing was copied`);
      }
      counts.push({ table: table.name, rows: copied.rows });
    }
    // Last before the commit: setval is not undone by a rollback. Next id = max + 1, so the store's
    // later inserts do not collide with the copied ids.
    for (const table of tables) {
      for (const column of table.identity) {
        await client.query(`SELECT setval(pg_get_serial_sequence($1, $2), coalesce(max(${quote(column)}), 0) + 1, false) FROM ${quote(table.name)}`, [quote(table.name), column]);
      }
    }
    await client.query("COMMIT");
    return { outcome: "copied", schemaVersion: targetVersion, tables: counts };
  } catch (error) {
    reusable = await rollbackQuietly(client);
    throw error;
  } finally {
    source.exec("COMMIT");
    client.release(!reusable);
  }
}
