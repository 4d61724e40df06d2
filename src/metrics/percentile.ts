// One percentile function for every metric (docs/metrics.md: linear interpolation, so the median of an
// even count is the mean of the two middle values and p90 is x[i] + f·(x[i+1] − x[i]) with
// i + f = 0.9·(n − 1)).

/** Percentile q (0..1) of values sorted ascending; null when there are none. */
export function percentile(sorted: ArrayLike<number>, q: number): number | null {
  return percentileOf(sorted.length, (k) => sorted[k]!, q);
}

export const median = (sorted: readonly number[]): number | null => percentile(sorted, 0.5);

export function mean(values: ArrayLike<number>): number | null {
  if (values.length === 0) return null;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum / values.length;
}

/** Sort ascending in place (through a typed array: several times faster than a comparator sort). */
export function sortNumbers(values: number[]): number[] {
  if (values.length < 64) return values.sort((a, b) => a - b);
  const sorted = Float64Array.from(values).sort();
  for (let i = 0; i < sorted.length; i++) values[i] = sorted[i]!;
  return values;
}

function percentileOf(n: number, kth: (k: number) => number, q: number): number | null {
  if (n === 0) return null;
  const position = q * (n - 1);
  const i = Math.floor(position);
  const f = position - i;
  const low = kth(i);
  return f === 0 || i + 1 >= n ? low : low + f * (kth(i + 1) - low);
}

/** Number of values ≤ x in a sorted array. */
function countAtMost(sorted: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Percentile of (pool − removed + added) without building it: the "what if only this segment had
 * changed" counterfactual of the drivers, for every segment of a large pool in O(log² n) each.
 * `removed` must be a sub-multiset of `pool`; all three sorted ascending.
 */
export function percentileReplacing(
  pool: ArrayLike<number>,
  removed: ArrayLike<number>,
  added: ArrayLike<number>,
  q: number,
): number | null {
  const n = pool.length - removed.length + added.length;
  const rank = (x: number): number => countAtMost(pool, x) - countAtMost(removed, x) + countAtMost(added, x);
  // The k-th smallest (0-based) is the least candidate value whose rank exceeds k.
  const kth = (k: number): number => {
    let best = Infinity;
    for (const source of [pool, added]) {
      let lo = 0;
      let hi = source.length - 1;
      let found = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (rank(source[mid]!) > k) {
          found = mid;
          hi = mid - 1;
        } else lo = mid + 1;
      }
      if (found >= 0) best = Math.min(best, source[found]!);
    }
    return best;
  };
  return percentileOf(n, kth, q);
}

/**
 * Several percentiles of unsorted values without sorting them all: quickselect on a copy, O(n)
 * per order statistic (the weekly series of a large org).
 */
export function percentilesOf(values: readonly number[], qs: readonly number[]): Array<number | null> {
  return selectPercentiles(Float64Array.from(values), qs);
}

/**
 * percentilesOf on values the caller owns (reordered in place). `scale` maps each order statistic
 * before interpolation; being monotone it commutes with ordering, so scaling only the two values
 * used gives the same result as scaling every value first (e.g. ms → hours).
 */
export function selectPercentiles(a: Float64Array, qs: readonly number[], scale: (value: number) => number = (v) => v): Array<number | null> {
  const n = a.length;
  if (n === 0) return qs.map(() => null);
  const kth = (k: number): number => {
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const pivot = a[(lo + hi) >> 1]!;
      let i = lo;
      let j = hi;
      while (i <= j) {
        while (a[i]! < pivot) i++;
        while (a[j]! > pivot) j--;
        if (i <= j) {
          const t = a[i]!;
          a[i] = a[j]!;
          a[j] = t;
          i++;
          j--;
        }
      }
      if (k <= j) hi = j;
      else if (k >= i) lo = i;
      else return a[k]!;
    }
    return a[k]!;
  };
  return qs.map((q) => percentileOf(n, (k) => scale(kth(k)), q));
}

/**
 * Percentile of the union of several sorted lists without merging them: the k-th smallest is the
 * least value (of any list) whose rank in the union exceeds k. For the attribution of a median
 * to groups (2^groups coalitions, each a different union).
 */
export function percentileOfLists(lists: ReadonlyArray<ArrayLike<number>>, q: number): number | null {
  let n = 0;
  for (const list of lists) n += list.length;
  const rank = (x: number): number => {
    let r = 0;
    for (const list of lists) r += countAtMost(list, x);
    return r;
  };
  const kth = (k: number): number => {
    let best = Infinity;
    for (const source of lists) {
      let lo = 0;
      let hi = source.length - 1;
      let found = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (source[mid]! >= best) {
          hi = mid - 1;
          continue;
        }
        if (rank(source[mid]!) > k) {
          found = mid;
          hi = mid - 1;
        } else lo = mid + 1;
      }
      if (found >= 0) best = Math.min(best, source[found]!);
    }
    return best;
  };
  return percentileOf(n, kth, q);
}
