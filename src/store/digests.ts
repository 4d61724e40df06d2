import type { Db } from "./db.js";

export interface DigestRow {
  team_id: string;
  week_start: string;
  posted_at: number;
  channel: string | null;
  ts: string | null;
}

/**
 * Weekly digests posted: exactly one per team per week. A run first claims the (team, week) row
 * (the primary key makes a second claim, from a double run or a second process, fail), posts, then
 * records where; a failed post releases the claim so the next tick retries.
 */
export function digestStore(db: Db) {
  const claim = db.prepare<[string, string, number]>(
    `INSERT INTO digests (team_id, week_start, posted_at) VALUES (?, ?, ?) ON CONFLICT (team_id, week_start) DO NOTHING`,
  );
  const complete = db.prepare<[string | null, string | null, string, string]>(
    `UPDATE digests SET channel = ?, ts = ? WHERE team_id = ? AND week_start = ?`,
  );
  const release = db.prepare<[string, string]>(`DELETE FROM digests WHERE team_id = ? AND week_start = ?`);
  const get = db.prepare<[string, string], DigestRow>(
    `SELECT team_id, week_start, posted_at, channel, ts FROM digests WHERE team_id = ? AND week_start = ?`,
  );
  const list = db.prepare<[string], DigestRow>(
    `SELECT team_id, week_start, posted_at, channel, ts FROM digests WHERE team_id = ? ORDER BY week_start`,
  );
  // Annotations shown on the digest's 12-week chart: the team's, its services', and org-wide ones.
  const annotations = db.prepare<[number, number, string, string], { at: number; text: string; service_id: string | null }>(
    `SELECT at, text, service_id FROM annotations
     WHERE at >= ? AND at < ?
       AND (team_id = ? OR service_id IN (SELECT id FROM services WHERE team_id = ?) OR (team_id IS NULL AND service_id IS NULL))
     ORDER BY at, id`,
  );
  return {
    chartAnnotations: (teamId: string, fromMs: number, toMs: number): { atMs: number; text: string; service: string | null }[] =>
      annotations.all(fromMs, toMs, teamId, teamId).map((a) => ({ atMs: a.at, text: a.text, service: a.service_id })),
    /** True when this caller won the week's slot. */
    claim: (teamId: string, weekKey: string, nowMs: number): boolean => claim.run(teamId, weekKey, nowMs).changes === 1,
    complete: (teamId: string, weekKey: string, channel: string | null, ts: string | null): void => {
      complete.run(channel, ts, teamId, weekKey);
    },
    release: (teamId: string, weekKey: string): void => {
      release.run(teamId, weekKey);
    },
    get: (teamId: string, weekKey: string): DigestRow | undefined => get.get(teamId, weekKey),
    forTeam: (teamId: string): DigestRow[] => list.all(teamId),
  };
}
