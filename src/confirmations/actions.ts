import type { AppDeps } from "../app-deps.js";
import { ABANDONED_CLAIM_MS } from "../domain/claims.js";
import { DAY_MS, HOUR_MS } from "../domain/scope.js";
import { confirmationBlocks, deploymentLabel, type ConfirmationView } from "../present/confirmation-blocks.js";
import type { ConfirmationCandidate } from "../store/confirmations.js";
import { teamById } from "../config/teams.js";
import { callOptions, lookupUserByEmail, postMessage, type SlackContext } from "../sources/slack/calls.js";

// Links confirmed by people (issue 16): for each heuristic (time-window) link of an incident that
// counts, its owner, found by email as for reviews, gets one message asking whether that
// deployment caused it; unanswered after REMIND_AFTER_HOURS, one reminder in the same thread, and
// no more. An answer becomes a person's verdict (src/store/links.ts); no answer leaves the
// heuristic link in place.

/** Only links of incidents created this recently are asked about (a first sync backfills months). */
const CONFIRM_CREATED_WITHIN_DAYS = 7;
export const REMIND_AFTER_HOURS = 24;

async function confirmationView(deps: AppDeps, c: ConfirmationCandidate, deploymentId = c.deployment_id): Promise<ConfirmationView> {
  const zone = teamById(deps.config, c.team_id)?.timezone ?? deps.config.timezone;
  const other = deploymentId === c.deployment_id ? undefined : await deps.store.confirmations.deployment(deploymentId);
  const deployment = other
    ? { external_id: other.external_id, sha: other.sha, finished_at: other.finished_at, url: null }
    : { external_id: c.deployment_external_id, sha: c.deployment_sha, finished_at: c.deployment_finished_at, url: c.deployment_url };
  return {
    incidentId: c.incident_id,
    incidentTitle: c.title,
    incidentUrl: c.url,
    service: c.service_id,
    deploymentId,
    deploymentLabel: deploymentLabel(deployment),
    deploymentUrl: deployment.url,
    deploymentFinishedAtMs: deployment.finished_at,
    pullRequests: await deps.store.confirmations.pullRequests(deploymentId),
    zone,
  };
}

export interface ConfirmationOutcome {
  readonly incidentId: number;
  readonly kind: "ask" | "reminder";
  /** Where it went; null when the owner has no Slack account (nothing is sent, nothing retried). */
  readonly channel: string | null;
}

/**
 * Send the confirmation messages and reminders due now; each is claimed first, so none goes out
 * twice. One claimed by a claimer that died before sending it (src/domain/claims.ts) is given back
 * first, so this run sends it.
 */
export async function runLinkConfirmations(ctx: SlackContext, nowMs: number): Promise<ConfirmationOutcome[]> {
  const { deps } = ctx;
  const store = deps.store.confirmations;
  const outcomes: ConfirmationOutcome[] = [];
  const released = await store.releaseAbandoned(nowMs - ABANDONED_CLAIM_MS);
  if (released.messages + released.reminders > 0) deps.logger.warn(released, "link confirmations claimed by a replica that died before sending were given back");
  for (const candidate of await store.candidates(nowMs - CONFIRM_CREATED_WITHIN_DAYS * DAY_MS)) {
    let owner: string | undefined;
    try {
      owner = await lookupUserByEmail(ctx.slack, candidate.owner_email, callOptions(ctx));
    } catch (error) {
      // Slack refused (e.g. no users:read.email scope): asking again every minute would be refused
      // again, so the incident is not asked about. A network failure waits for the next run.
      const refused = (error as { code?: string }).code === "slack_webapi_platform_error";
      deps.logger.warn({ err: error, incident: candidate.external_id }, refused ? "users.lookupByEmail refused; the link confirmation is not sent" : "users.lookupByEmail failed; the link confirmation waits for the next run");
      if (!refused) continue;
    }
    if (!(await store.claim(candidate.incident_id, candidate.deployment_id, owner ?? null, nowMs))) continue;
    if (!owner) {
      // Nobody to ask: the heuristic link stays, and the incident is not looked up again.
      outcomes.push({ incidentId: candidate.incident_id, kind: "ask", channel: null });
      continue;
    }
    try {
      const message = confirmationBlocks(await confirmationView(deps, candidate), "ask");
      const posted = await postMessage(ctx.slack, { channel: owner, text: message.text, blocks: message.blocks }, callOptions(ctx));
      await store.recordPosted(candidate.incident_id, posted.channel, posted.ts);
      outcomes.push({ incidentId: candidate.incident_id, kind: "ask", channel: posted.channel });
    } catch (error) {
      await store.forget(candidate.incident_id);
      deps.logger.error({ err: error, incident: candidate.external_id }, "link confirmation message failed; retrying on the next run");
    }
  }
  for (const row of await store.dueReminders(nowMs - REMIND_AFTER_HOURS * HOUR_MS)) {
    const candidate = await store.candidate(row.incident_id);
    // The link changed since (a deployment arrived, someone ran /kpi link): nothing to remind about.
    if (!candidate || candidate.deployment_id !== row.deployment_id) continue;
    if (!(await store.claimReminder(row.incident_id, nowMs))) continue;
    try {
      const message = confirmationBlocks(await confirmationView(deps, candidate, row.deployment_id), "reminder");
      await postMessage(ctx.slack, { channel: row.channel!, ...(row.ts ? { thread_ts: row.ts } : {}), text: message.text, blocks: message.blocks }, callOptions(ctx));
    } catch (error) {
      await store.unclaimReminder(row.incident_id);
      deps.logger.error({ err: error, incident: row.incident_id }, "link confirmation reminder failed; retrying on the next run");
      continue;
    }
    outcomes.push({ incidentId: row.incident_id, kind: "reminder", channel: row.channel });
    // Sent: a failure to record that must not give the claim back (the reminder would go out again).
    try {
      await store.recordReminded(row.incident_id);
    } catch (error) {
      deps.logger.error({ err: error, incident: row.incident_id }, "could not record a sent link confirmation reminder");
    }
  }
  return outcomes;
}

export type ConfirmationAnswer = { readonly kind: "yes" } | { readonly kind: "other"; readonly deploymentId: number } | { readonly kind: "unrelated" };

export type AnswerResult = { readonly ok: true; readonly message: string } | { readonly ok: false; readonly error: string };

/** What a confirmation button does (the composition root passes it to the listeners). */
export type AnswerConfirmation = typeof answerConfirmation;

/** A person's answer to a confirmation message: written as their verdict, with who and when. */
export async function answerConfirmation(deps: AppDeps, incidentId: number, askedDeploymentId: number, answer: ConfirmationAnswer, userId: string): Promise<AnswerResult> {
  const store = deps.store;
  const incident = (await store.slack.findIncidents(`#${incidentId}`))[0];
  if (!incident) return { ok: false, error: "This incident no longer exists." };
  const row = await store.confirmations.get(incidentId);
  if (row?.answered_at != null) return { ok: false, error: `Already answered by <@${row.answered_by}>.` };
  const deploymentId = answer.kind === "yes" ? askedDeploymentId : answer.kind === "other" ? answer.deploymentId : null;
  let label = "";
  if (deploymentId !== null) {
    const deployment = await store.confirmations.deployment(deploymentId);
    if (!deployment || deployment.service_id !== incident.service_id) return { ok: false, error: "That deployment is not a production deployment of this incident's service." };
    if (deployment.finished_at > incident.created_at) return { ok: false, error: "That deployment finished after the incident began, so it cannot have caused it." };
    label = deploymentLabel(deployment);
  }
  const nowMs = deps.now();
  const verdict = deploymentId === null ? ({ kind: "unrelated", by: userId, atMs: nowMs, via: "confirmation" } as const) : ({ kind: "deployment", deploymentId, by: userId, atMs: nowMs, via: "confirmation" } as const);
  // One unit of work: the answer is recorded (when a message asked) and the verdict written, or neither.
  const written = await store.answerConfirmation(incidentId, userId, nowMs, verdict, row !== undefined);
  if (!written) return { ok: false, error: "Someone answered this already." };
  deps.logger.info({ incident: incidentId, deployment: deploymentId, userId }, "incident link confirmed from Slack");
  const what = deploymentId === null ? "*not caused by a deployment*" : `caused by deployment *${label}*`;
  return { ok: true, message: `:white_check_mark: <@${userId}> answered: *${incident.title}* was ${what}. Thank you: change failure rate counts it that way from now on.` };
}

;
