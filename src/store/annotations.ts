import type { AnnotationRecord } from "../domain/records.js";
import { get, run, type Sql } from "./sql/query.js";
import { emptyStats, orNull, type WriteStats } from "./write-stats.js";

export function annotationOps() {
  const ID_OF = `SELECT id FROM annotations WHERE source = ? AND external_id = ?`;
  const UPSERT = `INSERT INTO annotations (source, external_id, at, text, service_id, team_id, author)
     VALUES (@source, @externalId, @at, @text, @service, @team, @author)
     ON CONFLICT (source, external_id) DO UPDATE SET at = excluded.at, text = excluded.text,
       service_id = excluded.service_id, team_id = excluded.team_id, author = excluded.author
     WHERE annotations.at IS DISTINCT FROM excluded.at OR annotations.text IS DISTINCT FROM excluded.text
       OR annotations.service_id IS DISTINCT FROM excluded.service_id OR annotations.team_id IS DISTINCT FROM excluded.team_id
       OR annotations.author IS DISTINCT FROM excluded.author`;
  return {
    /** Upsert in the caller's transaction (see storeOps' write). */
    *upsertMany(records: readonly AnnotationRecord[]): Sql<WriteStats> {
      const stats = emptyStats();
      for (const record of records) {
        const existing = yield* get<{ id: number }>(ID_OF, [record.source, record.externalId]);
        const result = yield* run(UPSERT, {
          source: record.source,
          externalId: record.externalId,
          at: record.atMs,
          text: record.text,
          service: orNull(record.service),
          team: orNull(record.team),
          author: orNull(record.author),
        });
        if (!existing) stats.inserted++;
        else if (result.changes > 0) stats.updated++;
        else stats.unchanged++;
      }
      return stats;
    },
  };
}
