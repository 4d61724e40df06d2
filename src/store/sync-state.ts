import type { Db } from "./db.js";

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
export function syncStateStore(db: Db) {
  const get = db.prepare<[string, string], SyncCursor>(`SELECT * FROM sync_cursors WHERE source = ? AND key = ?`);
  const all = db.prepare<[], SyncCursor>(`SELECT * FROM sync_cursors ORDER BY source, key`);
  const save = db.prepare(
    `INSERT INTO sync_cursors (source, key, cursor, etag, last_success_at) VALUES (@source, @key, @cursor, @etag, @at)
     ON CONFLICT (source, key) DO UPDATE SET cursor = excluded.cursor, etag = excluded.etag,
       last_success_at = excluded.last_success_at, last_error = NULL, last_error_at = NULL`,
  );
  const fail = db.prepare(
    `INSERT INTO sync_cursors (source, key, last_error, last_error_at) VALUES (@source, @key, @error, @at)
     ON CONFLICT (source, key) DO UPDATE SET last_error = excluded.last_error, last_error_at = excluded.last_error_at`,
  );
  const recordDelivery = db.prepare<[string, string, number]>(
    `INSERT INTO webhook_deliveries (source, delivery_id, received_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
  );
  return {
    cursor: (source: string, key: string): SyncCursor | undefined => get.get(source, key),
    cursors: (): SyncCursor[] => all.all(),
    /** Call inside the transaction that writes the page the cursor points past. */
    saveCursor(source: string, key: string, cursor: string | null, etag: string | null, atMs: number): void {
      save.run({ source, key, cursor, etag, at: atMs });
    },
    recordFailure(source: string, key: string, error: string, atMs: number): void {
      fail.run({ source, key, error, at: atMs });
    },
    /** true the first time a delivery id is seen, false for a redelivery. */
    firstDelivery(source: string, deliveryId: string, atMs: number): boolean {
      return recordDelivery.run(source, deliveryId, atMs).changes > 0;
    },
  };
}
