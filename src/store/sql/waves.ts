// Writing a batch of records with a few set-based statements (src/store/sql/dialect.ts `records`)
// must leave exactly what writing them one by one leaves, counts and derived touches included. One
// statement cannot upsert a row twice (PostgreSQL refuses; the second would not see the first), and
// a record's outcome depends only on the earlier records with its key. So a batch is written in
// waves: wave k holds the k-th record of every key, in batch order; each wave sees every earlier
// record of each of its keys, as the one-by-one write would.

export interface Indexed<T> {
  /** The item's position in the batch. */
  readonly index: number;
  readonly item: T;
}

/** The items in waves by occurrence of their key (most batches have one wave). */
export function occurrenceWaves<T>(items: readonly T[], keyOf: (item: T) => string): Indexed<T>[][] {
  const seen = new Map<string, number>();
  const waves: Indexed<T>[][] = [];
  items.forEach((item, index) => {
    const key = keyOf(item);
    const k = seen.get(key) ?? 0;
    seen.set(key, k + 1);
    (waves[k] ??= []).push({ index, item });
  });
  return waves;
}

/** A key of several parts as one string (the unit separator cannot occur in the parts we key by). */
export function keyOf(...parts: readonly (string | number | null | undefined)[]): string {
  return parts.map((part) => (part === null || part === undefined ? "\u0000" : String(part))).join("\u001f");
}
