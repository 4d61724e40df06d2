import type { SampleRecord } from "../domain/records.js";
import { POINT_SAMPLE_NAMES } from "./derived/definitions.js";
import { Touches, type DerivedOps } from "./derived/engine.js";
import { get, run, type Sql } from "./sql/query.js";
import { emptyStats, orNull, type WriteStats } from "./write-stats.js";

/** The service id stored for organisation-wide samples (e.g. cost not tagged to a service). */
export const ORG_SAMPLE_SERVICE = "";

export function sampleOps(derived: DerivedOps) {
  const EXISTS = `SELECT value, until_at FROM samples WHERE service_id = ? AND name = ? AND at = ? AND source = ?`;
  const UPSERT = `INSERT INTO samples (service_id, name, at, source, until_at, value) VALUES (@service, @name, @at, @source, @until, @value)
     ON CONFLICT (service_id, name, at, source) DO UPDATE SET value = excluded.value, until_at = excluded.until_at
     WHERE samples.value IS DISTINCT FROM excluded.value OR samples.until_at IS DISTINCT FROM excluded.until_at`;
  return {
    /** Upsert, with the paired points it changes (recorded in `touches`, else refreshed here). */
    *upsertMany(records: readonly SampleRecord[], touches?: Touches): Sql<WriteStats> {
      const t = touches ?? new Touches();
      const stats = emptyStats();
      for (const record of records) {
        const service = record.service ?? ORG_SAMPLE_SERVICE;
        const existing = yield* get<{ value: number; until_at: number | null }>(EXISTS, [service, record.name, record.atMs, record.source]);
        const result = yield* run(UPSERT, {
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
        if (result.changes > 0 && POINT_SAMPLE_NAMES.has(record.name)) t.samplePointTouched(service, record.atMs, record.source);
      }
      if (touches === undefined) yield* derived.flush(t);
      return stats;
    },
  };
}
