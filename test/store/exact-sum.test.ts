import { describe, expect, it } from "vitest";
import { openDatabase } from "../../src/store/db.js";
import { averagedValue, exactSum, summedValue } from "../../src/store/exact-sum.js";

// PostgreSQL's totals are added here (src/store/exact-sum.ts): they must be SQLite's total() and
// avg(), bit for bit, whatever the values and their order.

const db = openDatabase(":memory:");
const sqliteSums = db.prepare<[string], { total: number; mean: number | null }>("SELECT total(value) AS total, avg(value) AS mean FROM json_each(?)");

/** A deterministic generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("exactSum", () => {
  it("rounds once, where adding one by one rounds at every step", () => {
    expect(0.1 + 0.2 + 0.3).toBe(0.6000000000000001);
    expect(exactSum([0.1, 0.2, 0.3])).toBe(0.6);
    expect(exactSum([1e16, 1, -1e16])).toBe(1);
    expect(exactSum([])).toBe(0);
  });

  it("equals SQLite's total() and avg() on cents, percentages, large and mixed-sign values", () => {
    const next = random(19);
    const kinds: Array<() => number> = [
      () => Math.round(next() * 100_000) / 100, // costs in cents
      () => Math.round(next() * 1e6) / 1e4, // percentages with 4 decimals
      () => next() * 1e9, // latency × requests
      () => (next() - 0.5) * 10 ** Math.floor(next() * 12), // mixed sign and magnitude
    ];
    for (let round = 0; round < 400; round++) {
      const kind = kinds[round % kinds.length]!;
      const values = Array.from({ length: 1 + Math.floor(next() * 60) }, kind);
      const expected = sqliteSums.get(JSON.stringify(values))!;
      expect(exactSum(values), JSON.stringify(values)).toBe(expected.total);
      expect(exactSum([...values].reverse())).toBe(expected.total);
      expect(averagedValue(values.map(String).join(","))).toBe(expected.mean);
    }
  });
});

describe("summedValue and averagedValue", () => {
  it("take SQLite's number as it is and add PostgreSQL's list", () => {
    expect(summedValue(2207.86)).toBe(2207.86);
    expect(summedValue(null)).toBe(0);
    expect(summedValue("315.41,1892.45")).toBe(315.41 + 1892.45);
    expect(summedValue("0.1,0.2,0.3")).toBe(0.6);
    expect(averagedValue(null)).toBeNull();
    expect(averagedValue(41.5)).toBe(41.5);
    expect(averagedValue("0.1,0.2,0.3")).toBe(0.19999999999999998);
  });
});
