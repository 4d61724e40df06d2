// One store, two engines (issue 19). A store operation is written ONCE, as a generator that yields
// the statements it needs and receives their results: `const row = yield* get<Row>(SQL, [id])`.
// A runner executes the yielded statements: synchronously on SQLite (better-sqlite3, so a write
// stays one synchronous transaction, as before) or asynchronously on PostgreSQL (`pg`). The same
// technique lets Babel run one code path sync or async (gensync); here the protocol is this file.

/** Positional (`?`) or named (`@name`) parameters, as better-sqlite3 takes them. */
export type Params = readonly unknown[] | Readonly<Record<string, unknown>>;

/**
 * What a statement returns: every row, the first row, the first column of every row, the first
 * column of the first row, or only how many rows it changed.
 */
type Mode = "all" | "get" | "column" | "value" | "run";

export interface Query {
  readonly text: string;
  readonly params: Params;
  readonly mode: Mode;
}

/** A store operation returning T. */
export type Sql<T> = Generator<Query, T, unknown>;

export interface RunResult {
  /** Rows inserted, updated or deleted by the statement itself. */
  readonly changes: number;
}

export function* all<Row>(text: string, params: Params = []): Sql<Row[]> {
  return (yield { text, params, mode: "all" }) as Row[];
}

export function* get<Row>(text: string, params: Params = []): Sql<Row | undefined> {
  return (yield { text, params, mode: "get" }) as Row | undefined;
}

export function* column<T>(text: string, params: Params = []): Sql<T[]> {
  return (yield { text, params, mode: "column" }) as T[];
}

export function* value<T>(text: string, params: Params = []): Sql<T | undefined> {
  return (yield { text, params, mode: "value" }) as T | undefined;
}

export function* run(text: string, params: Params = []): Sql<RunResult> {
  return (yield { text, params, mode: "run" }) as RunResult;
}

/** An operation's value without any statement (for a branch that needs none). */
// eslint-disable-next-line require-yield
export function* pure<T>(result: T): Sql<T> {
  return result;
}

/** Drive `op` with `execute` until it returns; a statement's error is thrown into the operation. */
export function runSync<T>(op: Sql<T>, execute: (query: Query) => unknown): T {
  let step = op.next();
  while (!step.done) {
    let result: unknown;
    try {
      result = execute(step.value);
    } catch (error) {
      step = op.throw(error);
      continue;
    }
    step = op.next(result);
  }
  return step.value;
}

export async function runAsync<T>(op: Sql<T>, execute: (query: Query) => Promise<unknown>): Promise<T> {
  let step = op.next();
  while (!step.done) {
    let result: unknown;
    try {
      result = await execute(step.value);
    } catch (error) {
      step = op.throw(error);
      continue;
    }
    step = op.next(result);
  }
  return step.value;
}
