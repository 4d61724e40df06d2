import { describe, expect, it } from "vitest";
import { InputError } from "../../src/config/errors.js";
import { parseSimulatedClock, simulatedNow } from "../../src/jobs/simulated-clock.js";

const FROM = "2026-05-03T12:00:00Z";
const STARTED = "2026-12-01T16:00:00.000Z";
const startedMs = Date.parse(STARTED);

describe("simulated clock", () => {
  const clock = parseSimulatedClock({ from: FROM, step: "1h", tickMs: "200", startedAt: STARTED }, 0)!;

  it("moves one step per whole tick since the agreed start", () => {
    expect(clock).toEqual({ fromMs: Date.parse(FROM), stepMs: 3_600_000, tickMs: 200, startedAtMs: startedMs });
    expect(simulatedNow(clock, startedMs)).toBe(Date.parse(FROM));
    expect(simulatedNow(clock, startedMs + 199)).toBe(Date.parse(FROM));
    expect(simulatedNow(clock, startedMs + 200)).toBe(Date.parse("2026-05-03T13:00:00Z"));
    // A week of hours is 168 ticks of 200 ms.
    expect(simulatedNow(clock, startedMs + 168 * 200 + 150)).toBe(Date.parse("2026-05-10T12:00:00Z"));
  });

  it("stays at `from` before the agreed start, so an early replica does not run backwards", () => {
    expect(simulatedNow(clock, startedMs - 5_000)).toBe(Date.parse(FROM));
  });

  it("gives replicas started at different moments with the same flags the same now", () => {
    const early = parseSimulatedClock({ from: FROM, step: "1h", tickMs: "200", startedAt: STARTED }, startedMs - 10_000)!;
    const late = parseSimulatedClock({ from: FROM, step: "1h", tickMs: "200", startedAt: STARTED }, startedMs + 9_000)!;
    for (const real of [startedMs + 1, startedMs + 9_001, startedMs + 20_123]) expect(simulatedNow(late, real)).toBe(simulatedNow(early, real));
  });

  it("starts now when no start is given, and reads every step unit", () => {
    expect(parseSimulatedClock({ from: FROM, step: "90s", tickMs: "50" }, 1234)).toEqual({ fromMs: Date.parse(FROM), stepMs: 90_000, tickMs: 50, startedAtMs: 1234 });
    expect(parseSimulatedClock({ from: FROM, step: "15m", tickMs: "1000" }, 0)?.stepMs).toBe(900_000);
    expect(parseSimulatedClock({ from: FROM, step: "2d", tickMs: "1000" }, 0)?.stepMs).toBe(172_800_000);
  });

  it("is off without flags", () => {
    expect(parseSimulatedClock({}, 0)).toBeUndefined();
  });

  it("names every bad value", () => {
    const problems = (flags: Parameters<typeof parseSimulatedClock>[0]) => {
      try {
        parseSimulatedClock(flags, 0);
      } catch (error) {
        expect(error).toBeInstanceOf(InputError);
        return (error as InputError).problems;
      }
      throw new Error("expected an InputError");
    };
    expect(problems({ step: "1h", tickMs: "200" })).toEqual(["--clock-from is required with the other --clock-* and --tick-ms options"]);
    expect(problems({ from: "2026-05-03", step: "1h", tickMs: "200" })).toEqual(['--clock-from: expected an ISO timestamp with an offset, e.g. 2026-05-03T12:00:00Z (got "2026-05-03")']);
    expect(problems({ from: FROM, step: "1 hour", tickMs: "20", startedAt: "yesterday" })).toEqual([
      '--clock-step: expected a whole number with s, m, h or d, e.g. 1h (got "1 hour")',
      '--tick-ms: expected whole milliseconds, at least 50 (got "20")',
      '--clock-started-at: expected an ISO timestamp with an offset, e.g. 2026-12-01T16:00:00.000Z (got "yesterday")',
    ]);
    expect(problems({ from: FROM })).toEqual(["--clock-step: expected a whole number with s, m, h or d, e.g. 1h (got nothing)", "--tick-ms: expected whole milliseconds, at least 50 (got nothing)"]);
    expect(problems({ from: FROM, step: "0h", tickMs: "1.5" })).toHaveLength(2);
  });
});
