import type { SqliteStore, Store } from "../../src/store/index.js";

/**
 * The SQLite store behind `store`, for tests that read its database directly (row-level checks the
 * store's API does not offer). The app sees a Store (either engine) without `db`; a store of another engine
 * is refused here rather than read wrongly.
 */
export function sqliteOf(store: Store): SqliteStore {
  if (!("db" in store)) throw new Error("this test reads the SQLite database directly: its store must be a SQLite one");
  return store as SqliteStore;
}
