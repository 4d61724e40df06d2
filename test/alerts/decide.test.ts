import { describe, expect, it } from "vitest";
import { decideAlert, heldStatus, hysteresisMargin, type AlertReading } from "../../src/alerts/decide.js";

const cfr = (value: number, status: AlertReading["status"]): AlertReading => ({ status, value, warn: 10, critical: 15, direction: "higher_is_worse", unit: "percent" });
const policy = { hysteresisPct: 10, reminderMs: 24 * 3_600_000 };
const H = 3_600_000;

describe("threshold alert decisions", () => {
  it("posts once when a scope crosses into warn, then stays quiet while it stays there", () => {
    expect(decideAlert(undefined, cfr(11, "warn"), policy, 0)).toEqual({ kind: "breach", status: "warn" });
    const memory = { status: "warn" as const, acknowledgedAtMs: null, lastNotifiedAtMs: 0 };
    expect(decideAlert(memory, cfr(12, "warn"), policy, 2 * H).kind).toBe("none");
  });

  it("posts again on escalation from warn to critical", () => {
    const memory = { status: "warn" as const, acknowledgedAtMs: null, lastNotifiedAtMs: 0 };
    expect(decideAlert(memory, cfr(16, "critical"), policy, H)).toEqual({ kind: "escalate", status: "critical" });
  });

  it("recovers only once the value clears the warn threshold by the hysteresis margin", () => {
    const memory = { status: "warn" as const, acknowledgedAtMs: null, lastNotifiedAtMs: 0 };
    expect(decideAlert(memory, cfr(9.5, "ok"), policy, H).kind).toBe("none"); // within 1 pp of 10
    expect(decideAlert(memory, cfr(9, "ok"), policy, H)).toEqual({ kind: "recover", status: "ok" });
  });

  it("steps down from critical to warn quietly, with hysteresis on the critical line", () => {
    const memory = { status: "critical" as const, acknowledgedAtMs: null, lastNotifiedAtMs: 0 };
    expect(heldStatus("critical", cfr(14, "warn"), 10)).toBe("critical");
    expect(decideAlert(memory, cfr(13, "warn"), policy, H)).toEqual({ kind: "deescalate", status: "warn" });
  });

  it("reminds about an unacknowledged breach after reminder_hours, not when acknowledged", () => {
    const memory = { status: "critical" as const, acknowledgedAtMs: null, lastNotifiedAtMs: 0 };
    expect(decideAlert(memory, cfr(20, "critical"), policy, 23 * H).kind).toBe("none");
    expect(decideAlert(memory, cfr(20, "critical"), policy, 24 * H)).toEqual({ kind: "remind", status: "critical" });
    expect(decideAlert({ ...memory, acknowledgedAtMs: H }, cfr(20, "critical"), policy, 48 * H).kind).toBe("none");
  });

  it("changes nothing when there is no data", () => {
    const memory = { status: "warn" as const, acknowledgedAtMs: null, lastNotifiedAtMs: 0 };
    expect(decideAlert(memory, { ...cfr(0, null), value: null }, policy, 48 * H).kind).toBe("none");
  });

  it("measures the margin of a higher-is-better percentage against the headroom to 100 %", () => {
    expect(hysteresisMargin(99.9, 10, "lower_is_worse", "percent")).toBeCloseTo(0.01);
    expect(hysteresisMargin(4, 10, "higher_is_worse", "hours")).toBeCloseTo(0.4);
    const uptime = (value: number): AlertReading => ({ status: value <= 99.5 ? "critical" : value <= 99.9 ? "warn" : "ok", value, warn: 99.9, critical: 99.5, direction: "lower_is_worse", unit: "percent" });
    expect(heldStatus("warn", uptime(99.905), 10)).toBe("warn");
    expect(heldStatus("warn", uptime(99.95), 10)).toBe("ok");
  });
});
