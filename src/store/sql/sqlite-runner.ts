import type Database from "better-sqlite3";
import { runSync, type Query, type Sql } from "./query.js";

// Executes store operations (query.ts) on better-sqlite3, synchronously: each statement prepared on
// its first use and kept (a command such as `vitals ask` runs a dozen of the ~170, and preparing
// every one up front was ~3 ms of its start-up), a write inside one `db.transaction`.

// Statements of varying arity: arguments are checked by the operations, not by the type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Statement = Database.Statement<any[], unknown>;

export interface SqliteRunner {
  /** Run `op`, each statement on its own (what a read needs). */
  run<T>(op: Sql<T>): T;
  /** Run `op` in one transaction: all of its writes land, or none. Nests (as a savepoint). */
  transaction<T>(op: Sql<T>): T;
}

export function sqliteRunner(db: Database.Database): SqliteRunner {
  const statements = new Map<string, Statement>();
  const columnNames = new Map<Statement, string[]>();
  const statement = (text: string): Statement => {
    let prepared = statements.get(text);
    if (prepared === undefined) statements.set(text, (prepared = db.prepare(text)));
    return prepared;
  };

  const execute = (query: Query): unknown => {
    const prepared = statement(query.text);
    const args = Array.isArray(query.params) ? query.params : [query.params];
    switch (query.mode) {
      case "run":
        return { changes: prepared.run(...args).changes };
      case "get":
        return prepared.raw(false).pluck(false).get(...args);
      case "value":
        return prepared.raw(false).pluck(true).get(...args);
      case "column":
        return prepared.raw(false).pluck(true).all(...args);
      case "all": {
        // better-sqlite3 builds a row object property by property (about 2 µs a row: 40 ms for the
        // 19k uptime samples of a large org); fetched as arrays, the same objects cost a few ms.
        let names = columnNames.get(prepared);
        if (names === undefined) columnNames.set(prepared, (names = prepared.columns().map((c) => c.name)));
        const rows: Record<string, unknown>[] = [];
        for (const values of prepared.pluck(false).raw(true).all(...args) as unknown[][]) {
          const row: Record<string, unknown> = {};
          for (let i = 0; i < names.length; i++) row[names[i]!] = values[i];
          rows.push(row);
        }
        return rows;
      }
    }
  };

  return {
    run: (op) => runSync(op, execute),
    transaction: (op) => db.transaction(() => runSync(op, execute))(),
  };
}
