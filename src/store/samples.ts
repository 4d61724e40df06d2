import type { SampleRecord } from "../domain/records.js";
import type { Db } from "./db.js";
import { POINT_SAMPLE_NAMES } from "./derived/definitions.js";
import type { DerivedData } from "./derived/engine.js";
import { emptyStats, orNull, type WriteStats } from "./write-stats.js";

/** The service id stored for organisation-wide samples (e.g. cost not tagged to a service). */
export const ORG_SAMPLE_SERVICE = "";

export function sampleStore(db: Db, derived: DerivedData) {
  const exists = db.prepare<[string, string, number, string], { value: number; until_at: number | null }>(
    `SELECT value, until_at FROM samples WHERE service_id = ? AND name = ? AND at = ? AND source = ?`,
  );
  const upsert = db.prepare(
    `INSERT INTO samples (service_id, name, at, source, until_at, value) VALUES (@service, @name, @at, @source, @until, @value)
     ON CONFLICT (service_id, name, at, source) DO UPDATE SET value = excluded.value, until_at = excluded.until_at
     WHERE samples.value IS NOT excluded.value OR samples.until_at IS NOT excluded.until_at`,
  );
  return {
    /** Upsert in the caller's transaction (see Store.write), with the paired points it changes. */
    upsertMany(records: readonly SampleRecord[]): WriteStats {
      const stats = emptyStats();
      for (const record of records) {
        const service = record.service ?? ORG_SAMPLE_SERVICE;
        const existing = exists.get(service, record.name, record.atMs, record.source);
        const result = upsert.run({
          service,
          name: record.name,
          at: record.atMs,
          source: record.source,
          until: orNull(record.untilMs),
          value: record.value,
        });
        if (!existing) stats.inserted++;
        else if (result.changes > 0) stats.updated++;
        else stats.unchanged++;
        if (result.changes > 0 && POINT_SAMPLE_NAMES.has(record.name)) derived.samplePointTouched(service, record.atMs, record.source);
      }
      derived.flush();
      return stats;
    },
  };
}
