import { describe, expect, it } from "vitest";
import {
  addBusinessDays,
  businessDaysBetween,
  digestSlot,
  inWorkingHours,
  isDigestDue,
  reviewDueAt,
  teamCalendar,
  type TeamCalendar,
} from "../../src/config/calendar.js";
import { testConfig } from "../jobs/helpers.js";

const berlin: TeamCalendar = { zone: "Europe/Berlin", weekStart: "monday", digestDay: "monday", digestTime: "09:00", workStart: "09:00", workEnd: "18:00" };
const at = (iso: string) => Date.parse(iso);

describe("digest slot", () => {
  it("is due at 09:00 Monday in the team's zone, for the week that just ended", () => {
    const slot = digestSlot(at("2026-03-04T12:00:00Z"), berlin);
    expect(slot.weekKey).toBe("2026-03-02");
    expect(new Date(slot.dueAtMs).toISOString()).toBe("2026-03-02T08:00:00.000Z"); // CET = UTC+1
    expect(new Date(slot.reportFromMs).toISOString()).toBe("2026-02-22T23:00:00.000Z");
    expect(new Date(slot.reportToMs).toISOString()).toBe("2026-03-01T23:00:00.000Z");
    expect(new Date(slot.weekEndMs).toISOString()).toBe("2026-03-08T23:00:00.000Z");
  });

  it("follows the zone across the spring DST change (09:00 local is 07:00 UTC after it)", () => {
    const slot = digestSlot(at("2026-03-30T07:30:00Z"), berlin);
    expect(slot.weekKey).toBe("2026-03-30");
    expect(new Date(slot.dueAtMs).toISOString()).toBe("2026-03-30T07:00:00.000Z");
    // The reported week contains the 23-hour Sunday: 167 hours long.
    expect((slot.reportToMs - slot.reportFromMs) / 3_600_000).toBe(167);
  });

  it("uses the team's configured day, time and the configured week start", () => {
    const config = testConfig();
    const growth = teamCalendar(config, config.teams[1]);
    const slot = digestSlot(at("2026-03-05T12:00:00Z"), growth);
    expect(new Date(slot.dueAtMs).toISOString()).toBe("2026-03-03T15:30:00.000Z"); // Tue 10:30 EST
    const sundayWeeks = digestSlot(at("2026-03-05T12:00:00Z"), { ...berlin, weekStart: "sunday" });
    expect(sundayWeeks.weekKey).toBe("2026-03-01");
  });

  it("is due once its time has come in the week, until the week ends, unless already posted", () => {
    const slot = digestSlot(at("2026-03-02T07:59:00Z"), berlin);
    expect(isDigestDue(at("2026-03-02T07:59:00Z"), slot, false)).toBe(false);
    expect(isDigestDue(at("2026-03-02T08:00:00Z"), slot, false)).toBe(true);
    expect(isDigestDue(at("2026-03-06T08:00:00Z"), slot, false)).toBe(true);
    expect(isDigestDue(at("2026-03-06T08:00:00Z"), slot, true)).toBe(false);
  });
});

describe("business days", () => {
  it("skips weekends when adding", () => {
    expect(addBusinessDays(at("2026-03-06T10:00:00Z"), "UTC", 1).toISODate()).toBe("2026-03-09"); // Fri → Mon
    expect(addBusinessDays(at("2026-03-04T10:00:00Z"), "UTC", 5).toISODate()).toBe("2026-03-11");
    expect(addBusinessDays(at("2026-03-07T10:00:00Z"), "UTC", 0).toISODate()).toBe("2026-03-09"); // Sat → Mon
  });

  it("counts signed business days between dates", () => {
    expect(businessDaysBetween(at("2026-03-06T10:00:00Z"), at("2026-03-09T10:00:00Z"), "UTC")).toBe(1);
    expect(businessDaysBetween(at("2026-03-09T10:00:00Z"), at("2026-03-06T10:00:00Z"), "UTC")).toBe(-1);
    expect(businessDaysBetween(at("2026-03-02T10:00:00Z"), at("2026-03-02T17:00:00Z"), "UTC")).toBe(0);
    expect(businessDaysBetween(at("2026-03-02T10:00:00Z"), at("2026-03-16T10:00:00Z"), "UTC")).toBe(10);
  });

  it("puts a review's due time at the end of the working day, in the team's zone", () => {
    // Resolved Wednesday evening Berlin; 5 business days → next Wednesday 18:00 Berlin.
    expect(new Date(reviewDueAt(at("2026-03-04T19:00:00Z"), berlin, 5)).toISOString()).toBe("2026-03-11T17:00:00.000Z");
  });

  it("knows working hours: weekdays 09:00–18:00 local", () => {
    expect(inWorkingHours(at("2026-03-02T08:00:00Z"), berlin)).toBe(true); // Mon 09:00 CET
    expect(inWorkingHours(at("2026-03-02T07:59:00Z"), berlin)).toBe(false);
    expect(inWorkingHours(at("2026-03-02T17:00:00Z"), berlin)).toBe(false); // 18:00
    expect(inWorkingHours(at("2026-03-07T10:00:00Z"), berlin)).toBe(false); // Saturday
  });
});
