import type { Direction, Unit } from "../domain/metric-ids.js";
import type { AlertStatus } from "../store/alerts.js";

// What to do with one threshold evaluation, given the stored alert state: a pure state machine.
// Entering a worse status is immediate; leaving it needs the value to clear the threshold by the
// hysteresis margin, so a value hovering around the line does not post breach/recovery pairs.

export interface AlertMemory {
  readonly status: AlertStatus;
  readonly acknowledgedAtMs: number | null;
  readonly lastNotifiedAtMs: number | null;
}

export interface AlertReading {
  /** The evaluation's status without hysteresis; null = no data (nothing changes). */
  readonly status: AlertStatus | null;
  readonly value: number | null;
  readonly warn: number;
  readonly critical: number;
  readonly direction: Direction;
  readonly unit: Unit;
}

export interface AlertPolicy {
  readonly hysteresisPct: number;
  readonly reminderMs: number;
}

export type AlertAction =
  /** Crossed from ok into warn or critical: a new message in the channel. */
  | { readonly kind: "breach"; readonly status: "warn" | "critical" }
  /** warn → critical: a new message in the channel. */
  | { readonly kind: "escalate"; readonly status: "critical" }
  /** critical → warn (cleared the critical line by the margin): state only, no message. */
  | { readonly kind: "deescalate"; readonly status: "warn" }
  /** Back to ok (cleared the warn line by the margin): a reply in the breach's thread. */
  | { readonly kind: "recover"; readonly status: "ok" }
  /** Still breached and unacknowledged for reminder_hours: a reply in the thread. */
  | { readonly kind: "remind"; readonly status: "warn" | "critical" }
  | { readonly kind: "none"; readonly status: AlertStatus | null };

const RANK: Record<AlertStatus, number> = { ok: 0, warn: 1, critical: 2 };
const BY_RANK: readonly AlertStatus[] = ["ok", "warn", "critical"];

/**
 * The hysteresis margin for a threshold: `pct` % of the threshold; for a percentage where higher is
 * better (uptime 99.9, coverage 70) of the headroom to 100 %, since 10 % of 99.9 could never be cleared.
 */
export function hysteresisMargin(threshold: number, pct: number, direction: Direction, unit: Unit): number {
  const base = direction === "lower_is_worse" && unit === "percent" ? Math.max(0, 100 - threshold) : Math.abs(threshold);
  return (base * pct) / 100;
}

function cleared(threshold: number, value: number, reading: AlertReading, pct: number): boolean {
  const margin = hysteresisMargin(threshold, pct, reading.direction, reading.unit);
  return reading.direction === "higher_is_worse" ? value <= threshold - margin : value >= threshold + margin;
}

/** The status after hysteresis: improvements only count once each threshold is cleared by its margin. */
export function heldStatus(previous: AlertStatus, reading: AlertReading, pct: number): AlertStatus | null {
  if (reading.status === null || reading.value === null) return null;
  let held = RANK[previous];
  const target = RANK[reading.status];
  if (target >= held) return reading.status;
  while (held > target) {
    const threshold = held === 2 ? reading.critical : reading.warn;
    if (!cleared(threshold, reading.value, reading, pct)) break;
    held--;
  }
  return BY_RANK[held]!;
}

export function decideAlert(memory: AlertMemory | undefined, reading: AlertReading, policy: AlertPolicy, nowMs: number): AlertAction {
  const previous = memory?.status ?? "ok";
  const status = heldStatus(previous, reading, policy.hysteresisPct);
  if (status === null) return { kind: "none", status: null };
  if (previous === "ok") return status === "ok" ? { kind: "none", status } : { kind: "breach", status };
  if (status === "ok") return { kind: "recover", status };
  if (previous === "warn" && status === "critical") return { kind: "escalate", status };
  if (previous === "critical" && status === "warn") return { kind: "deescalate", status };
  const unacknowledged = memory?.acknowledgedAtMs == null;
  const last = memory?.lastNotifiedAtMs ?? 0;
  if (unacknowledged && nowMs - last >= policy.reminderMs) return { kind: "remind", status };
  return { kind: "none", status };
}
