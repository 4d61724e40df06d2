import { describe, expect, it } from "vitest";
import type { VitalsRecord } from "../../src/domain/records.js";
import { decomposePercentile, decomposeRatio, othersLabel, SHAPLEY_MAX_GROUPS, whole } from "../../src/metrics/decompose.js";
import { percentile } from "../../src/metrics/percentile.js";
import { ask, commit, DAY, deployment, HOUR, LAST_30D, newStore } from "./factories.js";

describe("drivers", () => {
  it("splits a ratio's change into rate and mix effects that add up to each contribution", async () => {
    const previous = new Map([["a", { num: 1, den: 10 }], ["b", { num: 1, den: 10 }]]);
    const current = new Map([["a", { num: 4, den: 20 }], ["b", { num: 1, den: 10 }]]);
    const [a, b] = decomposeRatio(previous, current, { kind: "service", factor: 100, mixAndRate: true });
    // (1 + 4) / (10 + 20) = 16.67 % vs 10 %. a: weight ½ → ⅔, rate 10 → 20 %: rate effect
    // mean weight × Δrate = 7/12 × 10; mix (its mean rate 15 − the pool's mean 13.33) × ⅙.
    expect(a!.label).toBe("a");
    expect(a!.contribution).toBeCloseTo((7 / 12) * 10 + (15 - 40 / 3) / 6, 9);
    expect(a!.detail).toBe("rate +5.8 pp, mix +0.3 pp");
    // b did not change its rate, but lost weight while below the pool's rate: that raised the pool.
    expect(b!.contribution).toBeCloseTo((10 - 40 / 3) * (1 / 3 - 1 / 2), 9);
    expect(a!.contribution! + b!.contribution!).toBeCloseTo(100 / 6 - 10, 12);
    const drivers = whole([a!, b!], 100 / 6 - 10, { restLabel: othersLabel("service") });
    expect(drivers.map((d) => d.label)).toEqual(["a", "b"]);
    expect(drivers.reduce((sum, d) => sum + d.share!, 0)).toBeCloseTo(100, 9);
  });

  it("attributes a median by exact Shapley values over few groups", async () => {
    const previous = new Map([["a", [1, 2, 3]], ["b", [10, 11]], ["c", [5]]]);
    const current = new Map([["a", [4, 6, 8]], ["b", [10, 12]], ["c", [2]]]);
    const { drivers, method } = decomposePercentile(previous, current, 0.5, "service");
    expect(method).toBe("shapley");
    // Brute force: v(S) = median with the groups in S at their current samples.
    const labels = ["a", "b", "c"];
    const v = (mask: number) => percentile([...labels.flatMap((g, i) => (mask & (1 << i) ? current.get(g)! : previous.get(g)!))].sort((x, y) => x - y), 0.5)!;
    const fact = (n: number): number => (n <= 1 ? 1 : n * fact(n - 1));
    labels.forEach((g, i) => {
      let phi = 0;
      for (let mask = 0; mask < 8; mask++) {
        if (mask & (1 << i)) continue;
        const size = [0, 1, 2].filter((j) => mask & (1 << j)).length;
        phi += ((fact(size) * fact(3 - size - 1)) / fact(3)) * (v(mask | (1 << i)) - v(mask));
      }
      expect(drivers.find((d) => d.label === g)!.contribution).toBeCloseTo(phi, 12);
    });
    expect(drivers.reduce((sum, d) => sum + d.contribution!, 0)).toBeCloseTo(v(7) - v(0), 12);
  });

  it("beyond the Shapley limit, attributes one group at a time and keeps the interaction in the remainder", async () => {
    const groups = SHAPLEY_MAX_GROUPS + 2;
    const previous = new Map(Array.from({ length: groups }, (_, g) => [`s${g}`, [g, g + 1, g + 2]]));
    const current = new Map(Array.from({ length: groups }, (_, g) => [`s${g}`, g % 3 === 0 ? [g + 5, g + 9, g + 20] : [g, g + 1, g + 2]]));
    const { drivers, method } = decomposePercentile(previous, current, 0.5, "service");
    expect(method).toBe("one_at_a_time");
    const pool = (replace: string | null) => [...previous].flatMap(([g, list]) => (g === replace ? current.get(g)! : list)).sort((x, y) => x - y);
    const base = percentile(pool(null), 0.5)!;
    for (const d of drivers) expect(d.contribution).toBeCloseTo(percentile(pool(d.label), 0.5)! - base, 12);
    const change = percentile([...current.values()].flat().sort((x, y) => x - y), 0.5)! - base;
    const shown = whole(drivers, change, { restLabel: othersLabel("service"), restDetail: "includes the interaction" });
    expect(shown.reduce((sum, d) => sum + d.contribution!, 0)).toBeCloseTo(change, 12);
    expect(shown.at(-1)).toMatchObject({ rest: true, detail: "includes the interaction" });
    expect(shown.reduce((sum, d) => sum + d.share!, 0)).toBeCloseTo(100, 9);
  });

  it("asks about PR size only when a slow size bucket is over-represented against its previous share", async () => {
    const store = newStore();
    const records: VitalsRecord[] = [];
    let n = 0;
    const ship = (at: number, leadHours: number, size: number): void => {
      n++;
      const opened = at - leadHours * HOUR;
      records.push(deployment({ at, changes: [commit(`z${n}`, opened - HOUR, { number: n, openedAtMs: opened, firstReviewAtMs: opened + HOUR, mergedAtMs: at - HOUR, size })] }));
    };
    // Before: 19 small changes and 1 XL; now 10 small and 10 XL ones that take four times as long.
    for (let i = 0; i < 20; i++) ship(LAST_30D.fromMs - 25 * DAY + i * HOUR * 20, 10, i === 0 ? 1500 : 50);
    for (let i = 0; i < 20; i++) ship(LAST_30D.fromMs + DAY + i * HOUR * 20, i % 2 ? 40 : 10, i % 2 ? 1500 : 50);
    await store.write(records);
    const answer = await ask(store, "lead_time");
    const size = answer.findings.find((f) => f.kind === "pr_size")!;
    expect(size.text).toBe("XL (≥ 1000 lines) pull requests are 50 % of changes, up from 5 %, and slower than the median: are changes getting bigger?");
    expect(size.evidence).toMatchObject({ observed: 10, expected: 1, n: 20 });
    expect(size.evidence.p_value!).toBeLessThan(0.001);
    expect(answer.prompts).toContain(size.text);
  });

  it("finds the lead-time stage that grew, the service where it grew, and asks about it", async () => {
    const store = newStore();
    const records: VitalsRecord[] = [];
    let pr = 0;
    const ship = (service: string, at: number, pickupHours: number): void => {
      pr++;
      const opened = at - (pickupHours + 3) * HOUR;
      records.push(
        deployment({
          service,
          at,
          changes: [commit(`s${pr}`, opened - 2 * HOUR, { number: pr, openedAtMs: opened, firstReviewAtMs: opened + pickupHours * HOUR, mergedAtMs: at - HOUR, size: 50 })],
        }),
      );
    };
    for (let i = 0; i < 6; i++) {
      ship("checkout", LAST_30D.fromMs - 20 * DAY + i * DAY, 2);
      ship("ledger", LAST_30D.fromMs - 20 * DAY + i * DAY, 2);
      ship("checkout", LAST_30D.fromMs + i * DAY, 8); // pickup 2 h → 8 h in checkout only
      ship("ledger", LAST_30D.fromMs + i * DAY, 2);
    }
    await store.write(records);
    const answer = await ask(store, "lead_time", { scope: { kind: "team", id: "payments" } });
    const stages = answer.drivers.filter((d) => d.kind === "stage");
    expect(stages[0]).toMatchObject({ label: "pickup", previous: 2, current: 5, contribution: 3, share: 100 });
    expect(answer.drivers.find((d) => d.kind === "service")!.label).toBe("checkout");
    // every PR is 50 lines: the one size bucket explains the whole change
    expect(answer.drivers.filter((d) => d.kind === "size_bucket")).toMatchObject([{ label: "S (10–99 lines)", share: 100 }]);
    expect(answer.prompts[0]).toBe("Pickup time grew 4× in checkout (2 h → 8 h there): are reviews waiting on one person?");
  });
});
