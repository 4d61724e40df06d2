import type { AnnotationRecord } from "../domain/records.js";
import type { Db } from "./db.js";
import { emptyStats, orNull, type WriteStats } from "./write-stats.js";

export function annotationStore(db: Db) {
  const idOf = db.prepare<[string, string], { id: number }>(`SELECT id FROM annotations WHERE source = ? AND external_id = ?`);
  const upsert = db.prepare(
    `INSERT INTO annotations (source, external_id, at, text, service_id, team_id, author)
     VALUES (@source, @externalId, @at, @text, @service, @team, @author)
     ON CONFLICT (source, external_id) DO UPDATE SET at = excluded.at, text = excluded.text,
       service_id = excluded.service_id, team_id = excluded.team_id, author = excluded.author
     WHERE annotations.at IS NOT excluded.at OR annotations.text IS NOT excluded.text
       OR annotations.service_id IS NOT excluded.service_id OR annotations.team_id IS NOT excluded.team_id
       OR annotations.author IS NOT excluded.author`,
  );
  return {
    upsertMany(records: readonly AnnotationRecord[]): WriteStats {
      const stats = emptyStats();
      for (const record of records) {
        const existing = idOf.get(record.source, record.externalId);
        const result = upsert.run({
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
