import type pg from "pg";
import type { StoreOptions } from "../../config/store-options.js";
import { bindStore, DEFAULT_STORE_OPTIONS, type StoreOf } from "../index.js";
import { storeOps } from "../operations.js";
import { POSTGRES } from "../sql/dialect.js";
import { migratePostgres } from "./migrate.js";
import { createPool } from "./pool.js";
import { postgresRunner, RUNNER_TYPES } from "./runner.js";

// The PostgreSQL store (issue 19): the same operations as SQLite's (src/store/operations.ts) on a
// pooled connection, a write between BEGIN and COMMIT on one of them. Opening migrates the schema
// (replicas starting at once take turns: migrate.ts) and brings the derived data up to date.

export type PostgresStore = StoreOf<"async"> & { readonly engine: "postgres"; readonly pool: pg.Pool; close(): Promise<void> };

export interface PostgresStoreOptions {
  /** Most connections open at once (PGlite, in the tests, serves one). */
  readonly maxConnections?: number;
  /** An idle pooled connection failed (a server restart, a failover): the pool replaces it. */
  readonly onIdleError: (error: Error) => void;
  /** Shown in pg_stat_activity. */
  readonly applicationName?: string;
}

/**
 * Session settings of the store's connections. An answer is a few dozen statements of a few ms each
 * over index ranges: a JIT compile (tens of ms once a plan's cost passes jit_above_cost, as an
 * org-wide range of a large org does) or starting parallel workers (ms each, on a server whose cores
 * other requests share) costs more than it could save.
 */
const SESSION_OPTIONS = "-c jit=off -c max_parallel_workers_per_gather=0";

export async function openPostgresStore(url: string, options: StoreOptions = DEFAULT_STORE_OPTIONS, connection: PostgresStoreOptions): Promise<PostgresStore> {
  const pool = createPool(url, {
    types: RUNNER_TYPES,
    serverOptions: SESSION_OPTIONS,
    onIdleError: connection.onIdleError,
    ...(connection.maxConnections !== undefined ? { max: connection.maxConnections } : {}),
    ...(connection.applicationName !== undefined ? { applicationName: connection.applicationName } : {}),
  });
  try {
    await migratePostgres(pool);
    const runner = postgresRunner(pool);
    const store = bindStore(storeOps(POSTGRES, options), (op) => runner.run(op), (op) => runner.transaction(op)) as StoreOf<"async">;
    await store.open();
    let ended: Promise<void> | undefined;
    return { ...store, engine: "postgres", pool, close: () => (ended ??= pool.end()) };
  } catch (error) {
    await pool.end();
    throw error;
  }
}
