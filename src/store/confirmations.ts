import { all, get, run, type Sql } from "./sql/query.js";

// Confirmation messages for heuristic incident → deployment links (issue 16): which links await
// one, what the message shows (the deployment's PRs, the service's recent deployments for the
// picker), and the one message and one reminder sent per incident.

/** A heuristic link that counts and that nobody has confirmed or been asked about yet. */
export interface ConfirmationCandidate {
  incident_id: number;
  external_id: string;
  title: string;
  url: string | null;
  service_id: string;
  team_id: string | null;
  created_at: number;
  owner_email: string;
  deployment_id: number;
  deployment_external_id: string;
  deployment_url: string | null;
  deployment_sha: string | null;
  deployment_finished_at: number;
}

export interface ConfirmationRow {
  incident_id: number;
  deployment_id: number;
  owner_slack_id: string | null;
  sent_at: number;
  channel: string | null;
  ts: string | null;
  reminded_at: number | null;
  answered_at: number | null;
  answered_by: string | null;
}

export interface PullRequestRef {
  number: number;
  title: string | null;
  url: string | null;
}

export interface DeploymentChoice {
  id: number;
  external_id: string;
  sha: string | null;
  finished_at: number;
}

const CONFIRMATION_COLUMNS = `incident_id, deployment_id, owner_slack_id, sent_at, channel, ts, reminded_at, answered_at, answered_by`;

/** `claimer` names this store instance on the messages and reminders it claims. */
export function confirmationOps(options: { productionEnvironment: string }, claimer: string) {
  const CANDIDATE = `
    SELECT i.id AS incident_id, i.external_id, i.title, i.url, i.service_id, s.team_id, i.created_at, i.owner_email,
      d.id AS deployment_id, d.external_id AS deployment_external_id, d.url AS deployment_url, d.sha AS deployment_sha, d.finished_at AS deployment_finished_at
    FROM incidents i JOIN deployments d ON d.id = i.linked_deployment_id LEFT JOIN services s ON s.id = i.service_id`;
  const candidates = `${CANDIDATE}
    WHERE i.link_rule = 'heuristic' AND i.verdict IS NULL AND i.counts_change_failure = 1 AND i.owner_email IS NOT NULL
      AND i.created_at >= ? AND NOT EXISTS (SELECT 1 FROM link_confirmations c WHERE c.incident_id = i.id)
    ORDER BY i.created_at`;
  const candidateOf = `${CANDIDATE} WHERE i.id = ? AND i.link_rule = 'heuristic' AND i.verdict IS NULL`;
  const claim = `INSERT INTO link_confirmations (incident_id, deployment_id, owner_slack_id, sent_at, claimed_by) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`;
  // Only a claim whose message did not go out, and not another claimer's: a posted one is never given back.
  const forget = `DELETE FROM link_confirmations WHERE incident_id = ? AND ts IS NULL AND (claimed_by IS NULL OR claimed_by = ?)`;
  const posted = `UPDATE link_confirmations SET channel = ?, ts = ?, claimed_by = NULL WHERE incident_id = ? AND ts IS NULL AND (claimed_by IS NULL OR claimed_by = ?)`;
  // An answered question is kept whatever happened to its message.
  const releaseAbandoned = `DELETE FROM link_confirmations
    WHERE ts IS NULL AND answered_at IS NULL AND claimed_by IS NOT NULL AND claimed_by <> ? AND sent_at < ?`;
  const byIncident = `SELECT ${CONFIRMATION_COLUMNS} FROM link_confirmations WHERE incident_id = ?`;
  const dueReminders = `SELECT ${CONFIRMATION_COLUMNS} FROM link_confirmations
    WHERE answered_at IS NULL AND reminded_at IS NULL AND sent_at <= ? AND channel IS NOT NULL ORDER BY sent_at`;
  const claimReminder = `UPDATE link_confirmations SET reminded_at = ?, reminder_claimed_by = ? WHERE incident_id = ? AND reminded_at IS NULL AND answered_at IS NULL`;
  const reminded = `UPDATE link_confirmations SET reminder_claimed_by = NULL WHERE incident_id = ? AND reminder_claimed_by = ?`;
  const unclaimReminder = `UPDATE link_confirmations SET reminded_at = NULL, reminder_claimed_by = NULL
    WHERE incident_id = ? AND reminder_claimed_by = ?`;
  const releaseAbandonedReminders = `UPDATE link_confirmations SET reminded_at = NULL, reminder_claimed_by = NULL
    WHERE reminder_claimed_by IS NOT NULL AND reminder_claimed_by <> ? AND reminded_at < ?`;
  const answer = `UPDATE link_confirmations SET answered_at = ?, answered_by = ? WHERE incident_id = ? AND answered_at IS NULL`;
  const pullRequests = `SELECT DISTINCT c.pr_number AS number, c.pr_title AS title, c.pr_url AS url
     FROM deployment_changes dc JOIN changes c ON c.id = dc.change_id
     WHERE dc.deployment_id = ? AND c.pr_number IS NOT NULL ORDER BY c.pr_number LIMIT 5`;
  const recent = `SELECT id, external_id, sha, finished_at FROM deployments
     WHERE service_id = ? AND status = 'success' AND environment = ? AND finished_at <= ?
     ORDER BY finished_at DESC, id DESC LIMIT ?`;
  const deploymentOf = `SELECT id, external_id, sha, finished_at, service_id FROM deployments WHERE id = ? AND status = 'success' AND environment = ?`;

  return {
    /** Heuristic links of incidents created since `sinceMs` that await a confirmation message. */
    *candidates(sinceMs: number): Sql<ConfirmationCandidate[]> {
      return yield* all<ConfirmationCandidate>(candidates, [sinceMs]);
    },
    /** The incident's heuristic link still awaiting a person's answer, if it is one. */
    *candidate(incidentId: number): Sql<ConfirmationCandidate | undefined> {
      return yield* get<ConfirmationCandidate>(candidateOf, [incidentId]);
    },
    /**
     * Claim the one message for an incident: true when THIS caller claimed it; false when it was
     * already claimed (a double run, another replica, or an old leader still finishing its run).
     */
    *claim(incidentId: number, deploymentId: number, ownerSlackId: string | null, nowMs: number): Sql<boolean> {
      // Nobody to ask (no Slack owner): final as recorded, nothing to post, so nobody's claim.
      const claimedBy = ownerSlackId !== null ? claimer : null;
      return (yield* run(claim, [incidentId, deploymentId, ownerSlackId, nowMs, claimedBy])).changes === 1;
    },
    /** The message could not be sent: release the claim so that the next run tries again. */
    *forget(incidentId: number): Sql<void> {
      yield* run(forget, [incidentId, claimer]);
    },
    *recordPosted(incidentId: number, channel: string, ts: string): Sql<void> {
      yield* run(posted, [channel, ts, incidentId, claimer]);
    },
    /**
     * Give back the unsent messages and reminders other claimers claimed before `claimedBeforeMs`
     * (see src/domain/claims.ts for why such a claimer is dead): the next run sends them. Returns
     * how many of each; this store's own claims are never touched.
     */
    *releaseAbandoned(claimedBeforeMs: number): Sql<{ messages: number; reminders: number }> {
      const messages = (yield* run(releaseAbandoned, [claimer, claimedBeforeMs])).changes;
      const reminders = (yield* run(releaseAbandonedReminders, [claimer, claimedBeforeMs])).changes;
      return { messages, reminders };
    },
    *get(incidentId: number): Sql<ConfirmationRow | undefined> {
      return yield* get<ConfirmationRow>(byIncident, [incidentId]);
    },
    /** Sent before `sentBeforeMs`, unanswered and not yet reminded. */
    *dueReminders(sentBeforeMs: number): Sql<ConfirmationRow[]> {
      return yield* all<ConfirmationRow>(dueReminders, [sentBeforeMs]);
    },
    /** Claim the one reminder: true when THIS caller claimed it. */
    *claimReminder(incidentId: number, nowMs: number): Sql<boolean> {
      return (yield* run(claimReminder, [nowMs, claimer, incidentId])).changes === 1;
    },
    /** The claimed reminder went out: the claim is final (no ts is kept for a reminder). */
    *recordReminded(incidentId: number): Sql<void> {
      yield* run(reminded, [incidentId, claimer]);
    },
    *unclaimReminder(incidentId: number): Sql<void> {
      yield* run(unclaimReminder, [incidentId, claimer]);
    },
    /** Record the answer; false when someone answered already. */
    *recordAnswer(incidentId: number, by: string, nowMs: number): Sql<boolean> {
      return (yield* run(answer, [nowMs, by, incidentId])).changes === 1;
    },
    *pullRequests(deploymentId: number): Sql<PullRequestRef[]> {
      return yield* all<PullRequestRef>(pullRequests, [deploymentId]);
    },
    /** The service's successful production deployments finished by `beforeMs`, newest first (the picker). */
    *recentDeployments(service: string, beforeMs: number, limit = 20): Sql<DeploymentChoice[]> {
      return yield* all<DeploymentChoice>(recent, [service, options.productionEnvironment, beforeMs, limit]);
    },
    *deployment(id: number): Sql<(DeploymentChoice & { service_id: string }) | undefined> {
      return yield* get<DeploymentChoice & { service_id: string }>(deploymentOf, [id, options.productionEnvironment]);
    },
  };
}
