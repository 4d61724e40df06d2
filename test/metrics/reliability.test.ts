import { describe, expect, it } from "vitest";
import { unionLength } from "../../src/metrics/reliability/compute.js";
import { ask, DAY, HOUR, incident, LAST_30D, newStore, sample, testConfig } from "./factories.js";

const FROM = LAST_30D.fromMs;

describe("uptime", () => {
  it("weights each availability sample by the time it covers (until the next sample or the window's end)", async () => {
    const store = newStore();
    // 99 % for the first 10 days, 100 % for the last 20: (99 × 10 + 100 × 20) / 30
    await store.write([sample({ name: "uptime_pct", at: FROM, value: 99 }), sample({ name: "uptime_pct", at: FROM + 10 * DAY, value: 100 })]);
    expect((await ask(store, "uptime")).value).toBeCloseTo((99 * 10 + 100 * 20) / 30, 4);
  });

  it("derives uptime from outage incidents without counting overlaps twice", async () => {
    const store = newStore();
    await store.write([
      incident({ created: FROM + DAY, resolved: FROM + DAY + 6 * HOUR, severity: "SEV1" }),
      incident({ created: FROM + DAY + 3 * HOUR, resolved: FROM + DAY + 9 * HOUR, severity: "SEV1" }),
      incident({ created: FROM + 2 * DAY, resolved: FROM + 3 * DAY, severity: "SEV3" }), // not an outage
    ]);
    const answer = await ask(store, "uptime");
    expect(answer.value).toBeCloseTo(100 * (1 - 9 / (30 * 24)), 4);
    expect(answer.stats["outage_hours"]).toBe(9);
  });

  it("averages services for a team", async () => {
    const store = newStore();
    await store.write([sample({ service: "checkout", name: "uptime_pct", at: FROM, value: 99 }), sample({ service: "ledger", name: "uptime_pct", at: FROM, value: 100 })]);
    expect((await ask(store, "uptime", { scope: { kind: "team", id: "payments" } })).value).toBe(99.5);
  });

  it("merges overlapping intervals", async () => {
    expect(unionLength([[0, 10], [5, 15], [20, 25]], 0, 100)).toBe(20);
    expect(unionLength([[0, 10]], 5, 8)).toBe(3);
  });
});

describe("latency, error rate, levels and cost", () => {
  it("weights P95 samples by requests at the same time, and labels a plain mean", async () => {
    const store = newStore();
    await store.write([
      sample({ name: "latency_p95_ms", at: FROM + DAY, value: 100 }),
      sample({ name: "requests", at: FROM + DAY, value: 3000 }),
      sample({ name: "latency_p95_ms", at: FROM + 2 * DAY, value: 200 }),
      sample({ name: "requests", at: FROM + 2 * DAY, value: 1000 }),
    ]);
    expect((await ask(store, "latency_p95")).value).toBe(125);
    await store.write([sample({ name: "latency_p95_ms", at: FROM + 3 * DAY, value: 300 })]);
    const plain = await ask(store, "latency_p95");
    expect(plain.value).toBe(200);
    expect(plain.notes.join(" ")).toMatch(/plain mean of P95 samples/i);
  });

  it("divides summed errors by summed requests", async () => {
    const store = newStore();
    await store.write([
      sample({ name: "errors", at: FROM + DAY, value: 10 }),
      sample({ name: "requests", at: FROM + DAY, value: 1000 }),
      sample({ name: "errors", at: FROM + 2 * DAY, value: 30 }),
      sample({ name: "requests", at: FROM + 2 * DAY, value: 1000 }),
    ]);
    expect((await ask(store, "error_rate")).value).toBe(2);
  });

  it("reports the latest coverage in the window and its change since the window's start", async () => {
    const store = newStore();
    await store.write([
      sample({ name: "coverage_pct", at: FROM - DAY, value: 70 }),
      sample({ name: "coverage_pct", at: FROM + DAY, value: 72 }),
      sample({ name: "coverage_pct", at: FROM + 9 * DAY, value: 75 }),
    ]);
    const answer = await ask(store, "coverage");
    expect(answer.value).toBe(75);
    expect(answer.stats["change_since_start"]).toBe(5);
    expect((await ask(newStore(), "tech_debt_ratio")).value).toBeNull();
  });

  it("scales cost to 30 days and divides by mean active users; untagged cost counts at org scope", async () => {
    const store = newStore();
    await store.write([
      sample({ service: "checkout", name: "infra_cost_usd", at: FROM + DAY, value: 600 }),
      sample({ service: null, name: "infra_cost_usd", at: FROM + DAY, value: 300 }),
      sample({ service: null, name: "active_users", at: FROM + DAY, value: 100 }),
      sample({ service: null, name: "active_users", at: FROM + 2 * DAY, value: 200 }),
    ]);
    expect((await ask(store, "cost_per_user", { scope: { kind: "org", id: null } })).value).toBe(6); // 900 / 150
    // share_untagged (default): checkout carries all tagged cost, so all of the untagged too
    expect((await ask(store, "cost_per_user")).value).toBe(6);
    const unshared = testConfig({ cost: { share_untagged: false } });
    expect((await ask(store, "cost_per_user", { config: unshared })).value).toBe(4);
  });
});
