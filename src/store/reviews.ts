import type { Dialect } from "./sql/dialect.js";
import { all, get, run, value, type Sql } from "./sql/query.js";

type ReviewStatus = "open" | "done" | "not_needed";

/** A resolved incident and what a post-incident review needs to know about it. */
export interface ReviewIncident {
  incident_id: number;
  source: string;
  external_id: string;
  title: string;
  severity: string | null;
  urgency: "high" | "low" | null;
  priority: string | null;
  service_id: string | null;
  team_id: string | null;
  created_at: number;
  acknowledged_at: number | null;
  resolved_at: number;
  owner_name: string | null;
  owner_email: string | null;
  url: string | null;
  deployment_external_id: string | null;
  deployment_sha: string | null;
  deployment_finished_at: number | null;
  deployment_url: string | null;
}

export interface ReviewRow extends ReviewIncident {
  id: number;
  owner_slack_id: string | null;
  status: ReviewStatus;
  opened_at: number;
  due_at: number;
  snoozed_until: number | null;
  done_at: number | null;
  doc_url: string | null;
  not_needed_reason: string | null;
  escalated_at: number | null;
  closed_by: string | null;
}

export interface ReminderRow {
  review_id: number;
  kind: string;
  sent_at: number;
  channel: string | null;
  ts: string | null;
}

export interface NewReview {
  readonly incidentId: number;
  readonly teamId: string | null;
  readonly ownerSlackId: string | null;
  readonly ownerEmail: string | null;
  readonly openedAtMs: number;
  readonly dueAtMs: number;
}

const INCIDENT_COLUMNS = `i.id AS incident_id, i.source, i.external_id, i.title, i.severity, i.urgency, i.priority, i.service_id,
  s.team_id AS team_id, i.created_at, i.acknowledged_at, i.resolved_at, i.owner_name, i.owner_email, i.url,
  d.external_id AS deployment_external_id, d.sha AS deployment_sha, d.finished_at AS deployment_finished_at, d.url AS deployment_url`;

const INCIDENT_JOINS = `LEFT JOIN services s ON s.id = i.service_id LEFT JOIN deployments d ON d.id = i.linked_deployment_id`;

const REVIEW_SELECT = `SELECT r.id, r.owner_slack_id, r.owner_email AS review_owner_email, r.status, r.opened_at, r.due_at, r.snoozed_until,
  r.done_at, r.doc_url, r.not_needed_reason, r.escalated_at, r.closed_by, r.team_id AS review_team_id, ${INCIDENT_COLUMNS}
  FROM reviews r JOIN incidents i ON i.id = r.incident_id ${INCIDENT_JOINS}`;

type RawReview = ReviewRow & { review_owner_email: string | null; review_team_id: string | null };

function toReview(row: RawReview): ReviewRow {
  const { review_owner_email, review_team_id, ...rest } = row;
  // The review keeps the team and owner it was opened with, even if the catalog changes since.
  return { ...rest, owner_email: review_owner_email ?? rest.owner_email, team_id: review_team_id ?? rest.team_id };
}

/** `claimer` names this store instance on the reminders it claims (see `recordReminder`). */
export function reviewOps(d: Dialect, claimer: string) {
  const candidates = `SELECT ${INCIDENT_COLUMNS} FROM incidents i ${INCIDENT_JOINS}
     WHERE i.resolved_at IS NOT NULL AND i.resolved_at >= ?
       AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.incident_id = i.id)
     ORDER BY i.resolved_at`;
  const insert = `INSERT INTO reviews (incident_id, team_id, owner_slack_id, owner_email, status, opened_at, due_at)
     VALUES (@incidentId, @teamId, @ownerSlackId, @ownerEmail, 'open', @openedAtMs, @dueAtMs)
     ON CONFLICT (incident_id) DO NOTHING RETURNING id`;
  const byId = `${REVIEW_SELECT} WHERE r.id = ?`;
  const open = `${REVIEW_SELECT} WHERE r.status = 'open' ORDER BY r.due_at, r.id`;
  const reminders = `SELECT review_id, kind, sent_at, channel, ts FROM review_reminders WHERE review_id = ? ORDER BY sent_at, ${d.textOrder("kind")}`;
  const recordReminder = `INSERT INTO review_reminders (review_id, kind, sent_at, channel, ts, claimed_by) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`;
  // Only a claim not yet completed, and not another claimer's: a reminder that went out is never given back.
  const forgetReminder = `DELETE FROM review_reminders WHERE review_id = ? AND kind = ? AND ts IS NULL AND (claimed_by IS NULL OR claimed_by = ?)`;
  const completeReminder = `UPDATE review_reminders SET channel = ?, ts = ?, claimed_by = NULL WHERE review_id = ? AND kind = ? AND ts IS NULL AND (claimed_by IS NULL OR claimed_by = ?)`;
  const releaseAbandoned = `DELETE FROM review_reminders WHERE ts IS NULL AND claimed_by IS NOT NULL AND claimed_by <> ? AND sent_at < ?`;
  const close = `UPDATE reviews SET status = ?, done_at = ?, doc_url = ?, not_needed_reason = ?, closed_by = ? WHERE id = ? AND status = 'open'`;
  const snooze = `UPDATE reviews SET snoozed_until = ? WHERE id = ? AND status = 'open'`;
  const escalate = `UPDATE reviews SET escalated_at = ? WHERE id = ? AND escalated_at IS NULL`;
  const completion = `SELECT count(*) AS incidents, count(r.id) AS done
     FROM incidents i LEFT JOIN reviews r ON r.incident_id = i.id AND r.status = 'done'
     LEFT JOIN services s ON s.id = i.service_id
     WHERE upper(i.severity) IN (SELECT upper(value) FROM (${d.textList()}) AS severities) AND i.resolved_at >= ? AND i.resolved_at < ?
       AND (CAST(? AS text) IS NULL OR s.team_id = ?)`;

  return {
    /** Incidents resolved since `sinceMs` that have no review yet (qualifying is the caller's policy). */
    *candidates(sinceMs: number): Sql<ReviewIncident[]> {
      return yield* all<ReviewIncident>(candidates, [sinceMs]);
    },
    /** Open a review; undefined when the incident already has one (idempotent). */
    *open(review: NewReview): Sql<number | undefined> {
      const { incidentId, teamId, ownerSlackId, ownerEmail, openedAtMs, dueAtMs } = review;
      return yield* value<number>(insert, { incidentId, teamId, ownerSlackId, ownerEmail, openedAtMs, dueAtMs });
    },
    *get(id: number): Sql<ReviewRow | undefined> {
      const row = yield* get<RawReview>(byId, [id]);
      return row ? toReview(row) : undefined;
    },
    *listOpen(teamId?: string): Sql<ReviewRow[]> {
      return (yield* all<RawReview>(open)).map(toReview).filter((r) => teamId === undefined || r.team_id === teamId);
    },
    *reminders(reviewId: number): Sql<ReminderRow[]> {
      return yield* all<ReminderRow>(reminders, [reviewId]);
    },
    /**
     * Claim a reminder before sending it: true when THIS caller recorded it now; false when it was
     * already claimed (a double run, another replica, or an old leader still finishing its run).
     * A claim that is to be posted (a channel, no ts yet) names this claimer until completed; one
     * with nowhere to go (no channel) is final as recorded, so nobody ever gives it back.
     */
    *recordReminder(reviewId: number, kind: string, sentAtMs: number, channel: string | null, ts: string | null): Sql<boolean> {
      const claimedBy = channel !== null && ts === null ? claimer : null;
      return (yield* run(recordReminder, [reviewId, kind, sentAtMs, channel, ts, claimedBy])).changes === 1;
    },
    /** Where the claimed reminder went. */
    *completeReminder(reviewId: number, kind: string, channel: string | null, ts: string | null): Sql<void> {
      yield* run(completeReminder, [channel, ts, reviewId, kind, claimer]);
    },
    /** The claimed reminder could not be sent: release the claim so that the next run tries again. */
    *forgetReminder(reviewId: number, kind: string): Sql<void> {
      yield* run(forgetReminder, [reviewId, kind, claimer]);
    },
    /**
     * Give back the unsent reminders other claimers claimed before `claimedBeforeMs` (see
     * src/domain/claims.ts for why such a claimer is dead): the next run sends them. Returns how
     * many; this store's own claims are never touched.
     */
    *releaseAbandonedReminders(claimedBeforeMs: number): Sql<number> {
      return (yield* run(releaseAbandoned, [claimer, claimedBeforeMs])).changes;
    },
    /** Close an open review; false when it was already closed. */
    *markDone(id: number, docUrl: string, nowMs: number, by?: string): Sql<boolean> {
      return (yield* run(close, ["done", nowMs, docUrl, null, by ?? null, id])).changes === 1;
    },
    *markNotNeeded(id: number, reason: string, nowMs: number, by?: string): Sql<boolean> {
      return (yield* run(close, ["not_needed", nowMs, null, reason, by ?? null, id])).changes === 1;
    },
    *snooze(id: number, untilMs: number): Sql<boolean> {
      return (yield* run(snooze, [untilMs, id])).changes === 1;
    },
    *markEscalated(id: number, nowMs: number): Sql<boolean> {
      return (yield* run(escalate, [nowMs, id])).changes === 1;
    },
    /** Incidents of these severities resolved in [from, to) (of one team's services, if given), and how many have a completed review. */
    *completion(severities: readonly string[], fromMs: number, toMs: number, teamId?: string): Sql<{ incidents: number; done: number }> {
      const team = teamId ?? null;
      return (yield* get<{ incidents: number; done: number }>(completion, [JSON.stringify(severities), fromMs, toMs, team, team])) ?? { incidents: 0, done: 0 };
    },
  };
}
