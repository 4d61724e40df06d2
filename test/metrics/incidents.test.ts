import { describe, expect, it } from "vitest";
import { ask, DAY, deployment, HOUR, incident, LAST_30D, newStore, NOW } from "./factories.js";

const IN = LAST_30D.fromMs + 5 * DAY;

describe("mean time to recovery", () => {
  it("is the mean of resolved − created, with median and p90, over incidents resolved in the window", () => {
    const store = newStore();
    store.write([1, 2, 3, 10].map((h, i) => incident({ created: IN + i * DAY, resolved: IN + i * DAY + h * HOUR })));
    const answer = ask(store, "mttr");
    expect(answer.value).toBe(4);
    expect(answer.stats).toMatchObject({ mean: 4, median: 2.5, p90: 7.9, count: 4 });
    expect(answer.tier).toBe("high"); // tier on the median (2.5 h < 24 h)
  });

  it("excludes open incidents and reports their count and the oldest's age", () => {
    const store = newStore();
    store.write([incident({ created: IN, resolved: IN + 2 * HOUR }), incident({ created: NOW - 5 * HOUR })]);
    const answer = ask(store, "mttr");
    expect(answer.sample_size).toBe(1);
    expect(answer.value).toBe(2);
    expect(answer.stats).toMatchObject({ open_count: 1, oldest_open_hours: 5 });
  });

  it("counts an incident resolved after the window as open at the window's end", () => {
    const store = newStore();
    store.write([incident({ created: NOW - 2 * HOUR, resolved: NOW + HOUR })]);
    const answer = ask(store, "mttr");
    expect(answer.value).toBeNull();
    expect(answer.stats["open_count"]).toBe(1);
  });

  it("reports failed deployment recovery time over change-caused incidents only", () => {
    const store = newStore();
    store.write([
      deployment({ at: IN }),
      incident({ created: IN + HOUR, resolved: IN + 5 * HOUR }), // caused by the deployment: 4 h
      incident({ created: IN + 3 * DAY, resolved: IN + 3 * DAY + 10 * HOUR }), // unrelated: 10 h
    ]);
    const answer = ask(store, "mttr");
    expect(answer.value).toBe(7);
    expect(answer.stats).toMatchObject({ change_caused_count: 1, failed_deployment_recovery_mean_hours: 4, failed_deployment_recovery_median_hours: 4 });
  });

  it("counts incidents on unmapped services at org scope only", () => {
    const store = newStore();
    store.write([incident({ service: null, created: IN, resolved: IN + 4 * HOUR }), incident({ created: IN, resolved: IN + 2 * HOUR })]);
    expect(ask(store, "mttr", { scope: { kind: "org", id: null } }).value).toBe(3);
    expect(ask(store, "mttr", { scope: { kind: "team", id: "payments" } }).value).toBe(2);
  });

  it("is null with no resolved incidents", () => {
    const answer = ask(newStore(), "mttr");
    expect(answer.value).toBeNull();
    expect(answer.tier).toBeNull();
  });

  it("names the incidents that moved it, and splits acknowledgement from repair", () => {
    const store = newStore();
    const prev = LAST_30D.fromMs - 10 * DAY;
    store.write([
      incident({ created: prev, ack: prev + 0.1 * HOUR, resolved: prev + HOUR }),
      incident({ created: prev + DAY, ack: prev + DAY + 0.1 * HOUR, resolved: prev + DAY + HOUR }),
      incident({ created: IN, ack: IN + 0.1 * HOUR, resolved: IN + HOUR, title: "small blip" }),
      incident({ created: IN + DAY, ack: IN + DAY + 2 * HOUR, resolved: IN + DAY + 21 * HOUR, title: "database pool exhausted" }),
    ]);
    const answer = ask(store, "mttr");
    expect(answer.change.absolute).toBe(10); // 1 h → 11 h
    const top = answer.drivers.find((d) => d.kind === "incident");
    expect(top).toMatchObject({ label: "database pool exhausted", contribution: 10, share: 1 });
    expect(answer.drivers.filter((d) => d.kind === "share").map((d) => d.label)).toEqual(["acknowledgement", "repair"]);
    expect(answer.prompts.join("\n")).toContain("database pool exhausted");
  });
});

describe("mean time to acknowledge", () => {
  it("is the mean of first acknowledgement − created over incidents acknowledged in the window", () => {
    const store = newStore();
    store.write([
      incident({ created: IN, ack: IN + 0.5 * HOUR, resolved: IN + HOUR }),
      incident({ created: IN + DAY, ack: IN + DAY + 1.5 * HOUR }),
      incident({ created: NOW - HOUR }), // waiting for an acknowledgement
    ]);
    const answer = ask(store, "mtta");
    expect(answer.value).toBe(1);
    expect(answer.stats).toMatchObject({ count: 2, open_count: 1 });
  });
});
