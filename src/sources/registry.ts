import type { SyncSource } from "./types.js";

/** Every pulled source, in the order `vitals sync` and the scheduler run them. */
export const SYNC_SOURCES: readonly SyncSource[] = [];
