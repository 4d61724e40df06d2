import { DateTime } from "luxon";
import { DAY_MS, previousWindow, type Window } from "../domain/scope.js";

// The time frame of one answer: the window, the previous window of equal length, and 12 weekly
// series points (ISO weeks, Monday start, in the scope's time zone). Every one of them is a union
// of consecutive "slices" between sorted cut points, so the store aggregates each row once per
// slice and any window's value is a sum over slices (one read for everything).

const SERIES_WEEKS = 12;

export interface SliceRange {
  /** First slice index (inclusive). */
  readonly first: number;
  /** Last slice index (exclusive). */
  readonly end: number;
}

export interface FrameWindow extends Window, SliceRange {}

export interface Frame {
  readonly zone: string;
  /** Sorted distinct cut points; slice i is [cuts[i], cuts[i+1]). */
  readonly cuts: readonly number[];
  readonly current: FrameWindow;
  readonly previous: FrameWindow;
  readonly weeks: readonly FrameWindow[];
  /** Everything the answer reads: [cuts[0], cuts[last]). */
  readonly range: Window;
}

export function buildFrame(window: Window, zone: string): Frame {
  const previous = previousWindow(window);
  const weeks = weekWindows(window.toMs, zone, SERIES_WEEKS);
  const cuts = [...new Set([previous.fromMs, window.fromMs, window.toMs, ...weeks.flatMap((w) => [w.fromMs, w.toMs])])].sort((a, b) => a - b);
  const at = (ms: number): number => cuts.indexOf(ms);
  const frameWindow = (w: Window): FrameWindow => ({ ...w, first: at(w.fromMs), end: at(w.toMs) });
  return {
    zone,
    cuts,
    current: frameWindow(window),
    previous: frameWindow(previous),
    weeks: weeks.map(frameWindow),
    range: { fromMs: cuts[0]!, toMs: cuts[cuts.length - 1]! },
  };
}

/** The last `count` ISO weeks up to `endMs` (the last one ends at `endMs` when that is mid-week). */
function weekWindows(endMs: number, zone: string, count: number): Window[] {
  const last = DateTime.fromMillis(endMs - 1, { zone }).startOf("week");
  const weeks: Window[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const from = last.minus({ weeks: i });
    const to = from.plus({ weeks: 1 });
    weeks.push({ fromMs: from.toMillis(), toMs: Math.min(to.toMillis(), endMs) });
  }
  return weeks;
}

/** Sum a per-slice array over a slice range. */
export function sumSlices(values: ArrayLike<number>, range: SliceRange): number {
  let sum = 0;
  for (let i = range.first; i < range.end; i++) sum += values[i] ?? 0;
  return sum;
}

/**
 * UTC offsets in force over [fromMs, toMs) as (start, offsetMs) segments, so that SQL can turn a
 * timestamp into a local calendar day: day = (t + offset) / 86 400 000.
 */
export function offsetSegments(window: Window, zone: string): Array<{ fromMs: number; offsetMs: number }> {
  const segments: Array<{ fromMs: number; offsetMs: number }> = [];
  const offsetAt = (ms: number): number => DateTime.fromMillis(ms, { zone }).offset * 60_000;
  let current = offsetAt(window.fromMs);
  segments.push({ fromMs: window.fromMs, offsetMs: current });
  // Offsets change at most a few times a year; an hourly probe of each day finds every change.
  for (let day = window.fromMs; day < window.toMs; day += DAY_MS) {
    const next = offsetAt(Math.min(day + DAY_MS, window.toMs - 1));
    if (next === current) continue;
    let lo = day;
    let hi = Math.min(day + DAY_MS, window.toMs - 1);
    while (hi - lo > 60_000) {
      const mid = Math.floor((lo + hi) / 2);
      if (offsetAt(mid) === current) lo = mid;
      else hi = mid;
    }
    // Offsets change on whole minutes: the change lies in (lo, hi].
    segments.push({ fromMs: Math.min(hi, Math.floor(lo / 60_000) * 60_000 + 60_000), offsetMs: next });
    current = next;
  }
  return segments;
}

const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"] as const;

/** The local weekday name of times in the window (from its offset segments: no time-zone lookup per call). */
export function weekdayIn(window: Window, zone: string): (ms: number) => string {
  const segments = offsetSegments(window, zone);
  return (ms) => {
    let i = segments.length - 1;
    while (i > 0 && segments[i]!.fromMs > ms) i--;
    return WEEKDAYS[new Date(ms + segments[i]!.offsetMs).getUTCDay()]!;
  };
}

/** Local calendar day number (days since 1970-01-01 in the zone) → Monday-start ISO week number. */
export const isoWeekOfDay = (day: number): number => Math.floor((day + 3) / 7);

/** Local day number → "YYYY-MM" month key. */
export function monthOfDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 7);
}
