import type { FileConfig } from "../config/file.js";
import { ABANDONED_CLAIM_MS } from "../domain/claims.js";
import { DAY_MS } from "../domain/scope.js";
import type { DigestReview } from "../present/digest-model.js";
import { reviewReminderBlocks, type ReviewMessageKind, type ReviewView } from "../present/review-blocks.js";
import type { ReviewIncident, ReviewRow } from "../store/reviews.js";
import { reviewDueAt, teamCalendar, type TeamCalendar } from "../config/calendar.js";
import { teamById } from "../config/teams.js";
import { dueReminders, qualifiesForReview, type ReminderKind } from "./decide.js";
import { callOptions, lookupUserByEmail, postMessage, type SlackContext } from "../sources/slack/calls.js";

// Post-incident reviews: opened when a qualifying incident resolves (seen by any sync or webhook
// that wrote it), then reminders by DM in business days and working hours of the owner's team,
// escalation to the team channel when overdue, until someone marks the review done or not needed.

/**
 * Only incidents resolved this recently open a review: a first sync backfills months of history,
 * and nobody should get forty reminders for last spring's incidents.
 */
const OPEN_REVIEWS_RESOLVED_WITHIN_DAYS = 7;

export function reviewCalendar(config: FileConfig, teamId: string | null): TeamCalendar {
  return teamCalendar(config, teamById(config, teamId));
}

function reviewView(row: ReviewRow, calendar: TeamCalendar): ReviewView {
  return {
    id: row.id,
    title: row.title,
    severity: row.severity,
    urgency: row.urgency,
    service: row.service_id,
    url: row.url,
    createdAtMs: row.created_at,
    acknowledgedAtMs: row.acknowledged_at,
    resolvedAtMs: row.resolved_at,
    dueAtMs: row.due_at,
    ownerSlackId: row.owner_slack_id,
    ownerName: row.owner_name,
    deployment:
      row.deployment_external_id !== null || row.deployment_sha !== null
        ? { id: row.deployment_external_id, sha: row.deployment_sha, finishedAtMs: row.deployment_finished_at, url: row.deployment_url }
        : null,
    zone: calendar.zone,
  };
}

/** Open reviews for qualifying incidents resolved recently; returns the new review ids. */
async function openReviews(ctx: SlackContext, nowMs: number): Promise<number[]> {
  const { deps } = ctx;
  const opened: number[] = [];
  for (const incident of await deps.store.reviews.candidates(nowMs - OPEN_REVIEWS_RESOLVED_WITHIN_DAYS * DAY_MS)) {
    const team = teamById(deps.config, incident.team_id);
    const policy = team?.review_policy ?? deps.config.reviews;
    if (!qualifiesForReview(incident, policy)) continue;
    try {
      const id = await openReview(ctx, incident, policy.due_business_days, nowMs);
      if (id !== undefined) opened.push(id);
    } catch (error) {
      deps.logger.error({ err: error, incident: incident.external_id }, "opening a post-incident review failed");
    }
  }
  return opened;
}

async function openReview(ctx: SlackContext, incident: ReviewIncident, dueBusinessDays: number, nowMs: number): Promise<number | undefined> {
  const calendar = reviewCalendar(ctx.deps.config, incident.team_id);
  // No Slack user for the email (or no email, or the lookup is refused, e.g. without the
  // users:read.email scope): reminders fall back to the team channel rather than never starting.
  let ownerSlackId: string | undefined;
  if (incident.owner_email) {
    try {
      ownerSlackId = await lookupUserByEmail(ctx.slack, incident.owner_email, callOptions(ctx));
    } catch (error) {
      ctx.deps.logger.warn({ err: error, incident: incident.external_id }, "users.lookupByEmail failed; the review's reminders go to the team channel");
    }
  }
  return await ctx.deps.store.reviews.open({
    incidentId: incident.incident_id,
    teamId: incident.team_id,
    ownerSlackId: ownerSlackId ?? null,
    ownerEmail: incident.owner_email,
    openedAtMs: nowMs,
    dueAtMs: reviewDueAt(incident.resolved_at, calendar, dueBusinessDays),
  });
}

export interface ReminderOutcome {
  readonly reviewId: number;
  readonly kind: ReminderKind;
  readonly channel: string | null;
}

function messageKind(kind: ReminderKind): ReviewMessageKind {
  return kind.startsWith("overdue:") ? "overdue" : (kind as ReviewMessageKind);
}

/**
 * Send every reminder due now; each is claimed in review_reminders first, so none goes out twice.
 * A reminder claimed by a claimer that died before sending it (src/domain/claims.ts) is given back
 * first, so this run sends it.
 */
async function sendReviewReminders(ctx: SlackContext, nowMs: number): Promise<ReminderOutcome[]> {
  const { deps } = ctx;
  const outcomes: ReminderOutcome[] = [];
  const released = await deps.store.reviews.releaseAbandonedReminders(nowMs - ABANDONED_CLAIM_MS);
  if (released > 0) deps.logger.warn({ released }, "review reminders claimed by a replica that died before sending were given back");
  for (const review of await deps.store.reviews.listOpen()) {
    const calendar = reviewCalendar(deps.config, review.team_id);
    const sent = (await deps.store.reviews.reminders(review.id)).map((r) => ({ kind: r.kind, sentAtMs: r.sent_at }));
    const kinds = dueReminders({ status: review.status, dueAtMs: review.due_at, snoozedUntilMs: review.snoozed_until }, sent, nowMs, calendar);
    for (const kind of kinds) {
      const teamChannel = teamById(deps.config, review.team_id)?.channel ?? null;
      const target = kind === "escalation" ? teamChannel : (review.owner_slack_id ?? teamChannel);
      if (!(await deps.store.reviews.recordReminder(review.id, kind, nowMs, target, null))) continue;
      if (!target) {
        deps.logger.warn({ review: review.id, kind }, "review reminder has nowhere to go (no Slack owner and no team channel)");
        outcomes.push({ reviewId: review.id, kind, channel: null });
        continue;
      }
      try {
        const message = reviewReminderBlocks(messageKind(kind), reviewView(review, calendar));
        const posted = await postMessage(ctx.slack, { channel: target, text: message.text, blocks: message.blocks }, callOptions(ctx));
        await deps.store.reviews.completeReminder(review.id, kind, posted.channel, posted.ts);
        if (kind === "escalation") await deps.store.reviews.markEscalated(review.id, nowMs);
        outcomes.push({ reviewId: review.id, kind, channel: posted.channel });
      } catch (error) {
        // Not sent: release the claim so the next tick in working hours tries again.
        await deps.store.reviews.forgetReminder(review.id, kind);
        deps.logger.error({ err: error, review: review.id, kind }, "review reminder failed");
      }
    }
  }
  return outcomes;
}

export async function runReviews(ctx: SlackContext, nowMs: number): Promise<{ opened: number[]; reminders: ReminderOutcome[] }> {
  const opened = await openReviews(ctx, nowMs);
  const reminders = await sendReviewReminders(ctx, nowMs);
  return { opened, reminders };
}

/** An open review as the digest and `/kpi reviews` list it. */
export function digestReview(r: ReviewRow, nowMs: number): DigestReview {
  return {
    id: r.id,
    title: r.title,
    severity: r.severity,
    ownerSlackId: r.owner_slack_id,
    ownerName: r.owner_name,
    dueAtMs: r.due_at,
    overdue: nowMs >= r.due_at,
    url: r.url,
  };
}
