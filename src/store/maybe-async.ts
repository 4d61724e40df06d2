// A store's read interface as its callers see it (issue 19): each read returns its rows or a Promise
// of them, so SQLite (better-sqlite3, synchronous) and PostgreSQL (`pg`, asynchronous) both implement
// it, and every caller awaits.

/** Every method of `T` returning `R` may return `R | Promise<R>` instead. */
export type MaybeAsync<T> = {
  readonly [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => R | Promise<R> : T[K];
};
