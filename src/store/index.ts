import type { StoreOptions } from "../config/store-options.js";
import { openDatabase, type Db } from "./db.js";
import { storeOps, type StoreOps } from "./operations.js";
import { bindOps, type AsyncOps, type EitherOps, type SyncOps } from "./sql/bind.js";
import { SQLITE } from "./sql/dialect.js";
import type { Sql } from "./sql/query.js";
import { sqliteRunner } from "./sql/sqlite-runner.js";

export type { Db } from "./db.js";
export type { StoreOptions } from "../config/store-options.js";
export type { RecordWriteResult, WriteAlso, WriteStats } from "./write-stats.js";

export const DEFAULT_STORE_OPTIONS: StoreOptions = {
  productionEnvironment: "production",
  attributionWindowMs: 24 * 3_600_000,
};

// The store: the only place with SQL. Its operations (src/store/operations.ts, each table family in
// its own module) are written once; here they are bound to an engine. SQLite runs them
// synchronously, PostgreSQL (src/store/postgres/store.ts) asynchronously. A write runs in its own
// transaction (`write` is the one entry point for records from any source: a batch is written whole
// or not at all, and writing the same batch again changes nothing); a read runs as it is.

type Mode = "sync" | "async" | "either";
type Bound<O, M extends Mode> = M extends "sync" ? SyncOps<O> : M extends "async" ? AsyncOps<O> : EitherOps<O>;

/** The units of work that span table modules. */
type UnitNames = "write" | "open" | "answerConfirmation";
type ModuleNames = Exclude<keyof StoreOps, UnitNames | "options" | "incidentFilters" | "metricReads" | "rowReads">;

/** The store bound to an engine (M): each table module's methods, the units of work, the reads. */
export type StoreOf<M extends Mode> = { readonly [K in ModuleNames]: Bound<StoreOps[K], M> } & Bound<Pick<StoreOps, UnitNames>, M> & {
  readonly options: StoreOptions;
  readonly incidentFilters: StoreOps["incidentFilters"];
  readonly reads: { readonly metric: Bound<StoreOps["metricReads"], M>; readonly rows: Bound<StoreOps["rowReads"], M> };
};

/** The SQLite store: every method answers synchronously. */
export type SqliteStore = StoreOf<"sync"> & { readonly engine: "sqlite"; readonly db: Db; close(): void };

/**
 * The store as the app sees it, whichever engine serves it (issue 19): any method may answer with a
 * Promise (PostgreSQL), so callers await.
 */
export type Store = StoreOf<"either"> & { readonly engine: "sqlite" | "postgres"; close(): void | Promise<void> };

/** The operations of each module that only read: they need no transaction. */
const READ_ONLY: { readonly [K in ModuleNames]?: readonly (keyof StoreOps[K])[] } = {
  catalog: ["teams", "services"],
  deployments: ["finishedAtOf"],
  incidents: ["openExternalIds", "get"],
  links: ["unlinkedOnDeployedServices"],
  syncState: ["cursor", "cursors"],
};

/** Bind every operation of `ops` to an engine's runner: `run` for reads, `transaction` for the rest. */
export function bindStore(ops: StoreOps, run: (op: Sql<unknown>) => unknown, transaction: (op: Sql<unknown>) => unknown): StoreOf<Mode> {
  const modules: Record<string, unknown> = {};
  for (const name of Object.keys(ops) as (keyof StoreOps)[]) {
    const member = ops[name];
    if (typeof member !== "object" || member === null || name === "options" || name === "incidentFilters") continue;
    const readNames = new Set<string>((READ_ONLY[name as ModuleNames] ?? []) as string[]);
    const reads = name === "metricReads" || name === "rowReads" || name === "explain";
    const entries = Object.entries(member);
    modules[name] = {
      ...bindOps(Object.fromEntries(entries.filter(([key]) => !reads && !readNames.has(key))), transaction),
      ...bindOps(Object.fromEntries(entries.filter(([key]) => reads || readNames.has(key))), run),
    };
  }
  const { metricReads, rowReads, ...tables } = modules;
  const units = bindOps({ write: ops.write, open: ops.open, answerConfirmation: ops.answerConfirmation }, transaction);
  return { ...tables, ...units, options: ops.options, incidentFilters: ops.incidentFilters, reads: { metric: metricReads, rows: rowReads } } as unknown as StoreOf<Mode>;
}

/** The SQLite store over `db` (opened and migrated by src/store/db.ts), ready: derived data current. */
export function createStore(db: Db, options: StoreOptions = DEFAULT_STORE_OPTIONS): SqliteStore {
  const runner = sqliteRunner(db);
  const store = bindStore(storeOps(SQLITE, options), (op) => runner.run(op), (op) => runner.transaction(op)) as StoreOf<"sync">;
  store.open();
  return { ...store, engine: "sqlite", db, close: () => db.close() };
}

export function openStore(path: string, options: StoreOptions = DEFAULT_STORE_OPTIONS): SqliteStore {
  return createStore(openDatabase(path), options);
}
