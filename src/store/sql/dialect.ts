// The SQL that differs between SQLite and PostgreSQL, as fragments the store's statements are built
// from (issue 19). Everything else is written once in SQL both engines run: upserts with ON CONFLICT,
// `IS [NOT] DISTINCT FROM` (SQLite 3.39+), CASE instead of boolean arithmetic, explicit NULLS FIRST /
// LAST where the order of NULLs matters, RETURNING. A list parameter is a JSON array in both.

export interface Dialect {
  readonly name: "sqlite" | "postgres";
  /** A JSON-array parameter as a relation of text values (column `value`). */
  textList(param?: string): string;
  /**
   * `column IN (list)` for a one-column SELECT `list` (textList, or a table's ids): on PostgreSQL
   * `= ANY` of it as an array, which the planner takes as an index condition; it plans `IN` over
   * a set-returning function as a semi join of 100 guessed rows and then scans the whole table
   * (every sample point of every service for one service's slice).
   */
  inList(column: string, list: string): string;
  /** A JSON-array parameter of integers as a relation (column `value`, a bigint on PostgreSQL). */
  integerList(param?: string): string;
  /**
   * A JSON-array parameter of key tuples as the relation `name(k0, …)`, typed per key ("text" or
   * "integer"): the keys a write touched, which the derived data refreshes (src/store/derived/).
   */
  keyTuples(name: string, types: readonly KeyType[], param?: string): string;
  /**
   * A JSON-array parameter of objects as the relation `alias(column, …)`, one row per object, typed
   * per column (a missing key is NULL; names in lower case, as PostgreSQL folds them): a batch of records in one statement, so that a write costs a
   * few round trips per batch on PostgreSQL instead of several per record.
   */
  records(alias: string, columns: readonly RecordColumn[], param?: string): string;
  /** A planner hint pinning an index (SQLite); nothing on PostgreSQL, whose planner needs none. */
  indexedBy(index: string): string;
  /**
   * `CROSS JOIN … ON`: SQLite joins in the written order (from few rows to an index); PostgreSQL
   * plans the order itself and spells it JOIN.
   */
  readonly orderedJoin: string;
  /**
   * `expression` as text compared byte by byte (SQLite's BINARY collation), whatever collation the
   * PostgreSQL database was created with, so that an ORDER BY lists text in the same order on both.
   */
  byteOrder(expression: string): string;
  /** The smaller / larger of two values (SQLite's two-argument min and max). */
  least(a: string, b: string): string;
  greatest(a: string, b: string): string;
  /**
   * Values of one group as one string joined by `separator` (a single character), in the order of
   * `orderBy`, so that two lists of one group line up item by item.
   */
  packed(expression: string, separator: string, orderBy: string): string;
  /**
   * The distinct non-null values of one group joined by commas, each where its first row is in the
   * order of `orderBy` (SQLite's `group_concat(DISTINCT …)` keeps the scan's first occurrence;
   * PostgreSQL's DISTINCT aggregate may only be ordered by the value itself). NULL when none.
   */
  packedDistinct(expression: string, orderBy: string): string;
  /**
   * A text expression to ORDER BY in byte order: SQLite compares text bytewise (BINARY); a
   * PostgreSQL database's collation may not (en_US puts `team_b` before `team-c`), so it says "C".
   */
  textOrder(expression: string): string;
  /**
   * The rest of an ORDER BY (", a, b") that SQLite's pinned index already yields, ties in its column
   * order: nothing on SQLite (spelled out it can cost a sort), the columns on PostgreSQL, whose plan
   * may deliver ties in any order.
   */
  indexOrder(columns: string): string;
  /**
   * SQLite's total() (0 over no values): a number on SQLite; on PostgreSQL the group's values as one
   * comma-separated text, which summedValue (src/store/exact-sum.ts) adds as SQLite does: its sum of
   * float8 rounds at every step.
   */
  summed(expression: string): string;
  /** SQLite's avg() (NULL over no values), by the same transport as `summed` (averagedValue adds). */
  averaged(expression: string): string;
  /**
   * The median of the non-NULL values, linearly interpolated (SQLite's percentile extension;
   * PostgreSQL's percentile_cont is the same definition).
   */
  median(expression: string): string;
  /**
   * A statement that makes other writers of `key` wait until this transaction ends (PostgreSQL's
   * transaction-scoped advisory lock); null on SQLite, whose writers already take turns.
   */
  transactionLock(key: bigint): string | null;
  /**
   * A statement that plans the rest of this transaction for a write, whose every statement starts
   * from the batch's few keys: by index, never hashing a whole table. PostgreSQL cannot see how few
   * keys a JSON parameter holds, nor how narrow their ranges are, and hashed every deployment per
   * derived refresh (25 ms instead of 2 at bench scale 0.05, growing with the table). (JIT is off
   * for the store's sessions already: src/store/postgres/store.ts.) Null on SQLite, which joins in
   * the written order.
   */
  readonly keyDrivenPlans: string | null;
}

export type KeyType = "text" | "integer";

/** A column of `records`: its name (also the JSON key) and type. */
export type RecordColumn = readonly [name: string, type: "text" | "integer" | "real"];

export const SQLITE: Dialect = {
  name: "sqlite",
  textList: (param = "?") => `SELECT value FROM json_each(${param})`,
  integerList: (param = "?") => `SELECT value FROM json_each(${param})`,
  inList: (column, list) => `${column} IN (${list})`,
  keyTuples: (name, types, param = "?") =>
    `${name}(${types.map((_, i) => `k${i}`).join(", ")}) AS (SELECT ${types.map((_, i) => `value ->> ${i}`).join(", ")} FROM json_each(${param}))`,
  // A JSON number that is an integer arrives as an INTEGER; a REAL column gets a REAL, as bound.
  records: (alias, columns, param = "?") =>
    `(SELECT ${columns.map(([name, type]) => (type === "real" ? `CAST(value ->> '$.${name}' AS REAL) AS ${name}` : `value ->> '$.${name}' AS ${name}`)).join(", ")} FROM json_each(${param})) AS ${alias}`,
  indexedBy: (index) => `INDEXED BY ${index}`,
  orderedJoin: "CROSS JOIN",
  byteOrder: (expression) => expression,
  least: (a, b) => `min(${a}, ${b})`,
  greatest: (a, b) => `max(${a}, ${b})`,
  // SQLite's group_concat keeps the scan's order, which the statements fix by their index; the
  // ORDER BY inside an aggregate needs SQLite 3.44, and costs a sort the index already did.
  packed: (expression, separator) => `group_concat(${expression}, ${sqliteChar(separator)})`,
  packedDistinct: (expression) => `group_concat(DISTINCT ${expression})`,
  textOrder: (expression) => expression,
  indexOrder: () => "",
  summed: (expression) => `total(${expression})`,
  averaged: (expression) => `avg(${expression})`,
  median: (expression) => `median(${expression})`,
  transactionLock: () => null,
  keyDrivenPlans: null,
};

export const POSTGRES: Dialect = {
  name: "postgres",
  textList: (param = "?") => `SELECT value FROM jsonb_array_elements_text(${param}::jsonb) AS value`,
  integerList: (param = "?") => `SELECT value::bigint AS value FROM jsonb_array_elements_text(${param}::jsonb) AS value`,
  inList: (column, list) => `${column} = ANY (ARRAY(${list}))`,
  keyTuples: (name, types, param = "?") =>
    `${name}(${types.map((_, i) => `k${i}`).join(", ")}) AS (SELECT ${types.map((type, i) => `(value ->> ${i})::${type === "integer" ? "bigint" : "text"}`).join(", ")} FROM jsonb_array_elements(${param}::jsonb) AS value)`,
  // json, not jsonb: a number goes straight from its text to float8, exactly as a bound parameter.
  records: (alias, columns, param = "?") =>
    `json_to_recordset(${param}::json) AS ${alias}(${columns.map(([name, type]) => `${name} ${type === "text" ? "text" : type === "integer" ? "bigint" : "float8"}`).join(", ")})`,
  indexedBy: () => "",
  orderedJoin: "JOIN",
  byteOrder: (expression) => `${expression} COLLATE "C"`,
  least: (a, b) => `LEAST(${a}, ${b})`,
  greatest: (a, b) => `GREATEST(${a}, ${b})`,
  packed: (expression, separator, orderBy) => `string_agg((${expression})::text, ${postgresChar(separator)} ORDER BY ${orderBy})`,
  // The group's values in order, numbered, then each value once at its first number (an aggregate
  // of the outer query inside a subquery is evaluated per group of the outer query).
  packedDistinct: (expression, orderBy) =>
    `(CASE WHEN count(${expression}) = 0 THEN NULL ELSE array_to_string(ARRAY(SELECT u.v FROM unnest(array_agg((${expression})::text ORDER BY ${orderBy})) WITH ORDINALITY AS u(v, n) WHERE u.v IS NOT NULL GROUP BY u.v ORDER BY min(u.n)), ',') END)`,
  textOrder: (expression) => `(${expression}) COLLATE "C"`,
  indexOrder: (columns) => `, ${columns}`,
  summed: (expression) => `string_agg((${expression})::text, ',')`,
  averaged: (expression) => `string_agg((${expression})::text, ',')`,
  median: (expression) => `percentile_cont(0.5) WITHIN GROUP (ORDER BY ${expression})`,
  transactionLock: (key) => `SELECT pg_advisory_xact_lock(${BigInt.asIntN(64, key)})`,
  keyDrivenPlans: `SELECT set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true)`,
};

const sqliteChar = (separator: string): string => (separator === "," ? "','" : `char(${separator.charCodeAt(0)})`);
const postgresChar = (separator: string): string => (separator === "," ? "','" : `chr(${separator.charCodeAt(0)})`);
