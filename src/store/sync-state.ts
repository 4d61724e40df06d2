import type { Dialect } from "./sql/dialect.js";
import { all, get, run, type Sql } from "./sql/query.js";

export interface SyncCursor {
  source: string;
  key: string;
  cursor: string | null;
  etag: string | null;
  last_success_at: number | null;
  last_error: string | null;
  last_error_at: number | null;
}

/** Incremental sync cursors (per source and key) and webhook deliveries already handled. */
export function syncStateOps(d: Dialect) {
  const CURSOR = `SELECT * FROM sync_cursors WHERE source = ? AND key = ?`;
  const CURSORS = `SELECT * FROM sync_cursors ORDER BY ${d.byteOrder("source")}, ${d.byteOrder("key")}`;
  const SAVE = `INSERT INTO sync_cursors (source, key, cursor, etag, last_success_at) VALUES (@source, @key, @cursor, @etag, @at)
     ON CONFLICT (source, key) DO UPDATE SET cursor = excluded.cursor, etag = excluded.etag,
       last_success_at = excluded.last_success_at, last_error = NULL, last_error_at = NULL`;
  const FAIL = `INSERT INTO sync_cursors (source, key, last_error, last_error_at) VALUES (@source, @key, @error, @at)
     ON CONFLICT (source, key) DO UPDATE SET last_error = excluded.last_error, last_error_at = excluded.last_error_at`;
  const RECORD_DELIVERY = `INSERT INTO webhook_deliveries (source, delivery_id, received_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`;
  return {
    *cursor(source: string, key: string): Sql<SyncCursor | undefined> {
      return yield* get<SyncCursor>(CURSOR, [source, key]);
    },
    *cursors(): Sql<SyncCursor[]> {
      return yield* all<SyncCursor>(CURSORS);
    },
    /** Call inside the transaction that writes the page the cursor points past (Store.write's `also.cursor`). */
    *saveCursor(source: string, key: string, cursor: string | null, etag: string | null, atMs: number): Sql<void> {
      yield* run(SAVE, { source, key, cursor, etag, at: atMs });
    },
    *recordFailure(source: string, key: string, error: string, atMs: number): Sql<void> {
      yield* run(FAIL, { source, key, error, at: atMs });
    },
    /**
     * true the first time a delivery id is seen, false for a redelivery: the primary key decides, so
     * of two replicas handed the same delivery at once exactly one sees true.
     */
    *firstDelivery(source: string, deliveryId: string, atMs: number): Sql<boolean> {
      return (yield* run(RECORD_DELIVERY, [source, deliveryId, atMs])).changes > 0;
    },
  };
}
