// Sums that PostgreSQL must answer exactly as SQLite does (issue 19). SQLite's sum() and total()
// add doubles with error compensation (Kahan–Babuška–Neumaier): in practice the exact sum, rounded
// once. PostgreSQL's sum of float8 rounds at every step, in its scan's order (2207.8599999999997
// where SQLite says 2207.86), and a numeric sum of the values' decimals is exact for the decimals,
// not for the doubles (2395.57 where SQLite says 2395.5699999999997). So on PostgreSQL a total
// comes as the list of its values (Dialect.summed), added here: exactly, rounded once.

/** The exact sum of `values`, correctly rounded (Shewchuk's partials, as Python's math.fsum). */
export function exactSum(values: readonly number[]): number {
  const partials: number[] = [];
  for (let x of values) {
    let i = 0;
    for (let j = 0; j < partials.length; j++) {
      let y = partials[j]!;
      if (Math.abs(x) < Math.abs(y)) [x, y] = [y, x];
      const hi = x + y;
      const lo = y - (hi - x);
      if (lo !== 0) partials[i++] = lo;
      x = hi;
    }
    partials.length = i;
    partials.push(x);
  }
  let n = partials.length;
  if (n === 0) return 0;
  let hi = partials[--n]!;
  let lo = 0;
  while (n > 0) {
    const x = hi;
    const y = partials[--n]!;
    hi = x + y;
    lo = y - (hi - x);
    if (lo !== 0) break;
  }
  // Half-way cases: the remaining partials decide which way the rounding goes.
  if (n > 0 && ((lo < 0 && partials[n - 1]! < 0) || (lo > 0 && partials[n - 1]! > 0))) {
    const y = lo * 2;
    const x = hi + y;
    if (y === x - hi) hi = x;
  }
  return hi;
}

/**
 * A column of Dialect.summed as a number: SQLite's total() already is one; PostgreSQL's is the
 * comma-separated values (each the shortest text that reads back as the same double), or NULL
 * over no values.
 */
export function summedValue(column: unknown): number {
  if (typeof column === "number") return column;
  if (column === null || column === undefined) return 0;
  return exactSum(String(column).split(",").map(Number));
}

/** A column of Dialect.averaged as a number (SQLite's avg(): the sum as above over the count), or null over no values. */
export function averagedValue(column: unknown): number | null {
  if (typeof column === "number" || column === null || column === undefined) return (column as number | null | undefined) ?? null;
  const values = String(column).split(",").map(Number);
  return exactSum(values) / values.length;
}
