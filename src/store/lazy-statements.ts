import type { Db } from "./db.js";

/**
 * The database, with `prepare` deferred to a statement's first use. The table stores prepare every
 * statement they may need (~115) when the store is made; a command such as `vitals ask` runs a dozen,
 * and preparing the rest was ~3 ms of its start-up. Everything else is the database itself.
 */
export function withLazyStatements(db: Db): Db {
  const prepare = (sql: string) => {
    let statement: ReturnType<Db["prepare"]> | undefined;
    const methods = new Map<PropertyKey, unknown>();
    return new Proxy({} as ReturnType<Db["prepare"]>, {
      get(_target, property) {
        statement ??= db.prepare(sql);
        const value: unknown = Reflect.get(statement, property, statement);
        if (typeof value !== "function") return value;
        // Bound once per method: the native methods need the real statement as `this`.
        let bound = methods.get(property);
        if (bound === undefined) methods.set(property, (bound = value.bind(statement)));
        return bound;
      },
    });
  };
  return new Proxy(db, {
    get(target, property) {
      if (property === "prepare") return prepare;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
