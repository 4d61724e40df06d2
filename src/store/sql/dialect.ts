// The SQL that differs between SQLite and PostgreSQL, as fragments the store's statements are built
// from (issue 19). Everything else is written once in SQL both engines run: upserts with ON CONFLICT,
// `IS [NOT] DISTINCT FROM` (SQLite 3.39+), CASE instead of boolean arithmetic, explicit NULLS FIRST /
// LAST where the order of NULLs matters, RETURNING. A list parameter is a JSON array in both.

export interface Dialect {
  readonly name: "sqlite" | "postgres";
  /** A JSON-array parameter as a relation of text values (column `value`). */
  textList(param?: string): string;
  /** A JSON-array parameter of integers as a relation (column `value`, a bigint on PostgreSQL). */
  integerList(param?: string): string;
  /**
   * A JSON-array parameter of key tuples as the relation `name(k0, …)`, typed per key ("text" or
   * "integer"): the keys a write touched, which the derived data refreshes (src/store/derived/).
   */
  keyTuples(name: string, types: readonly KeyType[], param?: string): string;
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
   * A statement that makes other writers of `key` wait until this transaction ends (PostgreSQL's
   * transaction-scoped advisory lock); null on SQLite, whose writers already take turns.
   */
  transactionLock(key: bigint): string | null;
}

export type KeyType = "text" | "integer";

export const SQLITE: Dialect = {
  name: "sqlite",
  textList: (param = "?") => `SELECT value FROM json_each(${param})`,
  integerList: (param = "?") => `SELECT value FROM json_each(${param})`,
  keyTuples: (name, types, param = "?") =>
    `${name}(${types.map((_, i) => `k${i}`).join(", ")}) AS (SELECT ${types.map((_, i) => `value ->> ${i}`).join(", ")} FROM json_each(${param}))`,
  indexedBy: (index) => `INDEXED BY ${index}`,
  orderedJoin: "CROSS JOIN",
  byteOrder: (expression) => expression,
  least: (a, b) => `min(${a}, ${b})`,
  greatest: (a, b) => `max(${a}, ${b})`,
  // SQLite's group_concat keeps the scan's order, which the statements fix by their index; the
  // ORDER BY inside an aggregate needs SQLite 3.44, and costs a sort the index already did.
  packed: (expression, separator) => `group_concat(${expression}, ${sqliteChar(separator)})`,
  transactionLock: () => null,
};

export const POSTGRES: Dialect = {
  name: "postgres",
  textList: (param = "?") => `SELECT value FROM jsonb_array_elements_text(${param}::jsonb) AS value`,
  integerList: (param = "?") => `SELECT value::bigint AS value FROM jsonb_array_elements_text(${param}::jsonb) AS value`,
  keyTuples: (name, types, param = "?") =>
    `${name}(${types.map((_, i) => `k${i}`).join(", ")}) AS (SELECT ${types.map((type, i) => `(value ->> ${i})::${type === "integer" ? "bigint" : "text"}`).join(", ")} FROM jsonb_array_elements(${param}::jsonb) AS value)`,
  indexedBy: () => "",
  orderedJoin: "JOIN",
  byteOrder: (expression) => `${expression} COLLATE "C"`,
  least: (a, b) => `LEAST(${a}, ${b})`,
  greatest: (a, b) => `GREATEST(${a}, ${b})`,
  packed: (expression, separator, orderBy) => `string_agg((${expression})::text, ${postgresChar(separator)} ORDER BY ${orderBy})`,
  transactionLock: (key) => `SELECT pg_advisory_xact_lock(${BigInt.asIntN(64, key)})`,
};

const sqliteChar = (separator: string): string => (separator === "," ? "','" : `char(${separator.charCodeAt(0)})`);
const postgresChar = (separator: string): string => (separator === "," ? "','" : `chr(${separator.charCodeAt(0)})`);
