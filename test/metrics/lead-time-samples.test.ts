import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildFrame } from "../../src/metrics/frame.js";
import { leadTime } from "../../src/metrics/lead-time/compute.js";
import { parseIntegers } from "../../src/store/packed-list.js";
import { percentile, selectPercentiles } from "../../src/metrics/percentile.js";

// The fast paths of the lead-time computation (hand parsing of packed lists, selection instead of
// sorting, one keyed sort per window) must give exactly what the plain versions give.

describe("packed integer lists", () => {
  it("reads each item exactly as Number() does", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -(2 ** 50), max: 2 ** 50 }), { minLength: 1, maxLength: 50 }), (values) => {
        expect([...parseIntegers(values.join(","))]).toEqual(values.map((v) => Number(String(v))));
      }),
    );
  });

  it("falls back to the general parser for reals and very long integers", () => {
    expect([...parseIntegers("1.5,-2,3e2")]).toEqual([1.5, -2, 300]);
    expect([...parseIntegers("12345678901234567,4")]).toEqual([Number("12345678901234567"), 4]);
  });
});

describe("percentiles by selection with a scale", () => {
  it("equals scaling every value, sorting and interpolating", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1e9, max: 1e9 }), { minLength: 1, maxLength: 60 }), fc.constantFrom(0.5, 0.9), (values, q) => {
        const scaled = values.map((v) => v / 3_600_000).sort((a, b) => a - b);
        expect(selectPercentiles(Float64Array.from(values), [q], (v) => v / 3_600_000)[0]).toBe(percentile(scaled, q));
      }),
    );
  });
});

describe("lead-time samples beyond the keyed sort's exact range", () => {
  it("still sorts them by lead time (comparator fallback)", () => {
    const nowMs = Date.parse("2026-03-20T12:00:00Z");
    const frame = buildFrame({ fromMs: nowMs - 30 * 86_400_000, toMs: nowMs }, "UTC");
    const slice = frame.current.first;
    // 1000 services (a wide key stride); service i shipped one change after i + 1 hours, the last
    // one after ~63 000 years, which pushes seconds × stride past 2^53.
    const samples = Array.from({ length: 1000 }, (_, i) => {
      const seconds = i === 999 ? 2e12 : (i + 1) * 3600;
      return { service: `svc-${String(i).padStart(4, "0")}`, services: null, slice, leadSeconds: Float64Array.of(seconds), bucket: Uint8Array.of(1), excluded: 0 };
    });
    const stages = { coding: null, pickup: null, review: null, deploy: null };
    const outcome = leadTime({ samples, stages, stageSums: { previous: [], current: [] }, stageSumsByService: null }, frame);
    expect(outcome.current.stats).toMatchObject({ count: 1000, median: 500.5 });
    expect(outcome.current.stats["p90"]).toBeCloseTo(900.1, 9);
    // The median's interval is read off the sorted samples: whole hours either side of 500.5.
    const interval = outcome.interval!;
    expect(interval.low).toBeLessThan(500.5);
    expect(interval.high).toBeGreaterThan(500.5);
    expect(Number.isInteger(interval.low) && Number.isInteger(interval.high)).toBe(true);
  });
});
