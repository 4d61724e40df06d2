import type { Dialect } from "./sql/dialect.js";
import { all, get, run, type Sql } from "./sql/query.js";

export interface DigestRow {
  team_id: string;
  week_start: string;
  posted_at: number;
  channel: string | null;
  ts: string | null;
}

/**
 * Weekly digests posted: exactly one per team per week. A run first claims the (team, week) row
 * (the primary key makes a second claim, from a double run, another replica or an old leader still
 * finishing its run, change nothing: on PostgreSQL it waits for the first claim's transaction and
 * then finds the row), posts, then records where; a failed post releases the claim so the next
 * tick retries. The claim names its claimer (this store instance: one per process, so one per
 * replica) until it is completed, so that the claim of a claimer killed before it posted can be given
 * back (`releaseAbandoned`), and a claimer never completes or releases another claimer's claim.
 */
export function digestOps(d: Dialect, claimer: string) {
  const claim = `INSERT INTO digests (team_id, week_start, posted_at, claimed_by) VALUES (?, ?, ?, ?) ON CONFLICT (team_id, week_start) DO NOTHING`;
  const complete = `UPDATE digests SET channel = ?, ts = ?, claimed_by = NULL WHERE team_id = ? AND week_start = ? AND ts IS NULL AND (claimed_by IS NULL OR claimed_by = ?)`;
  // Only a claim not yet completed: a digest that went out is never given back.
  const release = `DELETE FROM digests WHERE team_id = ? AND week_start = ? AND ts IS NULL AND (claimed_by IS NULL OR claimed_by = ?)`;
  const releaseAbandoned = `DELETE FROM digests WHERE ts IS NULL AND claimed_by IS NOT NULL AND claimed_by <> ? AND posted_at < ?`;
  const byWeek = `SELECT team_id, week_start, posted_at, channel, ts FROM digests WHERE team_id = ? AND week_start = ?`;
  const list = `SELECT team_id, week_start, posted_at, channel, ts FROM digests WHERE team_id = ? ORDER BY ${d.textOrder("week_start")}`;
  // Annotations shown on the digest's 12-week chart: the team's, its services', and org-wide ones.
  const annotations = `SELECT at, text, service_id FROM annotations
     WHERE at >= ? AND at < ?
       AND (team_id = ? OR service_id IN (SELECT id FROM services WHERE team_id = ?) OR (team_id IS NULL AND service_id IS NULL))
     ORDER BY at, id`;
  return {
    *chartAnnotations(teamId: string, fromMs: number, toMs: number): Sql<{ atMs: number; text: string; service: string | null }[]> {
      const rows = yield* all<{ at: number; text: string; service_id: string | null }>(annotations, [fromMs, toMs, teamId, teamId]);
      return rows.map((a) => ({ atMs: a.at, text: a.text, service: a.service_id }));
    },
    /** True when this caller won the week's slot. */
    *claim(teamId: string, weekKey: string, nowMs: number): Sql<boolean> {
      return (yield* run(claim, [teamId, weekKey, nowMs, claimer])).changes === 1;
    },
    *complete(teamId: string, weekKey: string, channel: string | null, ts: string | null): Sql<void> {
      yield* run(complete, [channel, ts, teamId, weekKey, claimer]);
    },
    *release(teamId: string, weekKey: string): Sql<void> {
      yield* run(release, [teamId, weekKey, claimer]);
    },
    /**
     * Give back the unposted claims other claimers took before `claimedBeforeMs` (see
     * src/domain/claims.ts for why such a claimer is dead): the next run posts those weeks. Returns
     * how many were given back; this store's own claims are never touched.
     */
    *releaseAbandoned(claimedBeforeMs: number): Sql<number> {
      return (yield* run(releaseAbandoned, [claimer, claimedBeforeMs])).changes;
    },
    *get(teamId: string, weekKey: string): Sql<DigestRow | undefined> {
      return yield* get<DigestRow>(byWeek, [teamId, weekKey]);
    },
    *forTeam(teamId: string): Sql<DigestRow[]> {
      return yield* all<DigestRow>(list, [teamId]);
    },
  };
}
