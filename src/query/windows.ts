import { DateTime } from "luxon";
import type { FileConfig } from "../config/file.js";
import { DAY_MS, type Window } from "../domain/scope.js";

// Window phrases of the `/kpi` language, resolved against an injected clock. "last N …" ends at
// now (docs/metrics.md); calendar windows (this/last week|month|quarter|year, dates, quarters) follow the
// team's time zone, so "this week" for a Berlin team starts at Monday 00:00 Berlin time. Windows
// that reach into the future end at now: future days would dilute per-day rates.

export interface ParsedWindow {
  readonly window: Window;
  /** Canonical phrase: parsing it again at the same now gives the same window. */
  readonly label: string;
}

export type WindowResult = { readonly ok: true; readonly value: ParsedWindow } | { readonly ok: false; readonly error: string };

export interface WindowClock {
  readonly nowMs: number;
  readonly zone: string;
  readonly weekStart: FileConfig["week_start"];
}

const DEFAULT_WINDOW_LABEL = "last 30 days";

export const WINDOW_EXAMPLES =
  "last 30d, last 7 days, last 12w, last 3 months, this week|month|quarter|year, last week|month|quarter|year, since 2026-01-01, 2026-01-01..2026-03-31, q1 2026";

type Unit = "day" | "week" | "month" | "year";
type Period = "week" | "month" | "quarter" | "year";

const UNIT_WORDS: Readonly<Record<string, Unit>> = {
  d: "day", day: "day", days: "day",
  w: "week", wk: "week", wks: "week", week: "week", weeks: "week",
  m: "month", mo: "month", mos: "month", month: "month", months: "month",
  y: "year", yr: "year", yrs: "year", year: "year", years: "year",
};
const MAX: Readonly<Record<Unit, number>> = { day: 3660, week: 520, month: 120, year: 10 };
const PERIODS: readonly Period[] = ["week", "month", "quarter", "year"];
const WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] as const;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The default window: the 30 days up to now. */
export function defaultWindow(nowMs: number): ParsedWindow {
  return { window: { fromMs: nowMs - 30 * DAY_MS, toMs: nowMs }, label: DEFAULT_WINDOW_LABEL };
}

/** Resolve a window phrase (lower-case words). */
export function parseWindow(words: readonly string[], clock: WindowClock): WindowResult {
  const text = words.join(" ");
  const fail = (why?: string): WindowResult => ({
    ok: false,
    error: `${why ?? `"${text}" is not a window`}. Expected a window such as ${WINDOW_EXAMPLES}.`,
  });
  const [first, ...rest] = words;
  if (first === undefined) return fail("missing window");

  if (first === "last" || first === "past") {
    if (rest.length === 1 && isPeriod(rest[0])) return previousPeriod(rest[0], clock);
    const relative = relativeAmount(rest);
    if (relative === undefined) return fail();
    return lastN(relative.amount, relative.unit, clock, fail);
  }
  if ((first === "this" || first === "current") && rest.length === 1 && isPeriod(rest[0])) return currentPeriod(rest[0], clock, fail);
  if (first === "since" && rest.length === 1) {
    const from = localDate(rest[0]!, clock.zone);
    if (!from) return fail(`"${rest[0]}" is not a date (expected YYYY-MM-DD)`);
    return clipped(from.toMillis(), clock.nowMs, `since ${rest[0]}`, clock, fail);
  }
  const range = dateRange(words);
  if (range) {
    const from = localDate(range[0], clock.zone);
    const until = localDate(range[1], clock.zone);
    if (!from || !until) return fail(`"${text}" has an invalid date (expected YYYY-MM-DD..YYYY-MM-DD)`);
    if (until < from) return fail(`"${text}" ends before it starts`);
    return clipped(from.toMillis(), until.plus({ days: 1 }).toMillis(), `${range[0]}..${range[1]}`, clock, fail);
  }
  const quarter = quarterOf(words, clock);
  if (quarter) {
    const from = DateTime.fromObject({ year: quarter.year, month: (quarter.q - 1) * 3 + 1, day: 1 }, { zone: clock.zone });
    if (!from.isValid) return fail();
    return clipped(from.toMillis(), from.plus({ quarters: 1 }).toMillis(), `q${quarter.q} ${quarter.year}`, clock, fail);
  }
  if (words.length === 1 && /^\d{4}$/.test(first)) {
    const year = Number(first);
    if (year < 2000 || year > 2100) return fail(`${first} is not a year between 2000 and 2100`);
    const from = DateTime.fromObject({ year, month: 1, day: 1 }, { zone: clock.zone });
    return clipped(from.toMillis(), from.plus({ years: 1 }).toMillis(), first, clock, fail);
  }
  // "30d", "7 days" without "last".
  const relative = relativeAmount(words);
  if (relative) return lastN(relative.amount, relative.unit, clock, fail);
  return fail();
}

function ok(window: Window, label: string): WindowResult {
  return { ok: true, value: { window, label } };
}

function isPeriod(word: string | undefined): word is Period {
  return (PERIODS as readonly (string | undefined)[]).includes(word);
}

/** "30d", "30 d", "30 days", "12w", "3 months", "3mo": an amount and a unit. */
function relativeAmount(words: readonly string[]): { amount: number; unit: Unit } | undefined {
  const joined = words.join(" ");
  const match = /^(\d{1,6}) ?([a-z]+)$/.exec(joined);
  if (!match) return undefined;
  const unit = UNIT_WORDS[match[2]!];
  return unit ? { amount: Number(match[1]), unit } : undefined;
}

function lastN(amount: number, unit: Unit, clock: WindowClock, fail: (why?: string) => WindowResult): WindowResult {
  if (amount < 1 || amount > MAX[unit]) return fail(`"last ${amount} ${unit}s" is out of range (expected 1 to ${MAX[unit]} ${unit}s)`);
  const label = `last ${amount} ${unit}${amount === 1 ? "" : "s"}`;
  // Days and weeks are exact lengths; months and years are calendar lengths back from now.
  if (unit === "day" || unit === "week") {
    return ok({ fromMs: clock.nowMs - amount * (unit === "week" ? 7 : 1) * DAY_MS, toMs: clock.nowMs }, label);
  }
  const from = DateTime.fromMillis(clock.nowMs, { zone: clock.zone }).minus(unit === "month" ? { months: amount } : { years: amount });
  return ok({ fromMs: from.toMillis(), toMs: clock.nowMs }, label);
}

function startOfPeriod(period: Period, clock: WindowClock): DateTime {
  const now = DateTime.fromMillis(clock.nowMs, { zone: clock.zone });
  if (period !== "week") return now.startOf(period);
  // The configured week start (default Monday, as ISO weeks).
  const offset = (now.weekday - (WEEKDAYS.indexOf(clock.weekStart) + 1) + 7) % 7;
  return now.startOf("day").minus({ days: offset });
}

function currentPeriod(period: Period, clock: WindowClock, fail: (why?: string) => WindowResult): WindowResult {
  return clipped(startOfPeriod(period, clock).toMillis(), clock.nowMs, `this ${period}`, clock, fail, `last ${period}`);
}

function previousPeriod(period: Period, clock: WindowClock): WindowResult {
  const to = startOfPeriod(period, clock);
  const length = { week: { weeks: 1 }, month: { months: 1 }, quarter: { quarters: 1 }, year: { years: 1 } }[period];
  const from = to.minus(length);
  return ok({ fromMs: from.toMillis(), toMs: to.toMillis() }, `last ${period}`);
}

function localDate(text: string, zone: string): DateTime | undefined {
  const match = ISO_DATE.exec(text);
  if (!match) return undefined;
  const date = DateTime.fromObject({ year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) }, { zone });
  return date.isValid && date.year >= 2000 && date.year <= 2100 ? date : undefined;
}

/** "a..b", "a .. b", "a to b", "a until b": the two dates (the end date is included). */
function dateRange(words: readonly string[]): [string, string] | undefined {
  const joined = words.join(" ");
  const match = /^(\d{4}-\d{2}-\d{2}) ?(?:\.\.|to|until|-) ?(\d{4}-\d{2}-\d{2})$/.exec(joined);
  return match ? [match[1]!, match[2]!] : undefined;
}

/** "q1 2026", "2026 q1", "2026-q1", or "q1" (this year in the team's zone). */
function quarterOf(words: readonly string[], clock: WindowClock): { q: number; year: number } | undefined {
  const joined = words.join(" ");
  const match = /^q([1-4])(?: (\d{4}))?$/.exec(joined) ?? /^(?:(\d{4})[ -])q([1-4])$/.exec(joined);
  if (!match) return undefined;
  const [q, year] = joined.startsWith("q") ? [match[1], match[2]] : [match[2], match[1]];
  const resolvedYear = year === undefined ? DateTime.fromMillis(clock.nowMs, { zone: clock.zone }).year : Number(year);
  if (resolvedYear < 2000 || resolvedYear > 2100) return undefined;
  return { q: Number(q), year: resolvedYear };
}

/**
 * A window cut at now. One rule for every phrase: a window that starts exactly now ("this week" at
 * Monday 00:00, "since <today>" or "q3 2026" at their first instant) is empty, not in the future, and
 * gets the same answer whichever way it was asked; one that starts later has not started yet.
 */
function clipped(fromMs: number, toMs: number, label: string, clock: WindowClock, fail: (why?: string) => WindowResult, instead = "last 30d"): WindowResult {
  if (fromMs === clock.nowMs) {
    return { ok: false, error: `${label} has only just begun, so it has no data yet. Expected a window that has started, such as ${instead}.` };
  }
  if (fromMs > clock.nowMs) return fail(`${label} has not started yet`);
  return ok({ fromMs, toMs: Math.min(toMs, clock.nowMs) }, label);
}
