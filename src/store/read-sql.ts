import { all, type Sql } from "./sql/query.js";
import type { Dialect } from "./sql/dialect.js";
import { averagedValue, summedValue } from "./exact-sum.js";

// The SQL building blocks the metric reads share (operations, src/store/sql/query.ts, for both
// engines): statement texts built once per shape, the slice of a time column within an answer's
// frame (src/metrics/frame.ts), the scope filter as a service list, and the index hints. A slice is
// the span between two cut points of the frame: one read covers the window, the previous window and
// the 12-week series.

/** Services of the scope, or null for the whole organisation (which includes unmapped incidents). */
export type ScopeServices = readonly string[] | null;

/** Rows per (service, slice) in that order: services by code unit (SQLite's BINARY order for the ids), slices ascending. */
export const byServiceThenSlice = (x: { service: string; slice: number }, y: { service: string; slice: number }): number =>
  x.service < y.service ? -1 : x.service > y.service ? 1 : x.slice - y.slice;

/** Rows whose `columns` are Dialect.summed, with those columns as numbers (in place). */
export function summedColumns<Row>(rows: Row[], columns: ReadonlyArray<keyof Row & string>): Row[] {
  for (const row of rows) {
    const cells = row as Record<string, unknown>;
    for (const name of columns) cells[name] = summedValue(cells[name]);
  }
  return rows;
}

/** Rows whose `columns` are Dialect.averaged, with those columns as numbers (in place). */
export function averagedColumns<Row>(rows: Row[], columns: ReadonlyArray<keyof Row & string>): Row[] {
  for (const row of rows) {
    const cells = row as Record<string, unknown>;
    for (const name of columns) cells[name] = averagedValue(cells[name]);
  }
  return rows;
}

export function readKit(d: Dialect) {
  // Texts whose shape varies with the cut count or the scope, built on first use per shape (the
  // runners prepare a statement once per text).
  const texts = new Map<string, string>();
  const text = (key: string, build: () => string): string => {
    let built = texts.get(key);
    if (built === undefined) texts.set(key, (built = build()));
    return built;
  };

  /**
   * Slice index of a time column among cuts[0..n-1] (rows are already within [cuts[0], cuts[n-1])),
   * as a binary search of nested CASEs: log2(n) comparisons per row instead of n. Its `?`
   * placeholders take the inner cuts in the order `innerCuts` gives.
   */
  const sliceOf = (column: string, cutCount: number): string => {
    const build = (lo: number, hi: number): string => {
      // slices lo..hi-1; the cut between slice i-1 and i is cuts[i]
      if (hi - lo <= 1) return String(lo);
      const mid = (lo + hi) >> 1;
      return `(CASE WHEN ${column} < ? THEN ${build(lo, mid)} ELSE ${build(mid, hi)} END)`;
    };
    return build(0, cutCount - 1);
  };
  const innerCuts = (cuts: readonly number[]): number[] => {
    const order: number[] = [];
    const walk = (lo: number, hi: number): void => {
      if (hi - lo <= 1) return;
      const mid = (lo + hi) >> 1;
      order.push(cuts[mid]!);
      walk(lo, mid);
      walk(mid, hi);
    };
    walk(0, cuts.length - 1);
    return order;
  };
  const scopeSql = (column: string, services: ScopeServices, param = "?"): string =>
    services === null ? "" : ` AND ${d.inList(column, d.textList(param))}`;
  const scopeArgs = (services: ScopeServices): string[] => (services === null ? [] : [JSON.stringify(services)]);
  // After ANALYZE the planner may prefer a narrower index of 001 with a skip-scan and then read
  // every table row; the covering indexes of migration 002 are pinned explicitly.
  const changesIndex = (services: ScopeServices): string => d.indexedBy(services === null ? "changes_metrics_time" : "changes_metrics_service");
  // Every service id of the data is in `services` (a foreign key for deployments and changes; the
  // store's write path registers the services of samples).
  const serviceList = (services: ScopeServices, param = "?"): string => (services === null ? "SELECT id FROM services" : d.textList(param));
  // Changes grouped by service, even org-wide: one range scan of the per-service index per service
  // (every change's service is in `services`, a foreign key) delivers the groups in order, where
  // the time index needs a temporary B-tree to group ~100k rows (about 40 % slower).
  const changesByService = (window: string, services: ScopeServices, param = "?"): string =>
    `${d.indexedBy("changes_metrics_service")} WHERE ${window} AND ${d.inList("service_id", serviceList(services, param))}`;
  const deploymentsIndex = (services: ScopeServices): string => d.indexedBy(services === null ? "deployments_metrics_time" : "deployments_metrics_service");
  const key = (name: string, cuts: readonly number[], services: ScopeServices): string => `${name}:${cuts.length}:${services === null ? "org" : "scoped"}`;

  /**
   * Rows per (service, slice) from one statement per slice that groups by service alone, over an
   * index leading with the service (all services, or the scope's, as the IN list): the groups
   * arrive in index order. Grouping by (service, slice) in one statement needs a temporary B-tree
   * over every row of the range. The statement takes (slice, ...leading, from, to, ...scope);
   * rows come back ordered by service, then slice.
   */
  function* sliceBySlice<Row extends { service: string; slice: number }>(statement: string, cuts: readonly number[], leading: readonly unknown[], services: ScopeServices): Sql<Row[]> {
    const rows: Row[] = [];
    for (let slice = 0; slice + 1 < cuts.length; slice++) {
      for (const row of yield* all<Row>(statement, [slice, ...leading, cuts[slice], cuts[slice + 1], ...scopeArgs(services)])) rows.push(row);
    }
    return rows.sort(byServiceThenSlice);
  }

  return { d, text, sliceOf, innerCuts, scopeSql, scopeArgs, changesIndex, changesByService, deploymentsIndex, key, sliceBySlice, serviceList };
}

export type ReadKit = ReturnType<typeof readKit>;

