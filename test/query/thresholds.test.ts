import { describe, expect, it } from "vitest";
import { thresholdFor, thresholdStatus } from "../../src/metrics/thresholds.js";
import { evaluateThresholds } from "../../src/query/thresholds.js";
import { DAY, deployment, HOUR, incident, newStore, NOW, testConfig } from "../metrics/factories.js";

describe("threshold status", () => {
  it("is worse upwards for higher-is-worse metrics and downwards for lower-is-worse ones", async () => {
    expect(thresholdStatus(9, { warn: 10, critical: 20 }, "higher_is_worse")).toBe("ok");
    expect(thresholdStatus(10, { warn: 10, critical: 20 }, "higher_is_worse")).toBe("warn");
    expect(thresholdStatus(25, { warn: 10, critical: 20 }, "higher_is_worse")).toBe("critical");
    expect(thresholdStatus(99.95, { warn: 99.9, critical: 99 }, "lower_is_worse")).toBe("ok");
    expect(thresholdStatus(99.5, { warn: 99.9, critical: 99 }, "lower_is_worse")).toBe("warn");
    expect(thresholdStatus(98, { warn: 99.9, critical: 99 }, "lower_is_worse")).toBe("critical");
    expect(thresholdStatus(null, { warn: 1, critical: 2 }, "higher_is_worse")).toBeNull();
  });

  it("prefers the service's threshold, then its team's, then the org's", async () => {
    const config = testConfig({
      thresholds: [
        { metric: "mttr", warn: 1, critical: 2 },
        { metric: "mttr", team: "payments", warn: 3, critical: 4 },
        { metric: "mttr", service: "checkout", warn: 5, critical: 6 },
      ],
    });
    expect(thresholdFor(config, "mttr", { kind: "service", id: "checkout" })?.warn).toBe(5);
    expect(thresholdFor(config, "mttr", { kind: "service", id: "ledger" })?.warn).toBe(3);
    expect(thresholdFor(config, "mttr", { kind: "service", id: "gateway" })?.warn).toBe(1);
    expect(thresholdFor(config, "mttr", { kind: "team", id: "platform" })?.warn).toBe(1);
    expect(thresholdFor(config, "lead_time", { kind: "org", id: null })).toBeNull();
  });
});

describe("evaluateThresholds", () => {
  it("evaluates every configured threshold at its own scope over the last 30 days", async () => {
    const config = testConfig({
      thresholds: [
        { metric: "change_failure_rate", warn: 10, critical: 20 },
        { metric: "mttr", service: "gateway", warn: 4, critical: 8 },
      ],
    });
    const store = newStore(config);
    await store.write([
      deployment({ at: NOW - 10 * DAY }),
      deployment({ at: NOW - 5 * DAY }),
      incident({ created: NOW - 10 * DAY + HOUR }),
      incident({ service: "gateway", created: NOW - 3 * DAY, resolved: NOW - 3 * DAY + 5 * HOUR }),
    ]);
    const evaluations = await evaluateThresholds({ store, config, nowMs: NOW });
    expect(evaluations.map((e) => [e.metric, e.scope, e.status, e.value])).toEqual([
      ["change_failure_rate", { kind: "org", id: null }, "critical", 50],
      ["mttr", { kind: "service", id: "gateway" }, "warn", 5],
    ]);
    expect(evaluations[1]!.answer.scope).toEqual({ kind: "service", id: "gateway" });
    expect((await evaluateThresholds({ store, config, nowMs: NOW }, { windowDays: 7 }))[0]!.value).toBe(0);
  });
});
