/** What a write did: re-writing identical data must report only `unchanged`. */
export interface WriteStats {
  inserted: number;
  updated: number;
  unchanged: number;
}

export function emptyStats(): WriteStats {
  return { inserted: 0, updated: 0, unchanged: 0 };
}

export function addStats(into: WriteStats, from: WriteStats): WriteStats {
  into.inserted += from.inserted;
  into.updated += from.updated;
  into.unchanged += from.unchanged;
  return into;
}

/** null for SQLite: undefined is not a bindable value. */
export function orNull<T>(value: T | undefined): T | null {
  return value === undefined ? null : value;
}
