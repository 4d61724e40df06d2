// The mean of floating-point values as SQLite's avg() computes it (3.43+: a Kahan-Babuska-Neumaier
// compensated sum, divided by the count). PostgreSQL's avg of double precision sums plainly, which
// can differ in the last bit from three values on; a read that averages in JavaScript with this, over
// rows in a fixed order, answers the same on both engines, and as SQLite's avg() did before.

/** SQLite's `avg()` of `values` (non-null reals, in the order SQLite would scan them); NaN when empty. */
export function sqliteMean(values: readonly number[]): number {
  let sum = 0;
  let error = 0;
  for (const value of values) {
    const next = sum + value;
    error += Math.abs(sum) > Math.abs(value) ? sum - next + value : value - next + sum;
    sum = next;
  }
  // SQLite leaves the compensation out once it overflows (sqlite3IsOverflow).
  return (Number.isFinite(error) ? sum + error : sum) / values.length;
}
