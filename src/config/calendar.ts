import { DateTime } from "luxon";
import type { FileConfig, TeamConfig } from "./file.js";

// Calendar decisions for the jobs, all pure and in the team's own time zone: when a week starts,
// when the digest is due, business days (Monday–Friday; public holidays are not modelled) and
// working hours. luxon does the zone arithmetic, so DST changes move local times correctly.

type Weekday = FileConfig["week_start"];

const WEEKDAYS: readonly Weekday[] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

/** luxon weekday number: Monday = 1 … Sunday = 7. */
function weekdayNumber(day: Weekday): number {
  return WEEKDAYS.indexOf(day) + 1;
}

export interface TeamCalendar {
  readonly zone: string;
  readonly weekStart: Weekday;
  readonly digestDay: Weekday;
  /** HH:MM local. */
  readonly digestTime: string;
  readonly workStart: string;
  readonly workEnd: string;
}

const DEFAULT_WORKING_HOURS = { start: "09:00", end: "18:00" } as const;

export function teamCalendar(config: FileConfig, team: TeamConfig | undefined): TeamCalendar {
  return {
    zone: team?.timezone ?? config.timezone,
    weekStart: config.week_start,
    digestDay: team?.digest.day ?? "monday",
    digestTime: team?.digest.time ?? "09:00",
    workStart: team?.working_hours.start ?? DEFAULT_WORKING_HOURS.start,
    workEnd: team?.working_hours.end ?? DEFAULT_WORKING_HOURS.end,
  };
}

function local(atMs: number, zone: string): DateTime {
  return DateTime.fromMillis(atMs, { zone });
}

function atClock(day: DateTime, clock: string): DateTime {
  const [hour, minute] = clock.split(":").map(Number);
  // In a spring-forward gap luxon moves the time forward by the gap (02:30 → 03:30): still that day.
  return day.set({ hour: hour ?? 0, minute: minute ?? 0, second: 0, millisecond: 0 });
}

/** Local midnight of the first day of the week containing `atMs`. */
function weekStartOf(atMs: number, zone: string, weekStart: Weekday): DateTime {
  const day = local(atMs, zone).startOf("day");
  const back = (day.weekday - weekdayNumber(weekStart) + 7) % 7;
  return day.minus({ days: back });
}

export interface DigestSlot {
  /** ISO date (team zone) of the week's first day: the digests table key. */
  readonly weekKey: string;
  /** When the digest is scheduled this week (UTC ms). */
  readonly dueAtMs: number;
  /** When this week ends: a digest missed during downtime is still posted before then, never after. */
  readonly weekEndMs: number;
  /** The week the digest reports on: the 7 days before the digest day's local midnight. */
  readonly reportFromMs: number;
  readonly reportToMs: number;
}

/** This week's digest slot for a team, at `nowMs`. */
export function digestSlot(nowMs: number, calendar: TeamCalendar): DigestSlot {
  const start = weekStartOf(nowMs, calendar.zone, calendar.weekStart);
  const offset = (weekdayNumber(calendar.digestDay) - weekdayNumber(calendar.weekStart) + 7) % 7;
  const digestDay = start.plus({ days: offset });
  return {
    weekKey: start.toISODate()!,
    dueAtMs: atClock(digestDay, calendar.digestTime).toMillis(),
    weekEndMs: start.plus({ weeks: 1 }).toMillis(),
    reportFromMs: digestDay.minus({ weeks: 1 }).toMillis(),
    reportToMs: digestDay.toMillis(),
  };
}

/** Is the digest due: its time has come this week and it has not been posted for this week. */
export function isDigestDue(nowMs: number, slot: DigestSlot, alreadyPosted: boolean): boolean {
  return !alreadyPosted && nowMs >= slot.dueAtMs && nowMs < slot.weekEndMs;
}

function isBusinessDay(day: DateTime): boolean {
  return day.weekday <= 5;
}

/** The business day `count` business days after the local date of `atMs` (count ≥ 0; 0 = that day, or the next business day). */
export function addBusinessDays(atMs: number, zone: string, count: number): DateTime {
  let day = local(atMs, zone).startOf("day");
  while (!isBusinessDay(day)) day = day.plus({ days: 1 });
  let left = count;
  while (left > 0) {
    day = day.plus({ days: 1 });
    if (isBusinessDay(day)) left--;
  }
  return day;
}

/**
 * Business days from the local date of `fromMs` to that of `toMs`: positive when `to` is later,
 * 0 on the same day. Weekend dates count as the next business day.
 */
export function businessDaysBetween(fromMs: number, toMs: number, zone: string): number {
  const a = addBusinessDays(fromMs, zone, 0);
  const b = addBusinessDays(toMs, zone, 0);
  if (a.toISODate() === b.toISODate()) return 0;
  const sign = a < b ? 1 : -1;
  const end = sign > 0 ? b : a;
  let day = sign > 0 ? a : b;
  let count = 0;
  while (day < end) {
    day = day.plus({ days: 1 });
    if (isBusinessDay(day)) count++;
  }
  return sign * count;
}

/** Review due time: end of working hours on the `days`-th business day after `resolvedAtMs`. */
export function reviewDueAt(resolvedAtMs: number, calendar: TeamCalendar, days: number): number {
  // Resolved on a weekend: count from the Monday, as the first business day is then "day 0".
  return atClock(addBusinessDays(resolvedAtMs, calendar.zone, days), calendar.workEnd).toMillis();
}

/** Within the team's working hours on a business day. */
export function inWorkingHours(nowMs: number, calendar: TeamCalendar): boolean {
  const now = local(nowMs, calendar.zone);
  if (!isBusinessDay(now)) return false;
  const day = now.startOf("day");
  return now >= atClock(day, calendar.workStart) && now < atClock(day, calendar.workEnd);
}

/** Start of working hours `days` business days after the local date of `atMs`. */
export function workStartAfterBusinessDays(atMs: number, calendar: TeamCalendar, days: number): number {
  return atClock(addBusinessDays(atMs, calendar.zone, days), calendar.workStart).toMillis();
}

export function localDate(atMs: number, zone: string): string {
  return local(atMs, zone).toISODate()!;
}

export function formatLocal(atMs: number, zone: string, format = "ccc d LLL HH:mm"): string {
  return local(atMs, zone).toFormat(format);
}
