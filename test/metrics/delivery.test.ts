import { describe, expect, it } from "vitest";
import { ask, commit, DAY, deployment, HOUR, incident, LAST_30D, newStore, NOW, T0 } from "./factories.js";

const IN = LAST_30D.fromMs + 5 * DAY; // a moment well inside the window

describe("deployment frequency", () => {
  it("counts successful production deployments per calendar day, not failed ones or other environments", async () => {
    const store = newStore();
    await store.write([
      deployment({ at: IN }),
      deployment({ at: IN + HOUR }),
      deployment({ at: IN + 2 * HOUR, status: "failure" }),
      deployment({ at: IN + 3 * HOUR, environment: "staging" }),
    ]);
    const answer = await ask(store, "deployment_frequency");
    expect(answer.stats["count"]).toBe(2);
    expect(answer.value).toBeCloseTo(2 / 30, 3);
    expect(answer.stats["deploy_success_rate"]).toBeCloseTo(66.7, 1);
  });

  it("is 0 per day, not null, for a window without deployments", async () => {
    const answer = await ask(newStore(), "deployment_frequency");
    expect(answer.value).toBe(0);
    expect(answer.sample_size).toBe(0);
  });

  it("treats windows as half-open: a deployment at `from` counts, one at `to` does not", async () => {
    const store = newStore();
    await store.write([deployment({ at: LAST_30D.fromMs }), deployment({ at: LAST_30D.toMs })]);
    expect((await ask(store, "deployment_frequency", { nowMs: NOW + DAY })).stats["count"]).toBe(1);
  });

  it("is elite with deploys on 5 days of every ISO week, and has no tier under 7 days", async () => {
    const store = newStore();
    const records = [];
    for (let day = 0; day < 28; day++) if (new Date(T0 + day * DAY).getUTCDay() % 6 !== 0) records.push(deployment({ at: T0 + day * DAY + 10 * HOUR }));
    await store.write(records);
    const window = { fromMs: T0, toMs: T0 + 28 * DAY };
    expect((await ask(store, "deployment_frequency", { window })).tier).toBe("elite");
    expect((await ask(store, "deployment_frequency", { window: { fromMs: T0, toMs: T0 + 6 * DAY } })).tier).toBeNull();
  });

  it("counts deploy days, not deployments: ten deploys on one day a week is high, not elite", async () => {
    const store = newStore();
    const records = [];
    for (let week = 0; week < 4; week++) for (let i = 0; i < 10; i++) records.push(deployment({ at: T0 + week * 7 * DAY + 9 * HOUR + i * 20 * 60_000 }));
    await store.write(records);
    const answer = await ask(store, "deployment_frequency", { window: { fromMs: T0, toMs: T0 + 28 * DAY } });
    expect(answer.stats).toMatchObject({ count: 40, deploy_days: 4, median_deploy_days_per_week: 1 });
    expect(answer.tier).toBe("high");
  });

  it("counts deploy days in the team's time zone", async () => {
    // 23:30 and 03:30 UTC are the same evening in New York (UTC−5 in March before the 8th).
    const store = newStore();
    await store.write([deployment({ service: "gateway", at: T0 + 23 * HOUR + 30 * 60_000 }), deployment({ service: "gateway", at: T0 + DAY + 3 * HOUR + 30 * 60_000 })]);
    const window = { fromMs: T0 - DAY, toMs: T0 + 6 * DAY };
    expect((await ask(store, "deployment_frequency", { window, scope: { kind: "team", id: "platform" } })).stats["deploy_days"]).toBe(1);
    expect((await ask(store, "deployment_frequency", { window, scope: { kind: "org", id: null } })).stats["deploy_days"]).toBe(2);
  });

  it("is high with deploys on 1–4 days a week, medium with one a month, low below", async () => {
    const store = newStore();
    await store.write([T0, T0 + 7 * DAY, T0 + 14 * DAY, T0 + 21 * DAY].map((at) => deployment({ at: at + 10 * HOUR })));
    expect((await ask(store, "deployment_frequency", { window: { fromMs: T0, toMs: T0 + 28 * DAY } })).tier).toBe("high");
    const monthly = newStore();
    await monthly.write([deployment({ at: T0 + 10 * HOUR })]);
    expect((await ask(monthly, "deployment_frequency", { window: { fromMs: T0 - 2 * DAY, toMs: T0 + 26 * DAY } })).tier).toBe("medium");
    expect((await ask(newStore(), "deployment_frequency", { window: { fromMs: T0, toMs: T0 + 28 * DAY } })).tier).toBe("low");
  });
});

describe("change failure rate", () => {
  it("counts two incidents on one deployment once", async () => {
    const store = newStore();
    await store.write([deployment({ at: IN }), deployment({ at: IN + 2 * DAY }), incident({ created: IN + HOUR }), incident({ created: IN + 2 * HOUR })]);
    const answer = await ask(store, "change_failure_rate");
    expect(answer.stats).toMatchObject({ count: 2, failed: 1 });
    expect(answer.value).toBe(50);
  });

  it("excludes an incident with no prior deployment", async () => {
    const store = newStore();
    await store.write([incident({ created: IN }), deployment({ at: IN + HOUR })]);
    const answer = await ask(store, "change_failure_rate");
    expect(answer.stats).toMatchObject({ count: 1, failed: 0 });
    expect(answer.value).toBe(0);
  });

  it("does not attribute an incident after the attribution window", async () => {
    const store = newStore();
    await store.write([deployment({ at: IN }), incident({ created: IN + 25 * HOUR })]);
    expect((await ask(store, "change_failure_rate")).value).toBe(0);
  });

  it("marks a deployment named by an incident as failed, even days later", async () => {
    const store = newStore();
    await store.write([deployment({ at: IN, id: "rel-1" }), deployment({ at: IN + DAY }), incident({ created: IN + 3 * DAY, ref: "rel-1" })]);
    const answer = await ask(store, "change_failure_rate");
    expect(answer.stats["failed"]).toBe(1);
    expect(answer.drivers.find((d) => d.kind === "deployment")?.label).toBe("rel-1");
  });

  it("marks the deployment a rollback undoes as failed, and counts the rollback as rework", async () => {
    const store = newStore();
    await store.write([deployment({ at: IN, id: "bad" }), deployment({ at: IN + HOUR, id: "undo", rollbackOf: "bad" })]);
    const cfr = await ask(store, "change_failure_rate");
    expect(cfr.stats).toMatchObject({ count: 2, failed: 1 });
    expect(cfr.value).toBe(50);
    const rework = await ask(store, "rework_rate");
    expect(rework.stats).toMatchObject({ count: 2, rework: 1 });
    expect(rework.value).toBe(50);
  });

  it("counts hotfix deployments as rework", async () => {
    const store = newStore();
    await store.write([deployment({ at: IN }), deployment({ at: IN + DAY, hotfix: true }), deployment({ at: IN + 2 * DAY }), deployment({ at: IN + 3 * DAY })]);
    expect((await ask(store, "rework_rate")).value).toBe(25);
  });

  it("is null (N/A), not 0, with no deployments", async () => {
    const answer = await ask(newStore(), "change_failure_rate");
    expect(answer.value).toBeNull();
    expect(answer.sample_size).toBe(0);
    expect(answer.tier).toBeNull();
    expect((await ask(newStore(), "rework_rate")).value).toBeNull();
  });

  it("tiers at 5 / 10 / 15 %", async () => {
    const store = newStore();
    const records = Array.from({ length: 20 }, (_, i) => deployment({ at: IN + i * 2 * DAY / 3 }));
    await store.write([...records, incident({ created: IN + HOUR })]);
    expect((await ask(store, "change_failure_rate")).value).toBe(5);
    expect((await ask(store, "change_failure_rate")).tier).toBe("elite");
  });
});

describe("lead time for changes", () => {
  it("takes the median of an even count as the mean of the two middle samples, with mean and p90", async () => {
    const store = newStore();
    const at = IN + 10 * DAY;
    await store.write([deployment({ at, changes: [1, 2, 3, 4].map((h, i) => commit(`c${i}`, at - h * HOUR)) })]);
    const answer = await ask(store, "lead_time");
    expect(answer.value).toBe(2.5);
    expect(answer.stats).toMatchObject({ median: 2.5, mean: 2.5, p90: 3.7, count: 4, excluded: 0 });
    expect(answer.sample_size).toBe(4);
    expect(answer.tier).toBe("elite");
  });

  it("excludes and counts samples ≤ 0", async () => {
    const store = newStore();
    const at = IN + 10 * DAY;
    await store.write([deployment({ at, changes: [commit("past", at - 2 * HOUR), commit("same", at), commit("future", at + HOUR)] })]);
    const answer = await ask(store, "lead_time");
    expect(answer.stats).toMatchObject({ count: 1, excluded: 2, median: 2 });
    expect(answer.notes.join(" ")).toMatch(/2 changes with lead time ≤ 0/);
  });

  it("adds no sample when a shipped sha is deployed again", async () => {
    const store = newStore();
    await store.write([
      deployment({ at: IN, changes: [commit("aaa", IN - 3 * HOUR)] }),
      deployment({ at: IN + DAY, changes: [commit("aaa", IN - 3 * HOUR)] }),
    ]);
    const answer = await ask(store, "lead_time");
    expect(answer.sample_size).toBe(1);
    expect(answer.value).toBe(3);
  });

  it("pools a team's samples instead of averaging per-service medians", async () => {
    const store = newStore();
    const at = IN + DAY;
    await store.write([
      deployment({ service: "checkout", at, changes: [1, 2, 3].map((h) => commit(`k${h}`, at - h * HOUR)) }),
      deployment({ service: "ledger", at, changes: [commit("l10", at - 10 * HOUR)] }),
    ]);
    // pooled [1, 2, 3, 10] → 2.5; the mean of the medians (2 and 10) would be 6
    expect((await ask(store, "lead_time", { scope: { kind: "team", id: "payments" } })).value).toBe(2.5);
  });

  it("splits PR changes into coding, pickup, review and deploy", async () => {
    const store = newStore();
    const at = IN + DAY;
    const pr = { number: 7, openedAtMs: at - 10 * HOUR, firstReviewAtMs: at - 6 * HOUR, mergedAtMs: at - 1 * HOUR, size: 120 };
    await store.write([deployment({ at, changes: [commit("p1", at - 12 * HOUR, pr), commit("p2", at - 11 * HOUR, pr)] })]);
    const answer = await ask(store, "lead_time");
    expect(answer.sample_size).toBe(1); // one PR, timed at its earliest commit
    expect(answer.stats).toMatchObject({ median: 12, coding_median: 2, pickup_median: 4, review_median: 5, deploy_median: 1 });
  });

  it("is null with no changes", async () => {
    expect((await ask(newStore(), "lead_time")).value).toBeNull();
  });
});
