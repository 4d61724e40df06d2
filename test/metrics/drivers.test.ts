import { describe, expect, it } from "vitest";
import type { VitalsRecord } from "../../src/domain/records.js";
import { decomposeRatio, othersLabel, whole } from "../../src/metrics/decompose.js";
import { ask, commit, DAY, deployment, HOUR, LAST_30D, newStore } from "./factories.js";

describe("drivers", () => {
  it("splits a ratio's change into rate and mix effects that add up to each contribution", () => {
    const previous = new Map([["a", { num: 1, den: 10 }], ["b", { num: 1, den: 10 }]]);
    const current = new Map([["a", { num: 4, den: 20 }], ["b", { num: 1, den: 10 }]]);
    const [a, b] = decomposeRatio(previous, current, { kind: "service", factor: 100, unit: "pp", mixAndRate: true });
    // (1 + 4) / (10 + 20) = 16.67 % vs 10 %. a: weight ½ → ⅔, rate 10 → 20 %: rate effect
    // mean weight × Δrate = 7/12 × 10; mix (its mean rate 15 − the pool's mean 13.33) × ⅙.
    expect(a!.label).toBe("a");
    expect(a!.contribution).toBeCloseTo((7 / 12) * 10 + (15 - 40 / 3) / 6, 9);
    expect(a!.detail).toBe("rate +5.83 pp, mix +0.28 pp");
    // b did not change its rate, but lost weight while below the pool's rate: that raised the pool.
    expect(b!.contribution).toBeCloseTo((10 - 40 / 3) * (1 / 3 - 1 / 2), 9);
    expect(a!.contribution! + b!.contribution!).toBeCloseTo(100 / 6 - 10, 12);
    const drivers = whole([a!, b!], 100 / 6 - 10, { restLabel: othersLabel("service") });
    expect(drivers.map((d) => d.label)).toEqual(["a", "b"]);
    expect(drivers.reduce((sum, d) => sum + d.share!, 0)).toBeCloseTo(100, 9);
  });

  it("finds the lead-time stage that grew, the service where it grew, and asks about it", () => {
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
    store.write(records);
    const answer = ask(store, "lead_time", { scope: { kind: "team", id: "payments" } });
    const stages = answer.drivers.filter((d) => d.kind === "stage");
    expect(stages[0]).toMatchObject({ label: "pickup", previous: 2, current: 5, contribution: 3, share: 100 });
    expect(answer.drivers.find((d) => d.kind === "service")!.label).toBe("checkout");
    // every PR is 50 lines: the one size bucket explains the whole change
    expect(answer.drivers.filter((d) => d.kind === "size_bucket")).toMatchObject([{ label: "S (10–99 lines)", share: 100 }]);
    expect(answer.prompts[0]).toBe("Pickup time grew 4× in checkout (2.0 h → 8.0 h there): are reviews waiting on one person?");
  });
});
