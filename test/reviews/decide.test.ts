import { describe, expect, it } from "vitest";
import type { TeamCalendar } from "../../src/config/calendar.js";
import { dueReminders, qualifiesForReview, type SentReminder } from "../../src/reviews/decide.js";

const utc: TeamCalendar = { zone: "UTC", weekStart: "monday", digestDay: "monday", digestTime: "09:00", workStart: "09:00", workEnd: "18:00" };
const at = (iso: string) => Date.parse(iso);
// Due Wednesday 11 March 18:00.
const open = { status: "open" as const, dueAtMs: at("2026-03-11T18:00:00Z"), snoozedUntilMs: null };

describe("review policy", () => {
  it("qualifies SEV1/SEV2 or high urgency by default, case-insensitively", () => {
    const policy = { severities: ["SEV1", "SEV2"], urgencies: ["high" as const], due_business_days: 5 };
    expect(qualifiesForReview({ severity: "sev2", urgency: "low" }, policy)).toBe(true);
    expect(qualifiesForReview({ severity: "SEV3", urgency: "high" }, policy)).toBe(true);
    expect(qualifiesForReview({ severity: "SEV3", urgency: "low" }, policy)).toBe(false);
    expect(qualifiesForReview({ severity: null, urgency: null }, policy)).toBe(false);
  });
});

describe("which review reminder is due", () => {
  it("sends the opening message only in working hours", () => {
    expect(dueReminders(open, [], at("2026-03-04T20:00:00Z"), utc)).toEqual([]);
    expect(dueReminders(open, [], at("2026-03-05T09:00:00Z"), utc)).toEqual(["opened"]);
  });

  it("reminds one business day before, on the due date, then every two business days overdue", () => {
    const sent: SentReminder[] = [{ kind: "opened", sentAtMs: at("2026-03-04T10:00:00Z") }];
    expect(dueReminders(open, sent, at("2026-03-09T09:00:00Z"), utc)).toEqual([]); // Mon: 2 days before
    expect(dueReminders(open, sent, at("2026-03-10T09:00:00Z"), utc)).toEqual(["before_due"]);
    sent.push({ kind: "before_due", sentAtMs: at("2026-03-10T09:00:00Z") });
    expect(dueReminders(open, sent, at("2026-03-10T15:00:00Z"), utc)).toEqual([]);
    expect(dueReminders(open, sent, at("2026-03-11T09:00:00Z"), utc)).toEqual(["due"]);
    sent.push({ kind: "due", sentAtMs: at("2026-03-11T09:00:00Z") });
    expect(dueReminders(open, sent, at("2026-03-12T09:00:00Z"), utc)).toEqual([]); // 1 day overdue
    expect(dueReminders(open, sent, at("2026-03-13T09:00:00Z"), utc)).toEqual(["overdue:2"]);
    sent.push({ kind: "overdue:2", sentAtMs: at("2026-03-13T09:00:00Z") });
    // Monday is 3 business days overdue: escalate to the channel.
    expect(dueReminders(open, sent, at("2026-03-16T09:00:00Z"), utc)).toEqual(["escalation"]);
    sent.push({ kind: "escalation", sentAtMs: at("2026-03-16T09:00:00Z") });
    expect(dueReminders(open, sent, at("2026-03-17T09:00:00Z"), utc)).toEqual(["overdue:4"]);
  });

  it("sends nothing while snoozed or once the review is done", () => {
    const sent: SentReminder[] = [{ kind: "opened", sentAtMs: at("2026-03-04T10:00:00Z") }];
    const snoozed = { ...open, snoozedUntilMs: at("2026-03-12T09:00:00Z") };
    expect(dueReminders(snoozed, sent, at("2026-03-11T09:00:00Z"), utc)).toEqual([]);
    expect(dueReminders(snoozed, sent, at("2026-03-12T09:00:00Z"), utc)).toEqual([]); // 1 day overdue: nothing due
    expect(dueReminders({ ...open, status: "done" }, sent, at("2026-03-11T09:00:00Z"), utc)).toEqual([]);
  });
});
