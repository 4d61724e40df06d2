import type { StoreOptions } from "../config/store-options.js";
import { derivedOps } from "./derived/engine.js";
import type { Dialect } from "./sql/dialect.js";

// Every operation of the store (src/store/sql/query.ts), written once for both engines: the table
// modules' operations, and the units of work that span several (a write of records with the sync
// cursor or webhook delivery that goes with it). src/store/index.ts binds them to an engine.

export function storeOps(d: Dialect, options: StoreOptions) {
  const derived = derivedOps(d);
  return { options, derived };
}

export type StoreOps = ReturnType<typeof storeOps>;
