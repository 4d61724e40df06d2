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

export interface RecordWriteResult {
  deployments: WriteStats;
  incidents: WriteStats;
  samples: WriteStats;
  annotations: WriteStats;
  /** Incidents whose deployment link changed. */
  relinked: number;
  /** Incidents inserted or changed (e.g. to open post-incident reviews on resolution). */
  changedIncidentIds: number[];
  /** The write's delivery (WriteAlso) was recorded already: nothing was written. */
  duplicate: boolean;
}

/** What lands in the same transaction as a write's records. */
export interface WriteAlso {
  /** The sync cursor that points past these records: a sync's progress lands with its data or not at all. */
  cursor?: { source: string; key: string; cursor: string | null; etag: string | null; atMs: number };
  /**
   * The webhook delivery (or import) that carried them: when it is recorded already (another
   * replica, a redelivery), nothing is written and the result says `duplicate`.
   */
  delivery?: { source: string; id: string; atMs: number };
}
