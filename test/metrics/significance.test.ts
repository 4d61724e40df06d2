import { describe, expect, it } from "vitest";
import { binomialTwoSided, holm, mannKendall, mannWhitney, medianInterval, poissonRateTest, proportionTest, welch, wilsonInterval } from "../../src/metrics/significance.js";

// The tests behind `change.significant` against values published for textbook examples (R's
// wilcox.test, fisher.test, binom.test, p.adjust) and hand-checked statistics.

describe("significance tests", () => {
  it("Mann–Whitney U: R's wilcox.test(exact = FALSE, correct = TRUE) on a textbook example", () => {
    // x = c(1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30), y = c(0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29)
    const x = [1.83, 0.5, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.3];
    const y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29];
    // W = 58, normal approximation with ties and continuity correction: p ≈ 0.1329.
    expect(mannWhitney(y, x).p_value!).toBeCloseTo(0.1329, 3);
    expect(mannWhitney(x, y).p_value!).toBeCloseTo(0.1329, 3);
    // Ties across the two samples are ranked together.
    expect(mannWhitney([1, 1, 1, 1], [1, 1, 1, 1]).p_value).toBe(1);
    expect(mannWhitney(Array.from({ length: 30 }, (_, i) => i), Array.from({ length: 30 }, (_, i) => i + 30)).significant).toBe(true);
  });

  it("Fisher's exact test: R's fisher.test(matrix(c(3, 1, 1, 3), 2)) (tea tasting) p = 0.4857", () => {
    expect(proportionTest(1, 4, 3, 4)).toMatchObject({ test: "fisher_exact", significant: false });
    expect(proportionTest(1, 4, 3, 4).p_value!).toBeCloseTo(0.4857, 4);
  });

  it("binomial and Poisson rate tests: binom.test(7, 10) p = 0.3438; 10 vs 30 deployments in equal windows", () => {
    expect(binomialTwoSided(7, 10, 0.5)).toBeCloseTo(0.34375, 6);
    const rate = poissonRateTest(10, 30, 30, 30);
    expect(rate.test).toContain("poisson_rate");
    expect(rate.p_value!).toBeCloseTo(binomialTwoSided(30, 40, 0.5), 12);
    expect(rate.significant).toBe(true);
  });

  it("Welch's t test: equal samples are not different, shifted ones are", () => {
    expect(welch({ n: 10, mean: 5, variance: 1 }, { n: 10, mean: 5, variance: 1 }).p_value).toBe(1);
    // t = 2 / sqrt(0.1 + 0.1) = 4.47 on 18 df: p ≈ 0.0003.
    expect(welch({ n: 10, mean: 5, variance: 1 }, { n: 10, mean: 7, variance: 1 }).p_value!).toBeCloseTo(0.000298, 5);
  });

  it("Mann–Kendall with Theil–Sen: a steady rise is a trend, a flat series is not", () => {
    const rising = mannKendall([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(rising).toMatchObject({ significant: true, direction: "up", slope_per_week: 1, n: 12 });
    expect(mannKendall([5, 5, 5, 5, 5, 5]).significant).toBe(false);
    expect(mannKendall([1, null, 2]).p_value).toBeNull();
  });

  it("Holm: R's p.adjust(c(0.01, 0.04, 0.03), 'holm') = 0.03, 0.06, 0.06", () => {
    const adjusted = holm([0.01, 0.04, 0.03]);
    expect(adjusted[0]).toBeCloseTo(0.03, 12);
    expect(adjusted[1]).toBeCloseTo(0.06, 12);
    expect(adjusted[2]).toBeCloseTo(0.06, 12);
  });

  it("intervals: Wilson for 6 of 48, order statistics for a median", () => {
    const wilson = wilsonInterval(6, 48)!;
    expect(wilson.low).toBeCloseTo(5.86, 1);
    expect(wilson.high).toBeCloseTo(24.7, 1);
    const median = medianInterval(Array.from({ length: 20 }, (_, i) => i + 1))!;
    // n = 20: x(6) .. x(15) covers the median with 95.9 %.
    expect([median.low, median.high]).toEqual([6, 15]);
    expect(median.level).toBeCloseTo(0.9586, 3);
  });
});
