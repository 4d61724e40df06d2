import type { SampleRecord } from "../domain/records.js";
import { POINT_SAMPLE_NAMES } from "./derived/definitions.js";
import { Touches, type DerivedOps } from "./derived/engine.js";
import type { Dialect, RecordColumn } from "./sql/dialect.js";
import { all, column, type Sql } from "./sql/query.js";
import { keyOf, occurrenceWaves } from "./sql/waves.js";
import { emptyStats, orNull, type WriteStats } from "./write-stats.js";

/** The service id stored for organisation-wide samples (e.g. cost not tagged to a service). */
export const ORG_SAMPLE_SERVICE = "";

/** A sample as a row of the batch relation; `i` is its position in the batch. */
const SAMPLE_COLUMNS: readonly RecordColumn[] = [
  ["i", "integer"],
  ["service_id", "text"],
  ["name", "text"],
  ["at", "integer"],
  ["source", "text"],
  ["until_at", "integer"],
  ["value", "real"],
];

export function sampleOps(d: Dialect, derived: DerivedOps) {
  // Which of a wave's samples are stored already: the rest are inserted.
  const EXISTING = `SELECT r.i FROM ${d.records("r", SAMPLE_COLUMNS)}
     ${d.orderedJoin} samples ON samples.service_id = r.service_id AND samples.name = r.name AND samples.at = r.at AND samples.source = r.source`;
  // RETURNING: the rows inserted or changed, none for a sample stored with the same value. In batch
  // order, as one-by-one writes insert; `WHERE true` lets SQLite parse ON CONFLICT after a SELECT.
  const UPSERT = `INSERT INTO samples (service_id, name, at, source, until_at, value)
     SELECT r.service_id, r.name, r.at, r.source, r.until_at, r.value FROM ${d.records("r", SAMPLE_COLUMNS)} WHERE true ORDER BY r.i
     ON CONFLICT (service_id, name, at, source) DO UPDATE SET value = excluded.value, until_at = excluded.until_at
     WHERE samples.value IS DISTINCT FROM excluded.value OR samples.until_at IS DISTINCT FROM excluded.until_at
     RETURNING service_id, name, at, source`;
  return {
    /** Upsert, with the paired points it changes (recorded in `touches`, else refreshed here). */
    *upsertMany(records: readonly SampleRecord[], touches?: Touches): Sql<WriteStats> {
      const t = touches ?? new Touches();
      const stats = emptyStats();
      const rows = records.map((record, i) => ({
        i,
        service_id: record.service ?? ORG_SAMPLE_SERVICE,
        name: record.name,
        at: record.atMs,
        source: record.source,
        until_at: orNull(record.untilMs),
        value: record.value,
      }));
      const keyOfRow = (row: { service_id: string; name: string; at: number; source: string }) => keyOf(row.service_id, row.name, row.at, row.source);
      for (const wave of occurrenceWaves(rows, keyOfRow)) {
        const batch = JSON.stringify(wave.map(({ item }) => item));
        const existing = new Set(yield* column<number>(EXISTING, [batch]));
        const written = yield* all<{ service_id: string; name: string; at: number; source: string }>(UPSERT, [batch]);
        // A wave holds each key once, so a returned row names one of its samples.
        const changed = new Set(written.map(keyOfRow));
        for (const { item: row } of wave) {
          const isChanged = changed.has(keyOfRow(row));
          if (!existing.has(row.i)) stats.inserted++;
          else if (isChanged) stats.updated++;
          else stats.unchanged++;
          if (isChanged && POINT_SAMPLE_NAMES.has(row.name)) t.samplePointTouched(row.service_id, row.at, row.source);
        }
      }
      if (touches === undefined) yield* derived.flush(t);
      return stats;
    },
  };
}
