import pg from "pg";
import { runAsync, type Params, type Query, type Sql } from "../sql/query.js";
import { rollbackQuietly } from "./pool.js";

// Executes store operations (src/store/sql/query.ts) on PostgreSQL through a `pg` pool: a read on
// whichever pooled connection is free, a write on one connection between BEGIN and COMMIT. The
// statements are the store's SQLite-style text (`?` or `@name` placeholders), numbered here once per
// text, and prepared by name on each connection at first use.

export interface PostgresRunner {
  run<T>(op: Sql<T>): Promise<T>;
  /** Run `op` in one transaction on one connection: all of its writes land, or none. */
  transaction<T>(op: Sql<T>): Promise<T>;
}

interface Translated {
  readonly name: string;
  readonly text: string;
  /** For `@name` placeholders: the parameter names in `$n` order. */
  readonly names: readonly string[] | null;
}

/**
 * `?` and `@name` placeholders as `$1, $2, …` (a repeated `@name` keeps its number); string literals
 * and quoted identifiers are left alone.
 */
export function numberPlaceholders(text: string): { text: string; names: string[] | null } {
  let out = "";
  let positional = 0;
  const names: string[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      const stop = end === -1 ? text.length : end + 1;
      out += text.slice(i, stop);
      i = stop - 1;
    } else if (c === "?") {
      out += `$${++positional}`;
    } else if (c === "@" && /[A-Za-z_]/.test(text[i + 1] ?? "")) {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1))![0];
      let index = names.indexOf(name);
      if (index === -1) index = names.push(name) - 1;
      out += `$${index + 1}`;
      i += name.length;
    } else {
      out += c;
    }
  }
  if (positional > 0 && names.length > 0) throw new Error(`a statement mixes ? and @name placeholders: ${text}`);
  return { text: out, names: names.length > 0 ? names : null };
}

/** Integers and numerics as JavaScript numbers, as better-sqlite3 returns them: counts and millisecond times fit. */
const TYPES = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === pg.types.builtins.INT8 || oid === pg.types.builtins.NUMERIC) return (text: string) => Number(text);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

/** The pool settings the runner expects (give them to `createPool`). */
export const RUNNER_TYPES = TYPES;

export function postgresRunner(pool: pg.Pool): PostgresRunner {
  const translations = new Map<string, Translated>();
  const translate = (text: string): Translated => {
    let translated = translations.get(text);
    if (translated === undefined) {
      const numbered = numberPlaceholders(text);
      translated = { name: `vitals_${translations.size + 1}`, ...numbered };
      translations.set(text, translated);
    }
    return translated;
  };
  const values = (translated: Translated, params: Params): unknown[] => {
    if (translated.names === null) return (params as readonly unknown[]).map(nullIfUndefined);
    const named = params as Readonly<Record<string, unknown>>;
    return translated.names.map((name) => {
      if (!(name in named)) throw new Error(`missing named parameter @${name}`);
      return nullIfUndefined(named[name]);
    });
  };

  const executeOn = (client: pg.Pool | pg.PoolClient) => async (query: Query): Promise<unknown> => {
    const translated = translate(query.text);
    const config = { name: translated.name, text: translated.text, values: values(translated, query.params), types: TYPES };
    if (query.mode === "column" || query.mode === "value") {
      const result = await client.query<unknown[]>({ ...config, rowMode: "array" });
      return query.mode === "column" ? result.rows.map((row) => row[0]) : result.rows[0]?.[0];
    }
    const result = await client.query(config);
    switch (query.mode) {
      case "run":
        return { changes: result.rowCount ?? 0 };
      case "get":
        return result.rows[0];
      default:
        return result.rows;
    }
  };
  const onPool = executeOn(pool);

  return {
    run: (op) => runAsync(op, onPool),
    async transaction(op) {
      const client = await pool.connect();
      let broken = false;
      try {
        await client.query("BEGIN");
        const result = await runAsync(op, executeOn(client));
        await client.query("COMMIT");
        return result;
      } catch (error) {
        broken = !(await rollbackQuietly(client));
        throw error;
      } finally {
        client.release(broken);
      }
    },
  };
}

const nullIfUndefined = (value: unknown): unknown => (value === undefined ? null : value);
