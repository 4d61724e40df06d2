-- Lead time reads one packed code per change shipped in the frame: the lead in whole seconds × 8 +
-- the PR-size bucket (0 XS … 4 XL, 5 unknown), or −1 for a lead ≤ 0 (excluded, counted), kept in
-- the indexes of migration 002 (src/store/migrations/011_lead_codes.sql). Migration 015 replaces
-- the expression by derived columns. PostgreSQL cannot INCLUDE an expression, so it is the last key
-- column; the column list keeps SQLite's order.
DROP INDEX changes_metrics_service;
CREATE INDEX changes_metrics_service ON changes(service_id, first_deployed_at,
  (CASE WHEN first_deployed_at > committed_at THEN ((first_deployed_at - committed_at) / 1000) * 8 + CASE WHEN pr_size IS NULL THEN 5 WHEN pr_size < 10 THEN 0 WHEN pr_size < 100 THEN 1 WHEN pr_size < 500 THEN 2 WHEN pr_size < 1000 THEN 3 ELSE 4 END ELSE -1 END))
  INCLUDE (committed_at, pr_opened_at, pr_first_review_at, pr_merged_at, pr_size)
  WHERE first_deployed_at IS NOT NULL;
DROP INDEX changes_metrics_time;
CREATE INDEX changes_metrics_time ON changes(first_deployed_at,
  (CASE WHEN first_deployed_at > committed_at THEN ((first_deployed_at - committed_at) / 1000) * 8 + CASE WHEN pr_size IS NULL THEN 5 WHEN pr_size < 10 THEN 0 WHEN pr_size < 100 THEN 1 WHEN pr_size < 500 THEN 2 WHEN pr_size < 1000 THEN 3 ELSE 4 END ELSE -1 END))
  INCLUDE (service_id, committed_at, pr_opened_at, pr_first_review_at, pr_merged_at, pr_size)
  WHERE first_deployed_at IS NOT NULL;
