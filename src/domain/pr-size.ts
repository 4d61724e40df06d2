// PR-size buckets (additions + deletions of a pull request), the one definition of their
// boundaries and labels (docs/metrics.md "Lead time for changes": the PR-size breakdown). The store
// classifies each change by these boundaries (src/store/derived/definitions.ts) and hands the
// metrics the bucket's index; a change without a known size gets UNKNOWN_PR_SIZE.

export interface PrSizeBucket {
  readonly label: string;
  /** Changes below this many lines fall in the bucket (after the earlier buckets); null: no upper bound. */
  readonly belowLines: number | null;
}

export const PR_SIZE_BUCKETS: readonly PrSizeBucket[] = [
  { label: "XS (< 10 lines)", belowLines: 10 },
  { label: "S (10–99 lines)", belowLines: 100 },
  { label: "M (100–499 lines)", belowLines: 500 },
  { label: "L (500–999 lines)", belowLines: 1000 },
  { label: "XL (≥ 1000 lines)", belowLines: null },
];

/** The bucket index of a change whose size is unknown (after the sized buckets). */
export const UNKNOWN_PR_SIZE = PR_SIZE_BUCKETS.length;

/** Labels by bucket index, the unknown bucket last. */
export const PR_SIZE_LABELS: readonly string[] = [...PR_SIZE_BUCKETS.map((b) => b.label), "unknown size"];
