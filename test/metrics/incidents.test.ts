import { describe, expect, it } from "vitest";
import { ask, DAY, deployment, HOUR, incident, LAST_30D, newStore, NOW } from "./factories.js";

const IN = LAST_30D.fromMs + 5 * DAY;

describe("mean time to recovery", () => {
  it("is the mean of resolved − created, with median and p90, over incidents resolved in the window", async () => {
    const store = newStore();
    await store.write([1, 2, 3, 10].map((h, i) => incident({ created: IN + i * DAY, resolved: IN + i * DAY + h * HOUR })));
    const answer = await ask(store, "mttr");
    expect(answer.value).toBe(4);
    expect(answer.stats).toMatchObject({ mean: 4, median: 2.5, count: 4 });
    // JSON is unrounded: 3 + 0.7 × (10 − 3) in floating point, not 7.9.
    expect(answer.stats["p90"]).toBeCloseTo(7.9, 12);
    expect(answer.stats["p90"]).not.toBe(7.9);
    expect(answer.tier).toBe("high"); // tier on the median (2.5 h < 24 h)
  });

  it("excludes open incidents and reports their count and the oldest's age", async () => {
    const store = newStore();
    await store.write([incident({ created: IN, resolved: IN + 2 * HOUR }), incident({ created: NOW - 5 * HOUR })]);
    const answer = await ask(store, "mttr");
    expect(answer.sample_size).toBe(1);
    expect(answer.value).toBe(2);
    expect(answer.stats).toMatchObject({ open_count: 1, oldest_open_hours: 5 });
  });

  it("counts an incident resolved after the window as open at the window's end", async () => {
    const store = newStore();
    await store.write([incident({ created: NOW - 2 * HOUR, resolved: NOW + HOUR })]);
    const answer = await ask(store, "mttr");
    expect(answer.value).toBeNull();
    expect(answer.stats["open_count"]).toBe(1);
  });

  it("reports failed deployment recovery time over change-caused incidents only", async () => {
    const store = newStore();
    await store.write([
      deployment({ at: IN }),
      incident({ created: IN + HOUR, resolved: IN + 5 * HOUR }), // caused by the deployment: 4 h
      incident({ created: IN + 3 * DAY, resolved: IN + 3 * DAY + 10 * HOUR }), // unrelated: 10 h
    ]);
    const answer = await ask(store, "mttr");
    expect(answer.value).toBe(7);
    expect(answer.stats).toMatchObject({ change_caused_count: 1, failed_deployment_recovery_mean_hours: 4, failed_deployment_recovery_median_hours: 4 });
  });

  it("counts incidents on unmapped services at org scope only", async () => {
    const store = newStore();
    await store.write([incident({ service: null, created: IN, resolved: IN + 4 * HOUR }), incident({ created: IN, resolved: IN + 2 * HOUR })]);
    expect((await ask(store, "mttr", { scope: { kind: "org", id: null } })).value).toBe(3);
    expect((await ask(store, "mttr", { scope: { kind: "team", id: "payments" } })).value).toBe(2);
  });

  it("is null with no resolved incidents", async () => {
    const answer = await ask(newStore(), "mttr");
    expect(answer.value).toBeNull();
    expect(answer.tier).toBeNull();
  });

  it("names the incidents that moved it, and splits acknowledgement from repair", async () => {
    const store = newStore();
    const prev = LAST_30D.fromMs - 10 * DAY;
    await store.write([
      incident({ created: prev, ack: prev + 0.1 * HOUR, resolved: prev + HOUR }),
      incident({ created: prev + DAY, ack: prev + DAY + 0.1 * HOUR, resolved: prev + DAY + HOUR }),
      incident({ created: IN, ack: IN + 0.1 * HOUR, resolved: IN + HOUR, title: "small blip" }),
      incident({ created: IN + DAY, ack: IN + DAY + 2 * HOUR, resolved: IN + DAY + 21 * HOUR, title: "database pool exhausted" }),
    ]);
    const answer = await ask(store, "mttr");
    expect(answer.change.absolute).toBe(10); // 1 h → 11 h
    const top = answer.drivers.find((d) => d.kind === "incident");
    expect(top).toMatchObject({ label: "database pool exhausted", contribution: 10, share: 100 });
    // Largest first: repair grew 0.9 h → 19 h, acknowledgement 0.1 h → 1.05 h; together the whole change.
    const split = answer.drivers.filter((d) => d.kind === "share");
    expect(split.map((d) => d.label)).toEqual(["repair", "acknowledgement"]);
    expect(split.reduce((sum, d) => sum + d.contribution!, 0)).toBeCloseTo(10, 9);
    // Two incidents against two: the attribution is a fact, but no test can call it a change.
    expect(answer.change).toMatchObject({ significant: false, test: "welch_t_log" });
    expect(answer.prompts[0]).toMatch(/within normal variation \(welch_t_log, p = 0\.\d+, n = 2 vs 2\)/);
    expect(answer.prompts.join("\n")).not.toContain("database pool exhausted");
  });
});

describe("mean time to acknowledge", () => {
  it("is the mean of first acknowledgement − created over incidents acknowledged in the window", async () => {
    const store = newStore();
    await store.write([
      incident({ created: IN, ack: IN + 0.5 * HOUR, resolved: IN + HOUR }),
      incident({ created: IN + DAY, ack: IN + DAY + 1.5 * HOUR }),
      incident({ created: NOW - HOUR }), // waiting for an acknowledgement
    ]);
    const answer = await ask(store, "mtta");
    expect(answer.value).toBe(1);
    expect(answer.stats).toMatchObject({ count: 2, open_count: 1 });
  });
});
