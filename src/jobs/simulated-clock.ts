import { InputError } from "../config/errors.js";

// A simulated clock for rehearsals (`vitals start --clock-from …`): a week of digests, alerts and
// reminders in a minute, and the three-replica failover test (test/e2e/replicas-failover.test.ts).
// Simulated time is derived from real time since an agreed moment, never counted locally, so every
// replica started with the same flags agrees on "now", including one that starts later or takes
// over mid-week: now = from + floor((real − startedAt) / tick) × step.

export interface SimulatedClock {
  /** Simulated time at `startedAtMs`. */
  readonly fromMs: number;
  /** How far simulated time moves per tick. */
  readonly stepMs: number;
  /** Real milliseconds per tick; the scheduled jobs tick at this interval instead of each minute. */
  readonly tickMs: number;
  /** The real moment simulated time starts at `fromMs` (before it, the clock stays at `fromMs`). */
  readonly startedAtMs: number;
}

/** Simulated now at a real moment. */
export function simulatedNow(clock: SimulatedClock, realNowMs: number): number {
  const ticks = Math.max(0, Math.floor((realNowMs - clock.startedAtMs) / clock.tickMs));
  return clock.fromMs + ticks * clock.stepMs;
}

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "90s", "15m", "1h", "1d" → milliseconds. */
function parseStep(text: string): number | undefined {
  const match = /^([1-9]\d*)(s|m|h|d)$/.exec(text);
  return match ? Number(match[1]) * UNIT_MS[match[2]!]! : undefined;
}

function parseInstant(text: string): number | undefined {
  const ms = Date.parse(text);
  return Number.isNaN(ms) || !/T.*([zZ]|[+-]\d\d:?\d\d)$/.test(text) ? undefined : ms;
}

interface ClockFlags {
  readonly from?: string | undefined;
  readonly step?: string | undefined;
  readonly tickMs?: string | undefined;
  readonly startedAt?: string | undefined;
}

/**
 * The clock the flags ask for, or undefined when none is given (real time, the default). Every bad
 * value is named in one InputError; the step and the tick are required together with `from`.
 */
export function parseSimulatedClock(flags: ClockFlags, realNowMs: number): SimulatedClock | undefined {
  const given = Object.entries(flags).filter(([, v]) => v !== undefined);
  if (given.length === 0) return undefined;
  const problems: string[] = [];
  const fromMs = flags.from === undefined ? undefined : parseInstant(flags.from);
  if (flags.from === undefined) problems.push("--clock-from is required with the other --clock-* and --tick-ms options");
  else if (fromMs === undefined) problems.push(`--clock-from: expected an ISO timestamp with an offset, e.g. 2026-05-03T12:00:00Z (got "${flags.from}")`);
  const stepMs = parseStep(flags.step ?? "");
  if (stepMs === undefined) problems.push(`--clock-step: expected a whole number with s, m, h or d, e.g. 1h (got ${flags.step === undefined ? "nothing" : `"${flags.step}"`})`);
  const tickMs = flags.tickMs !== undefined && /^[1-9]\d*$/.test(flags.tickMs) ? Number(flags.tickMs) : undefined;
  if (tickMs === undefined || tickMs < 50) problems.push(`--tick-ms: expected whole milliseconds, at least 50 (got ${flags.tickMs === undefined ? "nothing" : `"${flags.tickMs}"`})`);
  const startedAtMs = flags.startedAt === undefined ? realNowMs : parseInstant(flags.startedAt);
  if (startedAtMs === undefined) problems.push(`--clock-started-at: expected an ISO timestamp with an offset, e.g. 2026-12-01T16:00:00.000Z (got "${flags.startedAt}")`);
  if (problems.length > 0 || fromMs === undefined || stepMs === undefined || tickMs === undefined || startedAtMs === undefined) {
    throw new InputError("the simulated clock's options are not valid", problems);
  }
  return { fromMs, stepMs, tickMs, startedAtMs };
}
