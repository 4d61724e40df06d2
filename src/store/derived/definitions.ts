import { PR_SIZE_BUCKETS, UNKNOWN_PR_SIZE } from "../../domain/pr-size.js";
import type { KeyType } from "../sql/dialect.js";

// Everything the store keeps beside the records so that org-wide reads stay fast, each defined
// here ONCE, as one SELECT over the records. The same SELECT fills the derived data on a full
// rebuild (its source is every row) and refreshes the keys a write touched (its source is the rows
// of those keys): see engine.ts. Changing a definition = edit its SELECT and bump DERIVED_VERSION;
// the next open rebuilds everything (no migration, no trigger). The SQL is kept portable (standard
// CASE, count, max, integer arithmetic; no SQLite-only functions) so another engine can run the
// same definitions; the only dialect-specific piece, how a list of keys becomes a relation, is
// Dialect.keyTuples (src/store/sql/dialect.ts).

/** Bump on any change to a definition below: the next open rebuilds all derived data. */
export const DERIVED_VERSION = 1;

/**
 * One derived data set. "table": rows of its own table, replaced key by key. "columns": columns of
 * the source table's own rows (key `id`), updated in place, so that the covering indexes of the
 * metric reads carry them: SQLite does not read a VIRTUAL generated column from an index (the
 * read falls back to the table rows, measured 1.7× slower on the org-wide lead-time read).
 */
export interface DerivedDefinition {
  readonly name: string;
  readonly kind: "table" | "columns";
  /** The table written: the derived table, or the records' table whose columns are derived. */
  readonly table: string;
  /** Key columns of the SELECT's output, first; then the derived columns. */
  readonly keys: readonly string[];
  /** The type of each key, in order (how a touched key is read back from its JSON list). */
  readonly keyTypes: readonly KeyType[];
  readonly columns: readonly string[];
  /** THE definition: output (keys, then columns) over the source rows `from`. */
  select(from: string): string;
  /** The source rows of a full rebuild. */
  readonly everyRow: string;
  /** The source rows of the keys in the relation `refresh_keys` (columns k0, k1, k2 in key order). */
  readonly rowsOfKeys: string;
}

const DAY_MS = 86_400_000;

/**
 * The rows of `table` (as `alias`) that belong to the keys of `refresh_keys`. CROSS JOIN fixes the
 * join order in SQLite (from the few keys to the table's rows by an index), where the planner
 * would otherwise scan an index over all samples of a name once per key; PostgreSQL plans it alike.
 */
const keyed = (table: string, alias: string, match: string): string =>
  `(SELECT ${alias}.* FROM refresh_keys k CROSS JOIN ${table} ${alias} WHERE ${match}) AS ${alias}`;

/** The PR-size bucket of a size in lines: an index into PR_SIZE_LABELS (src/domain/pr-size.ts). */
function prSizeBucket(size: string): string {
  const arms = PR_SIZE_BUCKETS.map((bucket, index) => (bucket.belowLines === null ? `ELSE ${index}` : `WHEN ${size} < ${bucket.belowLines} THEN ${index}`));
  return `CASE WHEN ${size} IS NULL THEN ${UNKNOWN_PR_SIZE} ${arms.join(" ")} END`;
}

/**
 * "Caused a failure" and "rework" (docs/metrics.md "Change failure rate", "Rework rate"): a
 * successful deployment caused a failure when an incident is linked to it (src/store/links.ts
 * decides the links) or a successful deployment rolled it back; it is rework when it is a rollback
 * or a hotfix. The counts are kept too (the drivers show them).
 */
export const DEPLOYMENT_FACTS: DerivedDefinition = {
  name: "deployment facts",
  kind: "columns",
  table: "deployments",
  keys: ["id"],
  keyTypes: ["integer"],
  columns: ["linked_incidents", "successful_rollbacks", "caused_failure", "is_rework"],
  select: (from) => `
    SELECT id, linked_incidents, successful_rollbacks,
      CASE WHEN status = 'success' AND (linked_incidents > 0 OR successful_rollbacks > 0) THEN 1 ELSE 0 END AS caused_failure,
      CASE WHEN status = 'success' AND (rollback_of IS NOT NULL OR is_hotfix = 1) THEN 1 ELSE 0 END AS is_rework
    FROM (
      SELECT d.id, d.status, d.rollback_of, d.is_hotfix,
        (SELECT count(*) FROM incidents i WHERE i.linked_deployment_id = d.id) AS linked_incidents,
        (SELECT count(*) FROM deployments r WHERE r.rollback_of_id = d.id AND r.status = 'success') AS successful_rollbacks
      FROM ${from}
    ) AS counted`,
  everyRow: "deployments d",
  rowsOfKeys: keyed("deployments", "d", "d.id = k.k0"),
};

/**
 * A change's lead time (docs/metrics.md "Lead time for changes": first successful production
 * deployment − earliest commit), in whole seconds, NULL when ≤ 0 (excluded, counted) or not
 * shipped; and its PR-size bucket.
 */
export const CHANGE_FACTS: DerivedDefinition = {
  name: "change facts",
  kind: "columns",
  table: "changes",
  keys: ["id"],
  keyTypes: ["integer"],
  columns: ["lead_seconds", "pr_size_bucket"],
  select: (from) => `
    SELECT c.id, CASE WHEN c.first_deployed_at > c.committed_at THEN (c.first_deployed_at - c.committed_at) / 1000 END AS lead_seconds,
      ${prSizeBucket("c.pr_size")} AS pr_size_bucket
    FROM ${from}`,
  everyRow: "changes c",
  rowsOfKeys: keyed("changes", "c", "c.id = k.k0"),
};

/**
 * Latency and error rate pair samples of one service, time and source (P95 weighted by the
 * requests beside it; errors over the requests beside them): one row per (service, time, source),
 * so the reads need no self-join.
 */
export const SAMPLE_POINTS: DerivedDefinition = {
  name: "sample points",
  kind: "table",
  table: "sample_points",
  keys: ["service_id", "at", "source"],
  keyTypes: ["text", "integer", "text"],
  columns: ["latency_p95_ms", "requests", "errors", "error_rate_pct"],
  select: (from) => `
    SELECT s.service_id, s.at, s.source,
      max(CASE WHEN s.name = 'latency_p95_ms' THEN s.value END) AS latency_p95_ms, max(CASE WHEN s.name = 'requests' THEN s.value END) AS requests,
      max(CASE WHEN s.name = 'errors' THEN s.value END) AS errors, max(CASE WHEN s.name = 'error_rate_pct' THEN s.value END) AS error_rate_pct
    FROM ${from}
    WHERE s.name IN ('latency_p95_ms', 'requests', 'errors', 'error_rate_pct')
    GROUP BY s.service_id, s.at, s.source`,
  everyRow: "samples s",
  rowsOfKeys: keyed("samples", "s", "s.service_id = k.k0 AND s.at = k.k1 AND s.source = k.k2"),
};

/** The sample names SAMPLE_POINTS pairs (a write of another name touches no point). */
export const POINT_SAMPLE_NAMES: ReadonlySet<string> = new Set(["latency_p95_ms", "requests", "errors", "error_rate_pct"]);

/**
 * Lead-time stage sums per service and UTC day of first shipment (the "which stage grew" drivers):
 * summed over a window they replace one aggregate step per change and stage with one per
 * service-day; src/store/delivery-reads.ts adds the changes of the partial days at a window's edges.
 */
export const STAGE_DAYS: DerivedDefinition = {
  name: "stage days",
  kind: "table",
  table: "stage_days",
  keys: ["service_id", "day"],
  keyTypes: ["text", "integer"],
  columns: ["changes", "coding", "coding_n", "pickup", "pickup_n", "review", "review_n", "deploy", "deploy_n"],
  select: (from) => `
    SELECT c.service_id, c.first_deployed_at - c.first_deployed_at % ${DAY_MS} AS day, count(*) AS changes,
      coalesce(sum(c.pr_opened_at - c.committed_at), 0) AS coding, count(c.pr_opened_at) AS coding_n,
      coalesce(sum(c.pr_first_review_at - c.pr_opened_at), 0) AS pickup, count(c.pr_first_review_at - c.pr_opened_at) AS pickup_n,
      coalesce(sum(c.pr_merged_at - c.pr_first_review_at), 0) AS review, count(c.pr_merged_at - c.pr_first_review_at) AS review_n,
      coalesce(sum(c.first_deployed_at - c.pr_merged_at), 0) AS deploy, count(c.pr_merged_at) AS deploy_n
    FROM ${from}
    WHERE c.first_deployed_at IS NOT NULL
    GROUP BY c.service_id, c.first_deployed_at - c.first_deployed_at % ${DAY_MS}`,
  everyRow: "changes c",
  rowsOfKeys: keyed("changes", "c", `c.service_id = k.k0 AND c.first_deployed_at >= k.k1 AND c.first_deployed_at < k.k1 + ${DAY_MS}`),
};

export const DERIVED_DEFINITIONS: readonly DerivedDefinition[] = [DEPLOYMENT_FACTS, CHANGE_FACTS, SAMPLE_POINTS, STAGE_DAYS];

/** The UTC day (epoch ms of its midnight) STAGE_DAYS files a first shipment at `atMs` under. */
export const stageDayOf = (atMs: number): number => atMs - (atMs % DAY_MS);
