import type { AppDeps } from "../app-deps.js";
import { formatLocal, workStartAfterBusinessDays } from "../config/calendar.js";
import { reviewCalendar } from "./reminders.js";

// What the review buttons do, apart from Slack: the listeners in src/slack/actions/jobs.ts call these.

const SNOOZE_BUSINESS_DAYS = 2;

export type ReviewActionResult = { readonly ok: true; readonly message: string } | { readonly ok: false; readonly error: string };

export function parseReviewId(value: string | undefined): number | undefined {
  const id = Number(value);
  return Number.isInteger(id) && id > 0 ? id : undefined;
}

/** A review document link: http(s) only, as Slack renders it as a link. */
export function validateDocUrl(text: string | null | undefined): { ok: true; url: string } | { ok: false; error: string } {
  const value = (text ?? "").trim();
  try {
    const url = new URL(value);
    if (url.protocol === "https:" || url.protocol === "http:") return { ok: true, url: url.toString() };
  } catch {
    // fall through to the message below
  }
  return { ok: false, error: "Paste the link to the review document, starting with https://" };
}

/** Snooze reminders until the start of working hours two business days from now. */
export async function snoozeReview(deps: AppDeps, id: number): Promise<ReviewActionResult> {
  const review = await deps.store.reviews.get(id);
  if (!review) return { ok: false, error: `Review ${id} no longer exists.` };
  if (review.status !== "open") return { ok: false, error: "This review is already closed." };
  const calendar = reviewCalendar(deps.config, review.team_id);
  const until = workStartAfterBusinessDays(deps.now(), calendar, SNOOZE_BUSINESS_DAYS);
  await deps.store.reviews.snooze(id, until);
  return { ok: true, message: `Snoozed: no reminders about "${review.title}" until ${formatLocal(until, calendar.zone)} (${calendar.zone}).` };
}

export async function markReviewDone(deps: AppDeps, id: number, url: string, userId: string): Promise<ReviewActionResult> {
  const review = await deps.store.reviews.get(id);
  if (!review) return { ok: false, error: `Review ${id} no longer exists.` };
  if (!(await deps.store.reviews.markDone(id, url, deps.now(), userId))) return { ok: false, error: "This review is already closed." };
  return { ok: true, message: `:white_check_mark: Review of "${review.title}" marked done by <@${userId}>: <${url}|review document>. No more reminders.` };
}

export async function markReviewNotNeeded(deps: AppDeps, id: number, reason: string, userId: string): Promise<ReviewActionResult> {
  const review = await deps.store.reviews.get(id);
  if (!review) return { ok: false, error: `Review ${id} no longer exists.` };
  const why = reason.trim();
  if (why.length < 3) return { ok: false, error: "Say briefly why no review is needed." };
  if (!(await deps.store.reviews.markNotNeeded(id, why, deps.now(), userId))) return { ok: false, error: "This review is already closed." };
  return { ok: true, message: `Review of "${review.title}" marked not needed by <@${userId}>: ${why}` };
}
