import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { offsetSegments, weekdayIn } from "../../src/metrics/frame.js";

const HOUR = 3_600_000;

describe("local time from offset segments", () => {
  // Windows over the spring and autumn changes, in zones with whole, half-hour and southern-hemisphere offsets.
  const cases = [
    { zone: "America/New_York", from: "2026-02-20T00:00:00Z" },
    { zone: "Europe/Berlin", from: "2026-10-10T00:00:00Z" },
    { zone: "Asia/Kolkata", from: "2026-03-01T00:00:00Z" },
    { zone: "Australia/Adelaide", from: "2026-03-25T00:00:00Z" },
    { zone: "UTC", from: "2026-03-01T00:00:00Z" },
  ];

  it.each(cases)("gives the weekday luxon gives, every 7 minutes for 30 days in $zone", ({ zone, from }) => {
    const window = { fromMs: Date.parse(from), toMs: Date.parse(from) + 30 * 24 * HOUR };
    const weekday = weekdayIn(window, zone);
    const wrong: string[] = [];
    for (let ms = window.fromMs; ms < window.toMs; ms += 7 * 60_000) {
      const expected = DateTime.fromMillis(ms, { zone }).setLocale("en-US").toFormat("cccc");
      if (weekday(ms) !== expected) wrong.push(`${new Date(ms).toISOString()}: ${weekday(ms)} ≠ ${expected}`);
    }
    expect(wrong).toEqual([]);
  });

  it("finds the offset change of a DST switch to the minute", () => {
    const window = { fromMs: Date.parse("2026-03-01T00:00:00Z"), toMs: Date.parse("2026-03-15T00:00:00Z") };
    expect(offsetSegments(window, "America/New_York")).toEqual([
      { fromMs: window.fromMs, offsetMs: -5 * HOUR },
      { fromMs: Date.parse("2026-03-08T07:00:00Z"), offsetMs: -4 * HOUR },
    ]);
  });
});
