import type { ReviewPolicy } from "../config/file.js";
import { businessDaysBetween, inWorkingHours, localDate, type TeamCalendar } from "../config/calendar.js";

// Which post-incident review reminder is due now: a pure function of the review, the reminders
// already sent and the clock, in the owner's team zone. Reminders go out in working hours only,
// at most one direct message per local day; the channel escalation is separate.

export type ReminderKind = "opened" | "before_due" | "due" | `overdue:${number}` | "escalation";

/** Overdue reminders repeat every this many business days. */
const OVERDUE_EVERY_BUSINESS_DAYS = 2;
/** Overdue by this many business days: also post in the team channel. */
const ESCALATE_AFTER_BUSINESS_DAYS = 3;

export interface ReviewTiming {
  readonly status: "open" | "done" | "not_needed";
  readonly dueAtMs: number;
  readonly snoozedUntilMs: number | null;
}

export interface SentReminder {
  readonly kind: string;
  readonly sentAtMs: number;
}

export function qualifiesForReview(incident: { severity: string | null; urgency: string | null }, policy: ReviewPolicy): boolean {
  const severity = incident.severity?.toUpperCase();
  if (severity && policy.severities.some((s) => s.toUpperCase() === severity)) return true;
  return incident.urgency !== null && (policy.urgencies as readonly string[]).includes(incident.urgency);
}

export function dueReminders(review: ReviewTiming, sent: readonly SentReminder[], nowMs: number, calendar: TeamCalendar): ReminderKind[] {
  if (review.status !== "open") return [];
  if (!inWorkingHours(nowMs, calendar)) return [];
  if (review.snoozedUntilMs !== null && nowMs < review.snoozedUntilMs) return [];
  const kinds = new Set(sent.map((s) => s.kind));
  const out: ReminderKind[] = [];

  const today = localDate(nowMs, calendar.zone);
  const messagedToday = sent.some((s) => s.kind !== "escalation" && localDate(s.sentAtMs, calendar.zone) === today);
  const untilDue = businessDaysBetween(nowMs, review.dueAtMs, calendar.zone);
  const overdueDays = nowMs >= review.dueAtMs ? Math.max(-untilDue, 0) : 0;

  if (!messagedToday) {
    let kind: ReminderKind | undefined;
    if (!kinds.has("opened")) kind = "opened";
    else if (untilDue === 1 && !kinds.has("before_due")) kind = "before_due";
    else if (untilDue === 0 && !kinds.has("due")) kind = "due";
    else if (overdueDays >= OVERDUE_EVERY_BUSINESS_DAYS) {
      // Every second business day while overdue: overdue:2, overdue:4, … (a missed one is not caught up).
      const step = overdueDays - (overdueDays % OVERDUE_EVERY_BUSINESS_DAYS);
      const candidate = `overdue:${step}` as const;
      if (!kinds.has(candidate)) kind = candidate;
    }
    if (kind) out.push(kind);
  }
  if (overdueDays >= ESCALATE_AFTER_BUSINESS_DAYS && !kinds.has("escalation")) out.push("escalation");
  return out;
}
