import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mean, median, percentile, percentileReplacing, percentilesOf } from "../../src/metrics/percentile.js";

describe("percentiles (linear interpolation, METRICS.md)", () => {
  it("takes the mean of the two middle values for an even count", () => {
    expect(median([1, 2, 3, 4])).toBe(2.5);
    expect(median([5, 7])).toBe(6);
  });

  it("interpolates p90 at 0.9·(n−1)", () => {
    // i + f = 0.9 × 3 = 2.7 → 3 + 0.7 × (4 − 3)
    expect(percentile([1, 2, 3, 4], 0.9)).toBeCloseTo(3.7, 10);
    expect(percentile([10], 0.9)).toBe(10);
  });

  it("is null with no values, never 0", () => {
    expect(median([])).toBeNull();
    expect(mean([])).toBeNull();
  });

  it("computes the percentile of pool − removed + added without building it", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 0, maxLength: 30 }),
        fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 10 }),
        fc.nat(),
        fc.constantFrom(0.5, 0.9, 0.1),
        (pool, added, cut, q) => {
          const sorted = [...pool].sort((a, b) => a - b);
          const removed = sorted.filter((_, i) => i % 3 === cut % 3);
          const expected = [...sorted.filter((_, i) => i % 3 !== cut % 3), ...added].sort((a, b) => a - b);
          const got = percentileReplacing(sorted, removed, [...added].sort((a, b) => a - b), q);
          const want = percentile(expected, q);
          if (want === null) expect(got).toBeNull();
          else expect(got).toBeCloseTo(want, 9);
        },
      ),
    );
  });
});

describe("percentilesOf (selection, no full sort)", () => {
  it("agrees with the sorted definition", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { maxLength: 200 }), (values) => {
        const sorted = [...values].sort((a, b) => a - b);
        const [p50, p90] = percentilesOf(values, [0.5, 0.9]);
        if (values.length === 0) {
          expect(p50).toBeNull();
          return;
        }
        expect(p50).toBeCloseTo(percentile(sorted, 0.5)!, 6);
        expect(p90).toBeCloseTo(percentile(sorted, 0.9)!, 6);
      }),
    );
  });
});
