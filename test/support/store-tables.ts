import { expect } from "vitest";
import type { RecordWriteResult } from "../../src/store/index.js";
import type { PostgresEngine, SqliteEngine } from "./sql-engines.js";

// Every table of a store's database as rows, for tests that compare what two writes left (the two
// engines, or a batch and its records written one by one): ids as the natural keys of their rows.

export interface Engines {
  sqlite: SqliteEngine;
  postgres: PostgresEngine;
}

export type Tables = Record<string, Record<string, unknown>[]>;

// Ids are not compared as numbers: a PostgreSQL identity draws its next value for every INSERT,
// also one that ends in ON CONFLICT DO UPDATE/NOTHING (a re-written deployment, incident, change or
// annotation), where SQLite's rowid takes max + 1 at an actual insert. So the two engines' ids part
// after the first conflict; each id is compared as the natural key of the row it names instead.
const NATURAL_KEYS: Record<string, readonly string[]> = {
  deployments: ["source", "external_id"],
  incidents: ["source", "external_id"],
  changes: ["service_id", "change_key"],
  annotations: ["source", "external_id"],
};
/** Every column holding a row id of a table above (in the tables these tests fill). */
const ID_COLUMNS: Record<string, Record<string, string>> = {
  deployments: { id: "deployments", rollback_of_id: "deployments" },
  changes: { id: "changes", first_deployment_id: "deployments" },
  deployment_changes: { deployment_id: "deployments", change_id: "changes" },
  incidents: { id: "incidents", linked_deployment_id: "deployments", verdict_deployment_id: "deployments" },
  annotations: { id: "annotations" },
};
const ID_FREE = new Set(["teams", "services", "samples", "sample_points", "stage_days", "sync_cursors", "webhook_deliveries", "derived_settings"]);

type Keys = Record<string, Map<unknown, string>>;

export function naturalKeys(tables: Tables): Keys {
  return Object.fromEntries(Object.entries(NATURAL_KEYS).map(([table, key]) => [table, new Map((tables[table] ?? []).map((row) => [row["id"], key.map((k) => row[k]).join("/")]))]));
}

/** `tables` with every id as the natural key of its row; a table with rows must be one whose ids are known. */
export function byNaturalKeys(tables: Tables): Tables {
  const keys = naturalKeys(tables);
  const out: Tables = {};
  for (const [table, rows] of Object.entries(tables)) {
    if (rows.length > 0 && !ID_COLUMNS[table] && !ID_FREE.has(table)) throw new Error(`rows in ${table}: say which of its columns hold ids`);
    const columns = ID_COLUMNS[table] ?? {};
    out[table] = byEveryColumn(rows.map((row) => Object.fromEntries(Object.entries(row).map(([c, v]) => [c, columns[c] && v !== null ? (keys[columns[c]]!.get(v) ?? `missing ${columns[c]} ${String(v)}`) : v]))));
  }
  return out;
}

/** A write's result, its incident ids as natural keys. */
export const resultByKeys = (result: RecordWriteResult, tables: Tables) => {
  const incidents = naturalKeys(tables)["incidents"]!;
  return { ...result, changedIncidentIds: result.changedIncidentIds.map((id) => incidents.get(id)) };
};

/** A deterministic order for rows of any table: by every column, as JSON. */
export const byEveryColumn = (rows: Record<string, unknown>[]): Record<string, unknown>[] =>
  rows.map((row) => ({ row, key: JSON.stringify(Object.keys(row).sort().map((k) => row[k])) })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((r) => r.row);

export function sqliteTables(sqlite: SqliteEngine): Tables {
  const names = sqlite.db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).pluck().all() as string[];
  return Object.fromEntries(names.map((name) => [name, byEveryColumn(sqlite.db.prepare(`SELECT * FROM ${name}`).all() as Record<string, unknown>[])]));
}

export async function postgresTables(postgres: PostgresEngine): Promise<Tables> {
  const names = (await postgres.pool.query<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_version' ORDER BY tablename COLLATE "C"`)).rows.map((r) => r.name);
  const tables: Tables = {};
  for (const name of names) tables[name] = byEveryColumn((await postgres.pool.query<Record<string, unknown>>(`SELECT * FROM ${name}`)).rows);
  return tables;
}

/** Every table of both databases, compared whole (ids as natural keys); returns SQLite's, ids as they are. */
export async function expectSameTables({ sqlite, postgres }: Engines): Promise<Tables> {
  const onSqlite = sqliteTables(sqlite);
  expect(byNaturalKeys(await postgresTables(postgres))).toEqual(byNaturalKeys(onSqlite));
  return onSqlite;
}

