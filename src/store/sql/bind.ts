import type { Sql } from "./query.js";

// A module's operations (generator functions, query.ts) as the methods its callers call: run by the
// SQLite runner they return their result, by the PostgreSQL runner a Promise of it. Members that are
// not operations pass through unchanged.

type Result<F> = F extends (...args: infer _A) => Sql<infer R> ? R : never;

/** `ops` run synchronously (SQLite). */
export type SyncOps<O> = { readonly [K in keyof O]: O[K] extends (...args: infer A) => Sql<unknown> ? (...args: A) => Result<O[K]> : O[K] };
/** `ops` run asynchronously (PostgreSQL). */
export type AsyncOps<O> = { readonly [K in keyof O]: O[K] extends (...args: infer A) => Sql<unknown> ? (...args: A) => Promise<Result<O[K]>> : O[K] };
/** `ops` as a caller that serves either engine sees them: every result may be a Promise (await it). */
export type EitherOps<O> = { readonly [K in keyof O]: O[K] extends (...args: infer A) => Sql<unknown> ? (...args: A) => Result<O[K]> | Promise<Result<O[K]>> : O[K] };

type Runner = (op: Sql<unknown>) => unknown;

export function bindOps<O extends object>(ops: O, runner: (op: Sql<unknown>) => unknown): SyncOps<O> | AsyncOps<O>;
export function bindOps(ops: Record<string, unknown>, runner: Runner): Record<string, unknown> {
  const bound: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(ops)) {
    if (typeof member !== "function") {
      bound[name] = member;
      continue;
    }
    // A plain function among the operations (say, a counter's accessor) answers as it is, as the
    // types above say: only a returned operation is run.
    bound[name] = (...args: unknown[]) => {
      const result = (member as (...a: unknown[]) => unknown)(...args);
      return isOperation(result) ? runner(result) : result;
    };
  }
  return bound;
}

const isOperation = (value: unknown): value is Sql<unknown> =>
  typeof value === "object" && value !== null && typeof (value as Sql<unknown>).next === "function" && typeof (value as Sql<unknown>).throw === "function";
