import type { TrendTest } from "../domain/answer.js";
import jstatModule from "jstat";

// Signal versus noise (docs/metrics.md "Significance"): the standard two-sided test per kind of number
// at α = 0.05, intervals for the headline, and the Holm correction the digest applies. The
// distributions come from jStat; the statistics themselves (ranks, counts) are computed here.

const { jStat } = jstatModule;

export const ALPHA = 0.05;
const INTERVAL_LEVEL = 0.95;

export interface ChangeTest {
  /** Whether the test rejects "same distribution in both windows" at α; null when no test applies. */
  significant: boolean | null;
  p_value: number | null;
  /** The test's name (null when none applies). */
  test: string | null;
}

export interface Interval {
  low: number;
  high: number;
  level: number;
}

export const NO_TEST: ChangeTest = { significant: null, p_value: null, test: null };

function tested(test: string, p: number): ChangeTest {
  const p_value = Math.min(1, Math.max(0, p));
  return { significant: p_value < ALPHA, p_value, test };
}

/** Two-sided exact binomial p-value: the probability of outcomes no likelier than k. */
export function binomialTwoSided(k: number, n: number, p: number): number {
  if (n === 0) return 1;
  const observed = jStat.binomial.pdf(k, n, p);
  let total = 0;
  for (let i = 0; i <= n; i++) {
    const pi = jStat.binomial.pdf(i, n, p);
    if (pi <= observed * (1 + 1e-7)) total += pi;
  }
  return Math.min(1, total);
}

/** One-sided P(X ≥ k) for X ~ Binomial(n, p): is k over-represented against its base rate p? */
export function binomialAtLeast(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  return Math.max(0, 1 - jStat.binomial.cdf(k - 1, n, p));
}

/**
 * Poisson rate test for two counts over exposures t0, t1 (deployments over days): conditional on
 * the total, c1 ~ Binomial(c0 + c1, t1 / (t0 + t1)) under equal rates.
 */
export function poissonRateTest(c0: number, t0: number, c1: number, t1: number): ChangeTest {
  if (c0 + c1 === 0) return NO_TEST;
  return tested("poisson_rate (conditional binomial)", binomialTwoSided(c1, c0 + c1, t1 / (t0 + t1)));
}

/** Fisher's exact test on x0 of n0 vs x1 of n1 (small samples); a two-proportion z test beyond. */
export function proportionTest(x0: number, n0: number, x1: number, n1: number): ChangeTest {
  if (n0 === 0 || n1 === 0) return NO_TEST;
  if (n0 + n1 <= 2000 && Number.isInteger(x0) && Number.isInteger(x1)) {
    const total = n0 + n1;
    const successes = x0 + x1;
    const observed = jStat.hypgeom.pdf(x1, total, successes, n1);
    let p = 0;
    for (let k = Math.max(0, successes - n0); k <= Math.min(successes, n1); k++) {
      const pk = jStat.hypgeom.pdf(k, total, successes, n1);
      if (pk <= observed * (1 + 1e-7)) p += pk;
    }
    return tested("fisher_exact", p);
  }
  const pooled = (x0 + x1) / (n0 + n1);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n0 + 1 / n1));
  if (se === 0) return tested("two_proportion_z", 1);
  const z = (x1 / n1 - x0 / n0) / se;
  return tested("two_proportion_z", 2 * (1 - jStat.normal.cdf(Math.abs(z), 0, 1)));
}

/**
 * Two-proportion z test with the variance inflated by the overdispersion of the groups (quasi-
 * binomial): requests are not independent trials, and between services and samples error rates
 * vary far more than binomially, so a plain z test on millions of requests calls every wobble
 * significant. The dispersion is Pearson's χ² of the groups against their window's rate ÷ df (≥ 1).
 */
export function overdispersedProportionTest(previous: ReadonlyArray<{ num: number; den: number }>, current: ReadonlyArray<{ num: number; den: number }>): ChangeTest {
  const pooled = (cells: ReadonlyArray<{ num: number; den: number }>) => cells.reduce((a, c) => ({ num: a.num + c.num, den: a.den + c.den }), { num: 0, den: 0 });
  const p0 = pooled(previous);
  const p1 = pooled(current);
  if (p0.den === 0 || p1.den === 0) return NO_TEST;
  let chi = 0;
  let groups = 0;
  for (const [cells, total] of [[previous, p0], [current, p1]] as const) {
    const rate = total.num / total.den;
    for (const c of cells) {
      if (c.den <= 0) continue;
      groups++;
      const variance = c.den * rate * (1 - rate);
      if (variance > 0) chi += (c.num - c.den * rate) ** 2 / variance;
    }
  }
  const df = groups - 2;
  const phi = df > 0 ? Math.max(1, chi / df) : 1;
  const pooledRate = (p0.num + p1.num) / (p0.den + p1.den);
  const se = Math.sqrt(phi * pooledRate * (1 - pooledRate) * (1 / p0.den + 1 / p1.den));
  if (se === 0) return tested("quasi_binomial_z", 1);
  const z = (p1.num / p1.den - p0.num / p0.den) / se;
  return tested("quasi_binomial_z", 2 * (1 - jStat.normal.cdf(Math.abs(z), 0, 1)));
}

/** Mann–Whitney U (normal approximation with tie and continuity correction), two-sided. */
export function mannWhitney(x: ArrayLike<number>, y: ArrayLike<number>): ChangeTest {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) return NO_TEST;
  // Both sorted natively, then ranked in one merge walk (a large org's lead times: 10^5 samples each).
  const a = Float64Array.from(x).sort();
  const b = Float64Array.from(y).sort();
  let i = 0;
  let j = 0;
  let rank = 0;
  let rankSumX = 0;
  let tieTerm = 0;
  while (i < n1 || j < n2) {
    const value = j >= n2 || (i < n1 && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    let inX = 0;
    let inY = 0;
    while (i < n1 && a[i] === value) {
      i++;
      inX++;
    }
    while (j < n2 && b[j] === value) {
      j++;
      inY++;
    }
    const ties = inX + inY;
    // Tied values share the mean of the ranks they span.
    rankSumX += inX * (rank + (ties + 1) / 2);
    rank += ties;
    tieTerm += ties ** 3 - ties;
  }
  const u = rankSumX - (n1 * (n1 + 1)) / 2;
  const mu = (n1 * n2) / 2;
  const n = n1 + n2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (variance <= 0) return tested("mann_whitney_u", 1);
  const z = Math.max(0, Math.abs(u - mu) - 0.5) / Math.sqrt(variance);
  return tested("mann_whitney_u", 2 * (1 - jStat.normal.cdf(z, 0, 1)));
}

/** Welch's t test on log durations (durations are skewed: the log makes them near-normal). */
export function welchLog(x: ArrayLike<number>, y: ArrayLike<number>): ChangeTest {
  const floor = 1 / 60;
  const logs = (v: ArrayLike<number>) => Array.from(v, (h) => Math.log(Math.max(h, floor)));
  return welch(summaryOf(logs(x)), summaryOf(logs(y)), "welch_t_log");
}

export interface MomentSummary {
  n: number;
  mean: number;
  variance: number;
}

export function summaryOf(values: ArrayLike<number>): MomentSummary {
  const n = values.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i]!;
  const mean = n > 0 ? sum / n : 0;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (values[i]! - mean) ** 2;
  return { n, mean, variance: n > 1 ? squares / (n - 1) : 0 };
}

/** From n, Σx and Σx² (what SQL can aggregate). */
export function summaryFromSums(n: number, sum: number, sumSquares: number): MomentSummary {
  const mean = n > 0 ? sum / n : 0;
  return { n, mean, variance: n > 1 ? Math.max(0, (sumSquares - n * mean * mean) / (n - 1)) : 0 };
}

/** Welch's unequal-variance t test, two-sided. */
export function welch(a: MomentSummary, b: MomentSummary, name = "welch_t"): ChangeTest {
  if (a.n < 2 || b.n < 2) return NO_TEST;
  const va = a.variance / a.n;
  const vb = b.variance / b.n;
  const se = Math.sqrt(va + vb);
  if (se === 0) return tested(name, a.mean === b.mean ? 1 : 0);
  const t = (b.mean - a.mean) / se;
  const df = (va + vb) ** 2 / (va ** 2 / (a.n - 1) + vb ** 2 / (b.n - 1));
  return tested(name, 2 * (1 - jStat.studentt.cdf(Math.abs(t), df)));
}

/**
 * Welch's test stratified by group (services): the change is the sample-weighted mean of each
 * group's own change, its variance from the within-group variances, so that services with very
 * different levels (a 70 ms service beside a 320 ms one) do not drown a real shift in one of them.
 */
export function stratifiedWelch(groups: ReadonlyArray<{ before: MomentSummary; after: MomentSummary }>, name = "stratified_welch_t"): ChangeTest {
  const usable = groups.filter((g) => g.before.n >= 2 && g.after.n >= 2);
  const total = usable.reduce((sum, g) => sum + g.before.n + g.after.n, 0);
  if (usable.length === 0 || total === 0) return NO_TEST;
  let delta = 0;
  let variance = 0;
  let dfDenominator = 0;
  for (const { before, after } of usable) {
    const w = (before.n + after.n) / total;
    const va = before.variance / before.n;
    const vb = after.variance / after.n;
    delta += w * (after.mean - before.mean);
    variance += w * w * (va + vb);
    dfDenominator += (w * w * va) ** 2 / (before.n - 1) + (w * w * vb) ** 2 / (after.n - 1);
  }
  if (variance === 0) return tested(name, delta === 0 ? 1 : 0);
  const df = dfDenominator > 0 ? variance ** 2 / dfDenominator : total - 2;
  return tested(name, 2 * (1 - jStat.studentt.cdf(Math.abs(delta) / Math.sqrt(variance), df)));
}

/** Wilson score interval of a proportion x/n, scaled by `factor` (100 for percent). */
export function wilsonInterval(x: number, n: number, factor = 100): Interval | null {
  if (n <= 0) return null;
  const z = jStat.normal.inv(1 - (1 - INTERVAL_LEVEL) / 2, 0, 1);
  const p = x / n;
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = (z / (1 + (z * z) / n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return { low: Math.max(0, centre - half) * factor, high: Math.min(1, centre + half) * factor, level: INTERVAL_LEVEL };
}

/** Exact (Garwood) interval of a Poisson count, divided by the exposure (per day). */
export function poissonInterval(count: number, exposure: number): Interval | null {
  if (exposure <= 0) return null;
  const a = 1 - INTERVAL_LEVEL;
  const low = count === 0 ? 0 : jStat.chisquare.inv(a / 2, 2 * count) / 2;
  const high = jStat.chisquare.inv(1 - a / 2, 2 * count + 2) / 2;
  return { low: low / exposure, high: high / exposure, level: INTERVAL_LEVEL };
}

/** Distribution-free interval of the median from order statistics (sorted ascending). */
export function medianInterval(sorted: ArrayLike<number>): Interval | null {
  const n = sorted.length;
  if (n === 0) return null;
  // The largest j with P(Binomial(n, ½) < j) ≤ α/2: [x(j), x(n−j+1)] (1-based) covers the median.
  const a = (1 - INTERVAL_LEVEL) / 2;
  let j = 0;
  if (n > 1000) {
    // Large n: the normal approximation of Binomial(n, ½) (an exact walk would be O(n) pmfs).
    j = Math.max(0, Math.floor(n / 2 - jStat.normal.inv(1 - a, 0, 1) * Math.sqrt(n) / 2));
  } else {
    // The cumulative sum walked once (jStat's cdf sums from 0 on every call).
    let cumulative = jStat.binomial.pdf(0, n, 0.5);
    while (j + 1 <= n && cumulative <= a) {
      j++;
      cumulative += jStat.binomial.pdf(j, n, 0.5);
    }
  }
  if (n > 1000) return { low: sorted[Math.max(0, j - 1)]!, high: sorted[Math.min(n - 1, n - j)]!, level: INTERVAL_LEVEL };
  const lowIndex = Math.max(0, j - 1);
  const highIndex = Math.min(n - 1, n - j);
  if (j === 0) return { low: sorted[0]!, high: sorted[n - 1]!, level: 1 - 2 * 0.5 ** n };
  return { low: sorted[lowIndex]!, high: sorted[highIndex]!, level: 1 - 2 * jStat.binomial.cdf(j - 1, n, 0.5) };
}

/** t interval of a mean. */
export function meanInterval(s: MomentSummary): Interval | null {
  if (s.n < 2) return null;
  const t = jStat.studentt.inv(1 - (1 - INTERVAL_LEVEL) / 2, s.n - 1);
  const half = t * Math.sqrt(s.variance / s.n);
  return { low: s.mean - half, high: s.mean + half, level: INTERVAL_LEVEL };
}


/** Mann–Kendall trend test (normal approximation with tie correction) with a Theil–Sen slope. */
export function mannKendall(series: ReadonlyArray<number | null>): TrendTest {
  const points = series.map((v, i) => [i, v] as const).filter((p): p is readonly [number, number] => p[1] !== null && Number.isFinite(p[1]));
  const n = points.length;
  if (n < 4) return { test: "mann_kendall", n, p_value: null, significant: null, slope_per_week: null, direction: "none" };
  let s = 0;
  const slopes: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d = points[j]![1] - points[i]![1];
      s += Math.sign(d);
      slopes.push(d / (points[j]![0] - points[i]![0]));
    }
  }
  const counts = new Map<number, number>();
  for (const [, v] of points) counts.set(v, (counts.get(v) ?? 0) + 1);
  let ties = 0;
  for (const t of counts.values()) ties += t * (t - 1) * (2 * t + 5);
  const variance = (n * (n - 1) * (2 * n + 5) - ties) / 18;
  const z = variance > 0 ? (s === 0 ? 0 : (s - Math.sign(s)) / Math.sqrt(variance)) : 0;
  const p = 2 * (1 - jStat.normal.cdf(Math.abs(z), 0, 1));
  slopes.sort((a, b) => a - b);
  const mid = slopes.length / 2;
  const slope = slopes.length % 2 === 1 ? slopes[Math.floor(mid)]! : (slopes[mid - 1]! + slopes[mid]!) / 2;
  const significant = p < ALPHA;
  return { test: "mann_kendall", n, p_value: p, significant, slope_per_week: slope, direction: significant ? (s > 0 ? "up" : "down") : "none" };
}

/** Holm's step-down adjusted p-values (same order as given). */
export function holm(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0]);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach(([p, i], rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    adjusted[i] = running;
  });
  return adjusted;
}
