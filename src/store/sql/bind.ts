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
    bound[name] = typeof member === "function" ? (...args: unknown[]) => runner((member as (...a: unknown[]) => Sql<unknown>)(...args)) : member;
  }
  return bound;
}
